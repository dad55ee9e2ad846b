-- title: Search competition results
-- description: Awards to winners in scope in a year (0 = all years) whose employer, or winner name where names may be searched, contains the search text (case-insensitive), newest first, at most max_rows. With search_names false a person's name is neither matched nor used for ordering, so a real full name finds the same rows as a made-up one.
-- grain: one row per award
-- params: as_of (date: the snapshot), year (integer: 0 = all years), counties (varchar[]: counties in scope), search (text, '' = all), search_names (boolean: people's names are shown, so they may be matched), max_rows (integer)
with
results as (
    select
        r.year, r.series, r.competition_name as competition, r.award_tier, r.winner_type, r.winner_name, r.employer,
        r.adcode, r.honour, r.benefit_10k_yuan, r.result_id
    from awards as r
    where r.as_of = $as_of and ($year = 0 or r.year = $year) and list_contains($counties, r.adcode)
        and (
            $search = ''
            or contains(lower(r.employer), lower($search))
            or (($search_names or r.winner_type <> 'person') and contains(lower(r.winner_name), lower($search)))
        )
),

final as (
    select * from results
    order by year desc, award_tier, competition,
        case when $search_names or winner_type <> 'person' then winner_name end, result_id
    limit $max_rows
)

select * from final
