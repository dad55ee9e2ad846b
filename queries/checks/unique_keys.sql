-- title: Duplicate keys
-- description: Rows whose key (uniondash/data/schema.py PRIMARY_KEYS) another row of the same table also has. Every occurrence is returned, so each can be corrected.
-- grain: one row per offending row
-- params: none
-- cost: cheap
-- expected_zh: 唯一的键值（同一键值也在第 {rows_with_key} 行）
-- expected_en: a unique key (the same key is also in row {rows_with_key})
with
keyed as (
    select 'regions' as table_name, 'adcode, level' as column_name, concat_ws(' / ', adcode, level) as value, _row
    from regions
    union all
    select 'region_shapes', 'adcode, level', concat_ws(' / ', adcode, level), _row from region_shapes
    union all
    select 'coverage', 'adcode', adcode, _row from coverage
    union all
    select 'nef_membership', 'adcode, worker_group', concat_ws(' / ', adcode, worker_group), _row from nef_membership
    union all
    select 'stations', 'station_id', station_id, _row from stations
    union all
    select 'competitions', 'competition_id', competition_id, _row from competitions
    union all
    select 'competition_results', 'result_id', result_id, _row from competition_results
    union all
    select 'indicators', 'kpi_code, adcode, year', concat_ws(' / ', kpi_code, adcode, year), _row from indicators
    union all
    select 'targets', 'kpi_code, adcode, year', concat_ws(' / ', kpi_code, adcode, year), _row from targets
    union all
    select 'demand_points', 'point_id', point_id, _row from demand_points
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
