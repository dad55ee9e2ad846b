-- title: Stations matching the filters and a search, for the table
-- description: Stations passing the stations page's filters whose name or address contains the search text (case-insensitive), at most the given number of rows; rows_matching is how many there are in all (the screen's table is capped, the exports are not).
-- grain: one row per station
-- params: filters (the stations page's filters as one STRUCT: see queries/macros/filtered_stations.sql); search (text, '' = all); max_rows (integer)
with
filtered as (
    select * from filtered_stations($filters)
),

searched as (
    select *
    from filtered
    where $search = ''
        or contains(lower(name), lower($search))
        or contains(lower(address), lower($search))
),

final as (
    select
        station_id, name, adcode, kind, status, host_type, address, is_24h,
        has_water, has_microwave, has_seating, has_first_aid, has_toilet, has_charging, has_aircon,
        star, monthly_visits, opened_on,
        count(*) over () as rows_matching
    from searched
    order by station_id
    limit $max_rows
)

select * from final
