-- title: Honours by type
-- description: Winners in scope given each honour (技术能手, 五一劳动奖章, 荆楚工匠, 劳动模范) in a year (0 = all years).
-- grain: one row per honour
-- params: as_of (date: the snapshot), year (integer: 0 = all years), counties (varchar[]: counties in scope)
with
final as (
    select r.honour, count(*) as winners
    from awards as r
    where r.as_of = $as_of and ($year = 0 or r.year = $year) and list_contains($counties, r.adcode)
        and r.honour is not null
    group by r.honour
)

select * from final
order by winners desc, honour
