-- title: Stations opened and closed since the compare snapshot, as points
-- description: Stations that are new (not closed) in the snapshot, and stations closed since the compare snapshot, in the scope's counties.
-- grain: one row per changed station
-- params: as_of (date: the snapshot), compare (date: the earlier snapshot), counties (varchar[]: counties in scope)
with
now as (
    select station_id, name, kind, address, adcode, lon, lat, status
    from stations
    where as_of = $as_of and list_contains($counties, adcode)
),

before as (
    select station_id, status from stations where as_of = $compare
),

final as (
    select
        n.station_id, n.name, n.kind, n.address, n.adcode, round(n.lon, 5) as lon, round(n.lat, 5) as lat,
        case when b.station_id is null then 'opened' else 'closed' end as change
    from now as n
    left join before as b on b.station_id = n.station_id
    where (b.station_id is null and n.status <> 'closed')
        or (n.status = 'closed' and b.station_id is not null and b.status <> 'closed')
)

select * from final
order by change, station_id
