-- title: Outdoor-worker demand points
-- description: Places where outdoor workers gather (delivery hubs, logistics parks, transport hubs, sites, markets) with the workers who use them daily, in the scope's counties.
-- grain: one row per demand point
-- params: as_of (date: the snapshot), counties (varchar[]: counties in scope)
with
final as (
    select point_id, adcode, kind, lon, lat, workers
    from demand_points
    where as_of = $as_of and list_contains($counties, adcode)
)

select * from final
order by point_id
