-- title: Administrative units
-- description: The region, its cities and its counties with label point, area, population and employees, from one snapshot.
-- grain: one row per unit (adcode, level)
-- params: as_of (date: the snapshot)
with
units as (
    select
        r.adcode,
        r.name,
        r.level,
        r.parent_adcode,
        r.kind,
        r.lon,
        r.lat,
        r.area_km2,
        r.population,
        r.employees
    from regions as r
    where r.as_of = $as_of
),

final as (
    select * from units
)

select * from final
order by case level when 'province' then 0 when 'city' then 1 else 2 end, adcode
