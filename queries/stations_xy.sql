-- title: Open stations' locations, filtered
-- description: Location of every open station passing the stations page's filters, in any county (a station across a county border still covers demand), for the nearest-station index.
-- grain: one row per open station
-- params: as_of, counties, kinds, hosts, water, microwave, seating, first_aid, toilet, charging, aircon, only_24h, min_star, opened_year (the page's filters; the status is always open)
with
final as (
    select lon, lat
    from filtered_stations(
        $as_of, $counties, $kinds, ['open'], $hosts,
        $water, $microwave, $seating, $first_aid, $toilet, $charging, $aircon,
        $only_24h, $min_star, $opened_year
    )
)

select * from final
