-- title: Stations matching the filters, as points
-- description: Every station that passes the stations page's filters, with what its tooltip and table show.
-- grain: one row per station
-- params: filters (the stations page's filters as one STRUCT: see queries/macros/filtered_stations.sql)
with
filtered as (
    select * from filtered_stations($filters)
),

final as (
    select
        station_id, name, kind, status, host_type, address, adcode,
        round(lon, 5) as lon, round(lat, 5) as lat,
        is_24h, has_water, has_microwave, has_seating, has_first_aid, has_toilet, has_charging, has_aircon,
        star, monthly_visits, opened_on
    from filtered
)

select * from final
order by station_id
