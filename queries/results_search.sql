-- title: Search competition results
-- description: Awards to winners in scope in a year (0 = all years) whose winner name or employer contains the search text (case-insensitive), newest first, at most max_rows.
-- grain: one row per award
-- params: as_of (date: the snapshot), year (integer: 0 = all years), counties (varchar[]: counties in scope), search (text, '' = all), max_rows (integer)
with
results as (
    select
        r.year, r.series, r.competition_name as competition, r.award_tier, r.winner_type, r.winner_name, r.employer,
        r.adcode, r.honour, r.benefit_10k_yuan
    from awards as r
    where r.as_of = $as_of and ($year = 0 or r.year = $year) and list_contains($counties, r.adcode)
        and ($search = '' or contains(lower(r.winner_name), lower($search))
             or contains(lower(r.employer), lower($search)))
),

final as (
    select * from results
    order by year desc, award_tier, competition, winner_name
    limit $max_rows
)

select * from final
