-- title: Boundaries
-- description: Simplified boundary polygons (GeoJSON text, GCJ-02) of one level of units, from one snapshot.
-- grain: one row per unit of the level
-- params: as_of (date: the snapshot), level (text: province, city or county)
with
final as (
    select s.adcode, s.level, s.geojson
    from region_shapes as s
    where s.as_of = $as_of and s.level = $level
)

select * from final
order by adcode
