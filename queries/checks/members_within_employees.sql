-- title: More members than workers
-- description: Union members cannot outnumber the workers they are counted among: coverage members ≤ employees, migrant_members ≤ migrant_workers; nef_membership members ≤ workers.
-- grain: one row per offending cell
-- params: none
-- cost: cheap
-- expected_zh: 不超过同一行的 {limit_column}（{limit_value}）
-- expected_en: at most the same row's {limit_column} ({limit_value})
with
pairs as (
    select 'coverage' as table_name, _row, 'members' as column_name, members as value,
        'employees' as limit_column, employees as limit_value
    from coverage
    union all
    select 'coverage', _row, 'migrant_members', migrant_members, 'migrant_workers', migrant_workers from coverage
    union all
    select 'nef_membership', _row, 'members', members, 'workers', workers from nef_membership
),

final as (
    select table_name, _row, column_name, cast(value as text) as value, limit_column, limit_value
    from pairs
    where value > limit_value
)

select * from final
order by table_name, _row
