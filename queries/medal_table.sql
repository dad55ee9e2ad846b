-- title: Medal table by county
-- description: Awards won in a year (or every year when year is 0) by winners from each county in scope, by tier, with honours.
-- grain: one row per county in scope
-- params: as_of (date: the snapshot), year (integer: 0 = all years), counties (varchar[]: counties in scope)
with
results as (
    select r.adcode, r.award_tier, r.honour
    from awards as r
    where r.as_of = $as_of and ($year = 0 or r.year = $year) and list_contains($counties, r.adcode)
),

counties as (
    select unnest(cast($counties as varchar[])) as adcode
),

final as (
    select
        k.adcode,
        count(r.adcode) filter (where r.award_tier = '一等奖') as first_prizes,
        count(r.adcode) filter (where r.award_tier = '二等奖') as second_prizes,
        count(r.adcode) filter (where r.award_tier = '三等奖') as third_prizes,
        count(r.adcode) as awards,
        count(r.adcode) filter (where r.honour is not null) as honours
    from counties as k
    left join results as r on r.adcode = k.adcode
    group by k.adcode
)

select * from final
order by first_prizes desc, second_prizes desc, third_prizes desc, adcode
