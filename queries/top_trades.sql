-- title: Top trades
-- description: Trades (工种) of the skills contests, by awards won by winners in scope in a year (0 = all years).
-- grain: one row per trade
-- params: as_of (date: the snapshot), year (integer: 0 = all years), counties (varchar[]: counties in scope)
with
final as (
    select c.trade, count(*) as awards, count(*) filter (where r.award_tier = '一等奖') as first_prizes
    from competition_results as r
    inner join competitions as c on c.as_of = r.as_of and c.competition_id = r.competition_id
    where r.as_of = $as_of and ($year = 0 or c.year = $year) and list_contains($counties, r.adcode)
        and c.trade is not null
    group by c.trade
)

select * from final
order by awards desc, trade
