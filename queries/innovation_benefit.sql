-- title: Economic benefit of innovation results
-- description: Results reporting an economic benefit (创效, 万元) and their total, per year and series, for winners in scope.
-- grain: one row per year and series with any benefit
-- params: as_of (date: the snapshot), counties (varchar[]: counties in scope)
with
final as (
    select c.year, c.series, count(*) as results, sum(r.benefit_10k_yuan) as benefit_10k_yuan
    from competition_results as r
    inner join competitions as c on c.as_of = r.as_of and c.competition_id = r.competition_id
    where r.as_of = $as_of and list_contains($counties, r.adcode) and r.benefit_10k_yuan is not null
    group by all
)

select * from final
order by year, series
