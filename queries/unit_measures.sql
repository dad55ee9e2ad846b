-- title: KPI measures by unit
-- description: Every count the KPI catalogue is computed from, per administrative unit and snapshot. A scope's measures are sums of these over its units; rates are formed from the sums, never averaged.
-- grain: one row per snapshot (as_of), unit (adcode) and measure
-- params: as_ofs (date[]: the snapshots wanted)
with
snap as (
    select unnest(cast($as_ofs as date[])) as as_of
),

coverage_sums as (
    select
        c.as_of,
        c.adcode,
        sum(c.legal_units) as legal_units,
        sum(c.legal_units_unionised) as legal_units_unionised,
        sum(c.grassroots_unions) as grassroots_unions,
        sum(c.employees) as employees,
        sum(c.members) as members,
        sum(c.migrant_workers) as migrant_workers,
        sum(c.migrant_members) as migrant_members
    from coverage as c
    where c.as_of in (select as_of from snap)
    group by c.as_of, c.adcode
),

coverage_long as (
    unpivot coverage_sums on columns(* exclude (as_of, adcode)) into name measure value value
),

nef as (
    select n.as_of, n.adcode, n.worker_group, n.workers, n.members
    from nef_membership as n
    where n.as_of in (select as_of from snap)
),

-- One row per county and group already (the table's key), so only the totals need a group by.
nef_long as (
    select as_of, adcode, 'nef_workers_' || worker_group as measure, workers as value from nef
    union all
    select as_of, adcode, 'nef_members_' || worker_group, members from nef
    union all
    select as_of, adcode, 'nef_workers', sum(workers) from nef group by all
    union all
    select as_of, adcode, 'nef_members', sum(members) from nef group by all
),

station_sums as (
    select
        s.as_of,
        s.adcode,
        count(*) filter (where s.status <> 'closed') as stations_registered,
        count(*) filter (where s.status = 'open') as stations_open,
        count(*) filter (where s.status <> 'closed' and s.kind = 'outdoor_rest') as stations_outdoor_rest,
        count(*) filter (where s.status <> 'closed' and s.kind = 'nursing_room') as stations_nursing_room,
        count(*) filter (where s.status <> 'closed' and s.kind = 'mental_care') as stations_mental_care,
        count(*) filter (where s.status = 'open' and s.is_24h) as stations_open_24h,
        coalesce(sum(s.monthly_visits) filter (where s.status = 'open'), 0) as station_monthly_visits
    from stations as s
    where s.as_of in (select as_of from snap)
    group by s.as_of, s.adcode
),

station_long as (
    unpivot station_sums on columns(* exclude (as_of, adcode)) into name measure value value
),

-- Events hosted by the unit during the snapshot's year.
event_sums as (
    select
        c.as_of,
        c.adcode,
        count(*) as competitions_in_year,
        sum(c.participants) as competition_participants_in_year
    from competitions as c
    where c.as_of in (select as_of from snap)
        and c.year = year(c.as_of)
    group by c.as_of, c.adcode
),

event_long as (
    unpivot event_sums on columns(* exclude (as_of, adcode)) into name measure value value
),

-- Awards won by winners in scope during the snapshot's year.
result_sums as (
    select
        r.as_of,
        r.adcode,
        count(*) as awards_in_year,
        count(*) filter (where r.honour = '荆楚工匠') as honour_jingchu_craftsman_in_year,
        count(*) filter (where r.honour = '五一劳动奖章') as honour_may_day_medal_in_year,
        count(*) filter (where r.honour = '技术能手') as honour_technical_expert_in_year,
        count(*) filter (where r.honour = '劳动模范') as honour_model_worker_in_year,
        coalesce(sum(r.benefit_10k_yuan), 0) as innovation_benefit_10k_yuan_in_year
    from awards as r
    where r.as_of in (select as_of from snap)
        and r.year = year(r.as_of)
    group by r.as_of, r.adcode
),

result_long as (
    unpivot result_sums on columns(* exclude (as_of, adcode)) into name measure value value
),

-- Indicators: the snapshot year's value ('ind_<code>') and the sum of every year so far ('ind_<code>_cum').
indicator_long as (
    select i.as_of, i.adcode, 'ind_' || i.kpi_code as measure, sum(i.value) as value
    from indicators as i
    where i.as_of in (select as_of from snap) and i.year = year(i.as_of)
    group by all
    union all
    select i.as_of, i.adcode, 'ind_' || i.kpi_code || '_cum', sum(i.value)
    from indicators as i
    where i.as_of in (select as_of from snap) and i.year <= year(i.as_of)
    group by all
),

-- Units at city and county level, and which of them lack 法院＋工会 mediation (for coverage
-- of units and "levels fully covered"). An adcode at both levels counts once per level.
unit_levels as (
    select
        r.as_of,
        r.adcode,
        r.level,
        coalesce(i.value, 0) >= 1 as has_mediation
    from regions as r
    left join indicators as i
        on i.as_of = r.as_of and i.adcode = r.adcode and i.kpi_code = 'court_union_mediation'
        and i.year = year(r.as_of)
    where r.as_of in (select as_of from snap) and r.level in ('city', 'county')
),

unit_long as (
    select as_of, adcode, 'units_city_county' as measure, 1 as value
    from unit_levels
    group by all
    union all
    select as_of, adcode, 'units_' || level, 1
    from unit_levels
    union all
    select as_of, adcode, 'mediation_gaps_' || level, 1
    from unit_levels
    where not has_mediation
),

final as (
    select as_of, adcode, measure, cast(value as double) as value from coverage_long
    union all select as_of, adcode, measure, cast(value as double) from nef_long
    union all select as_of, adcode, measure, cast(value as double) from station_long
    union all select as_of, adcode, measure, cast(value as double) from event_long
    union all select as_of, adcode, measure, cast(value as double) from result_long
    union all select as_of, adcode, measure, cast(value as double) from indicator_long
    union all select as_of, adcode, measure, cast(value as double) from unit_long
)

select * from final
order by as_of, adcode, measure
