-- title: Awards with their competitions (view)
-- description: Every award (competition_results) joined to its competition, once, for the queries about awards: the award's columns plus the competition's series, year, level, trade, name (as competition_name) and host adcode (as host_adcode).
-- grain: one row per award per snapshot
create or replace view awards as
select
    r.*,
    c.series,
    c.year,
    c.level,
    c.trade,
    c.name as competition_name,
    c.participants,
    c.adcode as host_adcode
from competition_results as r
inner join competitions as c on c.as_of = r.as_of and c.competition_id = r.competition_id
