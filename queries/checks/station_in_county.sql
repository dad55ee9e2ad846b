-- title: Stations outside their county
-- description: Every station lies inside the boundary of its county (region_shapes, county level), with how far outside it is when it does not. county_outside_km is a function registered by uniondash/data/checks.py (shapely: 0 inside, the distance to the border in km outside, null for an unknown county).
-- grain: one row per offending station
-- params: border_tolerance_km (double: a station this close to the border counts as inside)
-- cost: full
-- expected_zh: 位于 {adcode} 的边界内（距边界 {distance_km} 公里）
-- expected_en: inside the boundary of {adcode} ({distance_km} km outside it)
with
located as (
    select
        s._row,
        s.adcode,
        s.lon,
        s.lat,
        county_outside_km(s.adcode, s.lon, s.lat) as outside_km
    from stations as s
    where s.lon is not null and s.lat is not null and s.adcode is not null
),

final as (
    select
        'stations' as table_name,
        _row,
        'lon, lat' as column_name,
        cast(lon as text) || ', ' || cast(lat as text) as value,
        adcode,
        round(outside_km, 2) as distance_km
    from located
    where outside_km > $border_tolerance_km
)

select * from final
order by _row
