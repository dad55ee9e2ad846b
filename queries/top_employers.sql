-- title: Top employers
-- description: Employers of winners in scope, by awards in a year (0 = all years), with the benefit (创效, 万元) their results reported.
-- grain: one row per employer and county
-- params: as_of (date: the snapshot), year (integer: 0 = all years), counties (varchar[]: counties in scope)
with
final as (
    select
        r.employer, r.adcode, count(*) as awards,
        count(*) filter (where r.award_tier = '一等奖') as first_prizes,
        coalesce(sum(r.benefit_10k_yuan), 0) as benefit_10k_yuan
    from awards as r
    where r.as_of = $as_of and ($year = 0 or r.year = $year) and list_contains($counties, r.adcode)
    group by all
)

select * from final
order by awards desc, first_prizes desc, employer
limit 20
