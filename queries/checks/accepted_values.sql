-- title: Values outside the accepted lists
-- description: Cells of the contract's enumerated columns (uniondash/data/schema.py ACCEPTED_VALUES) holding a value that is not in the list, and target KPI codes the catalogue does not know (an indicator's code may be one no KPI reads yet). The lists are bound as parameters from the schema and the catalogue, never copied here.
-- grain: one row per offending cell
-- params: region_levels, station_kinds, station_statuses, host_types, worker_groups, competition_series, competition_levels, winner_types, demand_kinds, kpi_codes (text[] each)
-- cost: cheap
-- expected_zh: 以下之一：{accepted}
-- expected_en: one of: {accepted}
with
cells as (
    select 'regions' as table_name, _row, 'level' as column_name, level as value, $region_levels as accepted
    from regions
    union all
    select 'region_shapes', _row, 'level', level, $region_levels from region_shapes
    union all
    select 'stations', _row, 'kind', kind, $station_kinds from stations
    union all
    select 'stations', _row, 'status', status, $station_statuses from stations
    union all
    select 'stations', _row, 'host_type', host_type, $host_types from stations
    union all
    select 'nef_membership', _row, 'worker_group', worker_group, $worker_groups from nef_membership
    union all
    select 'competitions', _row, 'series', series, $competition_series from competitions
    union all
    select 'competitions', _row, 'level', level, $competition_levels from competitions
    union all
    select 'competition_results', _row, 'winner_type', winner_type, $winner_types from competition_results
    union all
    select 'demand_points', _row, 'kind', kind, $demand_kinds from demand_points
    union all
    select 'targets', _row, 'kpi_code', kpi_code, $kpi_codes from targets
),

final as (
    select
        table_name,
        _row,
        column_name,
        value,
        array_to_string(cast(accepted as text[])[1:12], ', ') || if(len(accepted) > 12, ', …', '') as accepted
    from cells
    where value is not null and not list_contains(cast(accepted as text[]), value)
)

select * from final
order by table_name, _row, column_name
