-- title: Stations matching the filters, aggregated to a grid
-- description: Stations counted per square grid cell (cell size in degrees), with the count of each kind, for maps of many points.
-- grain: one row per non-empty grid cell
-- params: filters (the stations page's filters as one STRUCT: see queries/macros/filtered_stations.sql); cell_deg (grid cell size in degrees)
with
filtered as (
    select lon, lat, kind
    from filtered_stations($filters)
),

cells as (
    select
        floor(lon / $cell_deg) as cx,
        floor(lat / $cell_deg) as cy,
        count(*) as stations,
        count(*) filter (where kind = 'outdoor_rest') as outdoor_rest,
        count(*) filter (where kind = 'nursing_room') as nursing_room,
        count(*) filter (where kind = 'mental_care') as mental_care
    from filtered
    group by all
),

final as (
    select
        round((cx + 0.5) * $cell_deg, 5) as lon,
        round((cy + 0.5) * $cell_deg, 5) as lat,
        stations, outdoor_rest, nursing_room, mental_care
    from cells
)

select * from final
order by stations desc, lon, lat  -- ties in a fixed order: the same map JSON for the same cells
