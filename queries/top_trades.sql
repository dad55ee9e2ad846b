-- title: Top trades
-- description: Trades (工种) of the skills contests, by awards won by winners in scope in a year (0 = all years).
-- grain: one row per trade
-- params: as_of (date: the snapshot), year (integer: 0 = all years), counties (varchar[]: counties in scope)
with
final as (
    select r.trade, count(*) as awards, count(*) filter (where r.award_tier = '一等奖') as first_prizes
    from awards as r
    where r.as_of = $as_of and ($year = 0 or r.year = $year) and list_contains($counties, r.adcode)
        and r.trade is not null
    group by r.trade
)

select * from final
order by awards desc, trade
