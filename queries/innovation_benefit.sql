-- title: Economic benefit of innovation results
-- description: Results reporting an economic benefit (创效, 万元) and their total, per year and series, for winners in scope.
-- grain: one row per year and series with any benefit
-- params: as_of (date: the snapshot), counties (varchar[]: counties in scope)
with
final as (
    select r.year, r.series, count(*) as results, sum(r.benefit_10k_yuan) as benefit_10k_yuan
    from awards as r
    where r.as_of = $as_of and list_contains($counties, r.adcode) and r.benefit_10k_yuan is not null
    group by all
)

select * from final
order by year, series
