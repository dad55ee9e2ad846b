-- title: Unknown administrative codes
-- description: Every adcode must name a unit of the snapshot's regions table, at county level where the table's grain is a county; regions must belong to the configured region (their codes start with its prefix, one root, parents known).
-- grain: one row per offending cell
-- params: region (text: the configured region's adcode), region_prefix (text: its significant digits)
-- cost: cheap
-- expected_zh: {expected_unit}
-- expected_en: {expected_unit_en}
with
counties as (
    select adcode from regions where level = 'county'
),

units as (
    select distinct adcode from regions
),

county_cells as (
    select 'coverage' as table_name, _row, adcode from coverage
    union all
    select 'nef_membership', _row, adcode from nef_membership
    union all
    select 'stations', _row, adcode from stations
    union all
    select 'demand_points', _row, adcode from demand_points
),

unit_cells as (
    select 'competitions' as table_name, _row, adcode from competitions
    union all
    select 'competition_results', _row, adcode from competition_results
    union all
    select 'indicators', _row, adcode from indicators
    union all
    select 'targets', _row, adcode from targets
),

bad_county as (
    select table_name, _row, 'adcode' as column_name, adcode as value,
        '区域表中的县级单位代码' as expected_unit, 'a county adcode of the regions table' as expected_unit_en
    from county_cells
    where adcode is not null and adcode not in (select adcode from counties)
),

bad_unit as (
    select table_name, _row, 'adcode', adcode,
        '区域表中的单位代码', 'an adcode of the regions table'
    from unit_cells
    where adcode is not null and adcode not in (select adcode from units)
),

bad_shape as (
    select 'region_shapes', s._row, 'adcode, level', concat_ws(' / ', s.adcode, s.level),
        '区域表中的单位（代码与层级）', 'a unit (adcode and level) of the regions table'
    from region_shapes as s
    anti join regions as r on r.adcode = s.adcode and r.level = s.level
),

bad_region as (
    select 'regions', _row, 'adcode', adcode,
        '本地区（' || $region || '）的区划代码', 'an adcode within the configured region ' || $region
    from regions
    where adcode is not null and (not starts_with(adcode, $region_prefix) or (level = 'province' and adcode <> $region))
),

bad_parent as (
    select 'regions', c._row, 'parent_adcode', c.parent_adcode,
        '区域表中上一级单位的代码', 'the adcode of a unit one level up in the regions table'
    from regions as c
    where c.adcode is distinct from $region  -- the region itself is the root: no parent
        and (c.parent_adcode is null or c.parent_adcode not in (select adcode from units))
),

final as (
    select * from bad_county
    union all select * from bad_unit
    union all select * from bad_shape
    union all select * from bad_region
    union all select * from bad_parent
)

select * from final
order by table_name, _row
