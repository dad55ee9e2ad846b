"""Stations (/stations): every station in scope on an offline map, coloured by kind, with
density and county-supply layers, changes since the compare snapshot, service gaps with
suggested new sites, and a searchable, exportable table. Every control is in the URL."""

from __future__ import annotations

import pydeck as pdk
import streamlit as st

from uniondash import fmt
from uniondash.app import current_view, station_index_cached
from uniondash.gaps import best_new_sites, uncovered, uncovered_by_county
from uniondash.i18n import t
from uniondash.maps import (
    choropleth_layer,
    convert_points,
    convert_shapes,
    feature_collection,
    needs_conversion,
    offline_deck,
    outline_layer,
    sequential_colours,
    stations_layer,
    view_for,
)
from uniondash.schema import FACILITIES, HOST_TYPES, STATION_KINDS, STATION_STATUSES
from uniondash.stations import (
    FULL_TOOLTIP_MAX,
    LAYERS,
    PARAMS,
    POINT_THRESHOLD,
    SUPPLY_MEASURES,
    aggregate_changes,
    filter_params,
    grid_cell_deg,
    supply_values,
    tooltips,
)
from uniondash.stations_tabs import changes as changes_tab
from uniondash.stations_tabs import service_gaps, station_list
from uniondash.ui import demo_banner, region_names, scope_caption, scope_label, theme
from uniondash.urlstate import seed_page, write_page

view = current_view()
lang = view.lang
ss = st.session_state
seed_page(ss, st.query_params, PARAMS, "stations")
names = region_names(view)
settings = view.settings
data_crs = "GCJ-02"
convert = needs_conversion(data_crs, settings.tile_url, settings.tile_crs)

st.title(t("stations.title", lang))
demo_banner(view)
st.caption(scope_caption(view))

with st.expander(t("stations.filters", lang), expanded=True, icon=":material/filter_alt:"):
    a, b, c, d = st.columns(4)
    a.multiselect(
        t("stations.kind", lang),
        STATION_KINDS,
        key="kind",
        format_func=lambda k: t(f"kind.{k}", lang),
        placeholder=t("filter.all", lang),
    )
    b.multiselect(
        t("stations.status", lang),
        STATION_STATUSES,
        key="status",
        format_func=lambda s: t(f"status.{s}", lang),
        placeholder=t("filter.all", lang),
    )
    c.multiselect(
        t("stations.host", lang),
        HOST_TYPES,
        key="host",
        format_func=lambda h: t(f"host.{h}", lang),
        placeholder=t("filter.all", lang),
    )
    d.multiselect(
        t("stations.facility", lang),
        FACILITIES,
        key="facility",
        format_func=lambda f: t(f"facility.{f}", lang),
        placeholder=t("filter.all", lang),
    )
    e, f, g, _ = st.columns(4)
    e.toggle(t("stations.h24", lang), key="h24")
    f.select_slider(t("stations.star", lang), options=[0, 1, 2, 3, 4, 5], key="star")
    years = [0] + list(range(int(view.snapshot[:4]), 2015, -1))
    g.selectbox(
        t("stations.opened", lang),
        years,
        key="opened",
        format_func=lambda y: t("stations.opened_any", lang) if y == 0 else str(y),
    )

layer_col, measure_col = st.columns([3, 2])
layer_col.segmented_control(
    t("stations.layer", lang), LAYERS, key="layer", required=True, format_func=lambda x: t(f"stations.layer.{x}", lang)
)
if ss["layer"] == "supply":
    measure_col.selectbox(
        t("stations.measure", lang),
        SUPPLY_MEASURES,
        key="measure",
        format_func=lambda m: t(f"stations.measure.{m}", lang),
    )
toggles = st.columns(4, vertical_alignment="bottom")
toggles[0].toggle(t("stations.changes", lang), key="changes", disabled=not view.compare)
toggles[1].toggle(t("stations.gaps", lang), key="gaps")
if ss["gaps"]:
    toggles[2].number_input(t("stations.gap_km", lang), min_value=0.2, max_value=20.0, step=0.5, key="gap_km")
    toggles[3].number_input(t("stations.sites", lang), min_value=0, max_value=30, step=1, key="sites")
write_page(st.query_params, ss, PARAMS)

params = filter_params(ss, view.scope.counties, view.snapshot)
n_matching = int(view.query("stations_count", **params).stations.iloc[0])
supply = view.query("stations_supply_by_county", **params)
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("stations.matching", lang), fmt.number(n_matching, lang))
m2.metric(t("stations.open", lang), fmt.number(int(supply.stations_open.sum()), lang))
m3.metric(
    t("stations.measure.share_24h", lang),
    fmt.percent(supply.stations_open_24h.sum() / max(1, supply.stations_open.sum())),
)
m4.metric(
    t("stations.measure.per_10k_workers", lang),
    f"{supply.stations.sum() / max(1, supply.outdoor_workers.sum()) * 10_000:.1f}",
)

shapes = view.shapes("county")
city_shapes = view.shapes("city")
if convert:
    shapes, city_shapes = (convert_shapes(s, data_crs, settings.tile_crs) for s in (shapes, city_shapes))
in_scope = shapes[shapes.adcode.isin(view.scope.counties)]
layers = []
if ss["layer"] == "supply":
    values = supply_values(supply, ss["measure"]).to_dict()
    colours = sequential_colours(values)
    is_share = ss["measure"] == "share_24h"
    props = {
        a: {
            "fill": colours[a],
            "tip": f"{names.get(a, a)}\n{t('stations.measure.' + ss['measure'], lang)}: "
            + (fmt.percent(v) if is_share else f"{v:,.1f}" if v == v else "—"),
        }
        for a, v in values.items()
    }
else:
    props = {a: {"fill": [0, 0, 0, 0], "tip": names.get(a, a)} for a in view.scope.counties}
layers.append(choropleth_layer(feature_collection(shapes, props)))  # pickable counties: click to open one
layers.append(
    outline_layer(
        feature_collection(city_shapes, {a: {} for a in city_shapes.adcode}), "cities", (40, 40, 40, 220), 1.6
    )
)

aggregated = n_matching > POINT_THRESHOLD
cell = grid_cell_deg(len(view.scope.counties))
if ss["layer"] == "density" or (ss["layer"] == "points" and aggregated):
    grid = view.query("stations_grid", cell_deg=cell, **params)
    if convert:
        grid = convert_points(grid, data_crs, settings.tile_crs)
    if ss["layer"] == "density":
        layers.append(
            pdk.Layer(
                "HeatmapLayer",
                grid[["lon", "lat", "stations"]],
                id="density",
                get_position="[lon, lat]",
                get_weight="stations",
                radius_pixels=40,
                opacity=0.8,
            )
        )
    else:
        grid = grid.assign(tip=[t("stations.matching", lang) + f": {n:,}" for n in grid.stations])
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                grid[["lon", "lat", "stations", "tip"]],
                id="grid",
                pickable=True,
                get_position="[lon, lat]",
                get_radius="stations",
                radius_scale=40,
                radius_min_pixels=2,
                radius_max_pixels=18,
                get_fill_color=[0, 114, 178, 170],
            )
        )
elif ss["layer"] == "points" and n_matching:
    points = view.query("stations_points", **params)
    if convert:
        points = convert_points(points, data_crs, settings.tile_crs)
    full_tips = len(points) <= FULL_TOOLTIP_MAX
    layers.extend(stations_layer(tooltips(points, lang, full=full_tips)))

if ss["changes"] and view.compare:
    changes = view.query(
        "station_changes_points", as_of=view.snapshot, compare=view.compare, counties=view.scope.counties
    )
    if convert:
        changes = convert_points(changes, data_crs, settings.tile_crs)
    if len(changes) > POINT_THRESHOLD // 4:  # many changes: one dot per grid cell and change type
        changes = aggregate_changes(changes, cell, lang)
    else:
        changes = changes.assign(
            n=1,
            tip=[
                f"{t('change.' + c, lang)}: {n}\n{a}" for c, n, a in zip(changes.change, changes.name, changes.address)
            ],
        )
    changes["color"] = [[240, 228, 66, 255] if c == "opened" else [213, 94, 0, 255] for c in changes.change]
    layers.append(
        pdk.Layer(
            "ScatterplotLayer",
            changes[["lon", "lat", "tip", "color", "n"]],
            id="changes",
            pickable=True,
            get_position="[lon, lat]",
            get_fill_color="color",
            get_line_color=[30, 30, 30],
            stroked=True,
            line_width_min_pixels=1,
            get_radius="n",
            radius_scale=150,
            radius_min_pixels=4,
            radius_max_pixels=16,
        )
    )

gaps = sites = scored = None
if ss["gaps"]:
    index = station_index_cached(view.snapshots_dir, view.fingerprint, params)
    demand = view.query("demand_points", as_of=view.snapshot, counties=view.scope.counties)
    scored = uncovered(demand, index, float(ss["gap_km"]))
    gaps = uncovered_by_county(scored)
    sites = best_new_sites(scored, float(ss["gap_km"]), int(ss["sites"]), index.lat0)
    open_demand = scored[~scored.covered].assign(
        tip=lambda d: [f"{w} · {k:.1f} km" for w, k in zip(d.workers, d.nearest_km)]
    )
    draw_demand, draw_sites = open_demand, sites
    if convert:
        draw_demand = convert_points(open_demand, data_crs, settings.tile_crs)
        draw_sites = convert_points(sites, data_crs, settings.tile_crs) if len(sites) else sites
    layers.append(
        pdk.Layer(
            "ScatterplotLayer",
            draw_demand[["lon", "lat", "tip"]],
            id="uncovered",
            pickable=True,
            get_position="[lon, lat]",
            get_fill_color=[213, 94, 0, 200],
            get_radius=120,
            radius_min_pixels=2,
        )
    )
    if len(sites):
        draw_sites = draw_sites.assign(
            tip=[f"#{r} +{w:,}" for r, w in zip(sites["rank"], sites.covered_workers)], label=sites["rank"].astype(str)
        )
        layers.append(
            pdk.Layer(
                "ScatterplotLayer",
                draw_sites[["lon", "lat", "tip"]],
                id="sites",
                pickable=True,
                get_position="[lon, lat]",
                filled=False,
                stroked=True,
                get_line_color=[0, 0, 0],
                line_width_min_pixels=3,
                get_radius=float(ss["gap_km"]) * 1000,
                radius_min_pixels=8,
            )
        )
        layers.append(
            pdk.Layer(
                "TextLayer",
                draw_sites[["lon", "lat", "label"]],
                id="site-labels",
                get_position="[lon, lat]",
                get_text="label",
                get_size=16,
                get_color=[0, 0, 0],
            )
        )


def open_county() -> None:
    objs = (ss["stations_map"].selection.get("objects") or {}).get("choropleth") or []
    if objs:
        ss["city"], ss["county"] = [], [objs[0]["properties"]["adcode"]]


deck = offline_deck(
    layers,
    view_for(in_scope if len(in_scope) else shapes, width_px=720),
    tooltip={"text": "{tip}"},
    theme=theme(),
    tile_url=settings.tile_url,
)
st.pydeck_chart(deck, height=560, key="stations_map", on_select=open_county, selection_mode="single-object")
st.caption(
    t("stations.map_caption", lang, n=fmt.number(n_matching, lang), as_of=view.snapshot, scope=scope_label(view))
    + " · "
    + t("stations.legend", lang)
)
if ss["layer"] == "points" and not aggregated and n_matching > FULL_TOOLTIP_MAX:
    st.caption(t("stations.name_only", lang, n=FULL_TOOLTIP_MAX))
if aggregated and ss["layer"] == "points":
    st.info(t("stations.aggregated", lang, limit=POINT_THRESHOLD, cell=cell))
if not n_matching:
    st.warning(t("stations.empty", lang))

tab_table, tab_gaps, tab_changes = st.tabs(
    [t("stations.tab_table", lang), t("stations.tab_gaps", lang), t("stations.tab_changes", lang)]
)
with tab_table:
    station_list(view, ss, params, names)
with tab_gaps:
    service_gaps(view, ss, gaps, sites, scored, names)
with tab_changes:
    changes_tab(view, names)
