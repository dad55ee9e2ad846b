-- title: How many stations match the filters
-- description: The number of stations passing the stations page's filters, to decide between points and server-side aggregation.
-- grain: one row
-- params: filters (the stations page's filters as one STRUCT: see queries/macros/filtered_stations.sql)
with
final as (
    select count(*) as stations
    from filtered_stations($filters)
)

select * from final
