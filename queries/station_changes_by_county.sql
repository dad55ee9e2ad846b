-- title: Stations opened and closed by county
-- description: Stations that appear (not closed) in the snapshot but not in the compare snapshot, and stations closed since, per county.
-- grain: one row per county with any change
-- params: as_of (date: the snapshot), compare (date: the earlier snapshot)
with
now as (
    select s.station_id, s.adcode, s.status from stations as s where s.as_of = $as_of
),

before as (
    select s.station_id, s.status from stations as s where s.as_of = $compare
),

changes as (
    select
        n.adcode,
        count(*) filter (where b.station_id is null and n.status <> 'closed') as opened,
        count(*) filter (where n.status = 'closed' and b.station_id is not null and b.status <> 'closed') as closed
    from now as n
    left join before as b on b.station_id = n.station_id
    group by n.adcode
),

final as (
    select adcode, opened, closed from changes where opened > 0 or closed > 0
)

select * from final
order by opened + closed desc, adcode
