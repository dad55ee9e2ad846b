-- title: More unionised units than units
-- description: Per county, legal units with a union (legal_units_unionised) cannot exceed legal units, and grassroots unions cannot exceed the unionised units (a joint union covers several units, never fewer than one).
-- grain: one row per offending cell
-- params: none
-- cost: cheap
-- expected_zh: 不超过同一行的 {limit_column}（{limit_value}）
-- expected_en: at most the same row's {limit_column} ({limit_value})
with
pairs as (
    select 'coverage' as table_name, _row, 'legal_units_unionised' as column_name, legal_units_unionised as value,
        'legal_units' as limit_column, legal_units as limit_value
    from coverage
    union all
    select 'coverage', _row, 'grassroots_unions', grassroots_unions, 'legal_units_unionised', legal_units_unionised
    from coverage
),

final as (
    select table_name, _row, column_name, cast(value as text) as value, limit_column, limit_value
    from pairs
    where value > limit_value
)

select * from final
order by table_name, _row
