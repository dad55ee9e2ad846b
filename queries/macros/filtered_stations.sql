-- title: Stations matching the stations page's filters (table macro)
-- description: One place for the filter logic that the stations queries share. Loaded once per connection; every argument is a bound parameter of the calling query.
-- grain: one row per station
create or replace macro filtered_stations(
    p_as_of, p_counties, p_kinds, p_statuses, p_hosts,
    p_water, p_microwave, p_seating, p_first_aid, p_toilet, p_charging, p_aircon,
    p_only_24h, p_min_star, p_opened_year
) as table
select s.*
from stations as s
where s.as_of = cast(p_as_of as date)
    and list_contains(p_counties, s.adcode)
    and (len(p_kinds) = 0 or list_contains(p_kinds, s.kind))
    and (len(p_statuses) = 0 or list_contains(p_statuses, s.status))
    and (len(p_hosts) = 0 or list_contains(p_hosts, s.host_type))
    and (not p_water or s.has_water)
    and (not p_microwave or s.has_microwave)
    and (not p_seating or s.has_seating)
    and (not p_first_aid or s.has_first_aid)
    and (not p_toilet or s.has_toilet)
    and (not p_charging or s.has_charging)
    and (not p_aircon or s.has_aircon)
    and (not p_only_24h or s.is_24h)
    and coalesce(s.star, 0) >= p_min_star
    and (p_opened_year is null or year(s.opened_on) = p_opened_year)
