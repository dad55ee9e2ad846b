-- title: Open stations' locations, filtered
-- description: Location of every open station passing the stations page's filters, in any county (a station across a county border still covers demand), for the nearest-station index.
-- grain: one row per open station
-- params: filters (the stations page's filters as one STRUCT: see queries/macros/filtered_stations.sql); its statuses are ['open']
with
final as (
    select lon, lat
    from filtered_stations($filters)
)

select * from final
