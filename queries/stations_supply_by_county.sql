-- title: Station supply by county
-- description: For each county in scope, the stations passing the filters, those open, open 24 hours, their monthly visits, and the county's new-employment-form workers (outdoor_workers: every worker_group of nef_membership, i.e. truck drivers, ride-hailing drivers, couriers and food-delivery riders; the same count as the KPI catalogue's nef_workers, 新就业形态劳动者, and named so on screen): the counts behind the supply choropleth.
-- grain: one row per county in scope
-- params: filters (the stations page's filters as one STRUCT: see queries/macros/filtered_stations.sql)
with
filtered as (
    select adcode, status, is_24h, monthly_visits
    from filtered_stations($filters)
),

by_county as (
    select
        adcode,
        count(*) as stations,
        count(*) filter (where status = 'open') as stations_open,
        count(*) filter (where status = 'open' and is_24h) as stations_open_24h,
        coalesce(sum(monthly_visits) filter (where status = 'open'), 0) as monthly_visits
    from filtered
    group by adcode
),

workers as (
    -- 新就业形态劳动者 (the catalogue's nef_workers), not every outdoor worker: the labels say so
    select adcode, sum(workers) as outdoor_workers
    from nef_membership
    where as_of = cast($filters['as_of'] as date) and list_contains(cast($filters['counties'] as varchar[]), adcode)
    group by adcode
),

final as (
    select
        w.adcode,
        coalesce(b.stations, 0) as stations,
        coalesce(b.stations_open, 0) as stations_open,
        coalesce(b.stations_open_24h, 0) as stations_open_24h,
        coalesce(b.monthly_visits, 0) as monthly_visits,
        w.outdoor_workers
    from workers as w
    left join by_county as b on b.adcode = w.adcode
)

select * from final
order by adcode
