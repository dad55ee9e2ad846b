-- title: Targets
-- description: Every target of a snapshot: KPI, unit (region or county), target year and value.
-- grain: one row per KPI, unit and target year
-- params: as_of (date: the snapshot)
with
final as (
    select t.kpi_code, t.adcode, t.year, t.target
    from targets as t
    where t.as_of = $as_of
)

select * from final
order by kpi_code, adcode, year
