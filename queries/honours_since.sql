-- title: New honours since the compare snapshot
-- description: Honours (荆楚工匠, 五一劳动奖章, 技术能手, 劳动模范) won in competitions held after the compare snapshot's year, up to the snapshot's year, by winner's county.
-- grain: one row per county and honour
-- params: as_of (date: the snapshot), compare (date: the earlier snapshot)
with
results as (
    select r.adcode, r.honour, r.year
    from awards as r
    where r.as_of = $as_of and r.honour is not null
),

final as (
    select adcode, honour, count(*) as winners
    from results
    where year > year(cast($compare as date)) and year <= year(cast($as_of as date))
    group by all
)

select * from final
order by winners desc, adcode, honour
