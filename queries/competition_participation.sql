-- title: Competition participation by year and series
-- description: Events and worker entries per year for each of the four series, for events hosted by units in scope (region-wide events count when the scope is the whole region).
-- grain: one row per year and series
-- params: as_of (date: the snapshot), units (varchar[]: every adcode in scope)
with
events as (
    select year, series, participants
    from competitions
    where as_of = $as_of and list_contains($units, adcode)
),

final as (
    select year, series, count(*) as events, sum(participants) as participants
    from events
    group by all
)

select * from final
order by year, series
