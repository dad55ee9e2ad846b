-- title: Dates after the snapshot date
-- description: A snapshot describes the state at its as-of date: no station opened later, no competition or indicator for a later year (targets may look ahead).
-- grain: one row per offending cell
-- params: as_of (date: the snapshot's date)
-- cost: cheap
-- expected_zh: 不晚于快照日期 {as_of}
-- expected_en: not after the snapshot date {as_of}
with
late as (
    select 'stations' as table_name, _row, 'opened_on' as column_name, cast(opened_on as text) as value
    from stations
    where opened_on > cast($as_of as date)
    union all
    select 'competitions', _row, 'year', cast(year as text) from competitions where year > year(cast($as_of as date))
    union all
    select 'indicators', _row, 'year', cast(year as text) from indicators where year > year(cast($as_of as date))
),

final as (
    select table_name, _row, column_name, value, cast(cast($as_of as date) as text) as as_of from late
)

select * from final
order by table_name, _row
