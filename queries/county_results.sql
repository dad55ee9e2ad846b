-- title: Competition results of one county
-- description: Awards won by winners from a county, every year up to the snapshot, newest first.
-- grain: one row per award
-- params: as_of (date: the snapshot), adcode (text: the winners' county)
with
results as (
    select
        r.year, r.series, r.competition_name as competition, r.award_tier, r.winner_type, r.winner_name, r.employer,
        r.honour, r.benefit_10k_yuan
    from awards as r
    where r.as_of = $as_of and r.adcode = $adcode
),

final as (
    select * from results
)

select * from final
order by year desc, award_tier, competition
