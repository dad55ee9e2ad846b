-- title: How many stations match the filters
-- description: The number of stations passing the stations page's filters, to decide between points and server-side aggregation.
-- grain: one row
-- params: as_of, counties, kinds, statuses, hosts, water, microwave, seating, first_aid, toilet, charging, aircon, only_24h, min_star, opened_year (the page's filters)
with
final as (
    select count(*) as stations
    from filtered_stations(
        $as_of, $counties, $kinds, $statuses, $hosts,
        $water, $microwave, $seating, $first_aid, $toilet, $charging, $aircon,
        $only_24h, $min_star, $opened_year
    )
)

select * from final
