-- title: Stations matching the stations page's filters (table macro)
-- description: One place for the filter logic that the stations queries share. Loaded once per connection; its one argument is the calling query's bound $filters parameter, a STRUCT (a Python dict) with as_of, counties, kinds, statuses, hosts (lists: empty = any), the facility flags water … aircon and only_24h (true = required), min_star and opened_year (null = any).
-- grain: one row per station
create or replace macro filtered_stations(f) as table
select s.*
from stations as s
where s.as_of = cast(f['as_of'] as date)
    and list_contains(cast(f['counties'] as varchar[]), s.adcode)
    and (len(f['kinds']) = 0 or list_contains(cast(f['kinds'] as varchar[]), s.kind))
    and (len(f['statuses']) = 0 or list_contains(cast(f['statuses'] as varchar[]), s.status))
    and (len(f['hosts']) = 0 or list_contains(cast(f['hosts'] as varchar[]), s.host_type))
    and (not f['water'] or s.has_water)
    and (not f['microwave'] or s.has_microwave)
    and (not f['seating'] or s.has_seating)
    and (not f['first_aid'] or s.has_first_aid)
    and (not f['toilet'] or s.has_toilet)
    and (not f['charging'] or s.has_charging)
    and (not f['aircon'] or s.has_aircon)
    and (not f['only_24h'] or s.is_24h)
    and coalesce(s.star, 0) >= f['min_star']
    and (f['opened_year'] is null or year(s.opened_on) = cast(f['opened_year'] as integer))
