-- title: KPI measures that no query produces
-- description: Every numerator and denominator of uniondash/metrics/kpis.toml must be a measure that the measure layer (queries/unit_measures.sql and uniondash/metrics/measures.py) produces on this data; a misspelt name would otherwise show as "region-wide only".
-- grain: one row per catalogue reference that names no measure
-- params: refs (struct(kpi_code, field, measure)[]: the catalogue's references); reads the table `measures` (measure) registered by uniondash/data/checks.py
-- cost: catalogue
-- expected_zh: 度量层产生的度量名
-- expected_en: a measure the measure layer produces
with
refs as (
    select unnest($refs, recursive := true)
),

final as (
    select
        'kpis.toml' as table_name,
        null as _row,
        r.field as column_name,
        r.measure as value,
        r.kpi_code
    from refs as r
    where r.measure not in (select measure from measures)
)

select * from final
order by kpi_code, column_name
