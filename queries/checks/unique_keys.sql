-- title: Duplicate keys
-- description: Rows whose key another row of the same table also has. Every occurrence is returned, so each can be corrected. The key columns are the contract's (uniondash/data/schema.py PRIMARY_KEYS), bound as a parameter and picked by name with *columns(), never copied here: only the tables are named here.
-- grain: one row per offending row
-- params: primary_keys (struct: each table's key columns, text[] in the table's column order)
-- cost: cheap
-- expected_zh: 唯一的键值（同一键值也在第 {rows_with_key} 行）
-- expected_en: a unique key (the same key is also in row {rows_with_key})
with
key_cells as (
    -- each table's key: its columns joined as text, and the first one alone (a one-column key is
    -- shown as it is, a null one as null)
    select
        'regions' as table_name,
        _row,
        $primary_keys.regions as key_columns,
        concat_ws(' / ', *columns($primary_keys.regions)) as joined,
        cast(struct_extract_at(struct_pack(*columns($primary_keys.regions)), 1) as text) as first_column
    from regions
    union all
    select
        'region_shapes', _row, $primary_keys.region_shapes,
        concat_ws(' / ', *columns($primary_keys.region_shapes)),
        cast(struct_extract_at(struct_pack(*columns($primary_keys.region_shapes)), 1) as text)
    from region_shapes
    union all
    select
        'coverage', _row, $primary_keys.coverage,
        concat_ws(' / ', *columns($primary_keys.coverage)),
        cast(struct_extract_at(struct_pack(*columns($primary_keys.coverage)), 1) as text)
    from coverage
    union all
    select
        'nef_membership', _row, $primary_keys.nef_membership,
        concat_ws(' / ', *columns($primary_keys.nef_membership)),
        cast(struct_extract_at(struct_pack(*columns($primary_keys.nef_membership)), 1) as text)
    from nef_membership
    union all
    select
        'stations', _row, $primary_keys.stations,
        concat_ws(' / ', *columns($primary_keys.stations)),
        cast(struct_extract_at(struct_pack(*columns($primary_keys.stations)), 1) as text)
    from stations
    union all
    select
        'competitions', _row, $primary_keys.competitions,
        concat_ws(' / ', *columns($primary_keys.competitions)),
        cast(struct_extract_at(struct_pack(*columns($primary_keys.competitions)), 1) as text)
    from competitions
    union all
    select
        'competition_results', _row, $primary_keys.competition_results,
        concat_ws(' / ', *columns($primary_keys.competition_results)),
        cast(struct_extract_at(struct_pack(*columns($primary_keys.competition_results)), 1) as text)
    from competition_results
    union all
    select
        'indicators', _row, $primary_keys.indicators,
        concat_ws(' / ', *columns($primary_keys.indicators)),
        cast(struct_extract_at(struct_pack(*columns($primary_keys.indicators)), 1) as text)
    from indicators
    union all
    select
        'targets', _row, $primary_keys.targets,
        concat_ws(' / ', *columns($primary_keys.targets)),
        cast(struct_extract_at(struct_pack(*columns($primary_keys.targets)), 1) as text)
    from targets
    union all
    select
        'demand_points', _row, $primary_keys.demand_points,
        concat_ws(' / ', *columns($primary_keys.demand_points)),
        cast(struct_extract_at(struct_pack(*columns($primary_keys.demand_points)), 1) as text)
    from demand_points
),

keyed as (
    select
        table_name,
        array_to_string(key_columns, ', ') as column_name,
        if(len(key_columns) = 1, first_column, joined) as value,
        _row
    from key_cells
),

duplicated as (
    select table_name, value, list(_row order by _row) as rows_of_key
    from keyed
    group by table_name, value
    having count(*) > 1
),

final as (
    select
        k.table_name,
        k._row,
        k.column_name,
        k.value,
        array_to_string(list_filter(d.rows_of_key, lambda r: r <> k._row)[1:5], ', ') as rows_with_key
    from keyed as k
    inner join duplicated as d on d.table_name = k.table_name and d.value = k.value
)

select * from final
order by table_name, _row
