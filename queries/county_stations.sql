-- title: Stations of one county
-- description: Every station of a county in a snapshot with its kind, status, host, hours and location.
-- grain: one row per station
-- params: as_of (date: the snapshot), adcode (text: the county)
with
final as (
    select
        s.station_id, s.name, s.kind, s.status, s.host_type, s.address, s.is_24h, s.lon, s.lat,
        s.opened_on, s.monthly_visits
    from stations as s
    where s.as_of = $as_of and s.adcode = $adcode
)

select * from final
order by station_id
