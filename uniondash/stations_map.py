"""The stations map, built once per view and options and kept as its deck JSON.

Building the map costs the server more than anything else on the page: 8,300 points turned
into records, their tooltips, county polygons, and ~1 MB of JSON (py-spy: about half of a warm
page load's script time). The same view and options give the same map, so the finished JSON is
cached (st.cache_data) and the page hands it to st.pydeck_chart as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pydeck as pdk
import streamlit as st

from uniondash import fmt
from uniondash.app import View, station_index_cached, view_key
from uniondash.gaps import best_new_sites, uncovered, uncovered_by_county
from uniondash.i18n import t
from uniondash.maps import (
    choropleth_layer,
    convert_points,
    convert_shapes,
    feature_collection,
    grid_layer,
    needs_conversion,
    offline_deck,
    outlines,
    sequential_colours,
    stations_layer,
    view_for,
)
from uniondash.stations import (
    FULL_TOOLTIP_MAX,
    POINT_THRESHOLD,
    aggregate_changes,
    grid_cell_deg,
    supply_values,
    tooltips,
)

DATA_CRS = "GCJ-02"
TOOLTIP = {"text": "{tip}"}


@dataclass(frozen=True)
class MapOptions:
    """The map's own controls (all in the URL): layer, supply measure, overlays, gap settings."""

    layer: str
    measure: str
    changes: bool
    gaps: bool
    gap_km: float
    sites: int

    @classmethod
    def from_state(cls, ss) -> MapOptions:
        return cls(
            ss["layer"], ss["measure"], bool(ss["changes"]), bool(ss["gaps"]), float(ss["gap_km"]), int(ss["sites"])
        )


@dataclass
class StationsMap:
    deck_json: str
    aggregated: bool  # points replaced by server-side grid cells
    cell: float  # grid cell size in degrees
    full_tooltips: bool
    gaps: pd.DataFrame | None = None  # uncovered demand by county
    sites: pd.DataFrame | None = None  # suggested new sites
    scored: pd.DataFrame | None = None  # demand points with their nearest station


def stations_map(view: View, opts: MapOptions, params: dict, theme: str) -> StationsMap:
    return _stations_map(view, view_key(view), opts, tuple(sorted(params.items())), theme)


@st.cache_data(show_spinner=False, max_entries=32)
def _stations_map(_view: View, _key: tuple, opts: MapOptions, params_items: tuple, theme: str) -> StationsMap:
    return build(_view, opts, dict(params_items), theme)


def build(view: View, opts: MapOptions, params: dict, theme: str) -> StationsMap:
    lang = view.lang
    settings = view.settings
    data_crs = DATA_CRS
    convert = needs_conversion(data_crs, settings.tile_url, settings.tile_crs)
    regions = view.regions()
    names = dict(zip(regions.adcode, regions.name))
    n_matching = int(view.query("stations_count", **params).stations.iloc[0])
    supply = view.query("stations_supply_by_county", **params)
    full_tips = True
    shapes = view.shapes("county")
    city_shapes = view.shapes("city")
    if convert:
        shapes, city_shapes = (convert_shapes(s, data_crs, settings.tile_crs) for s in (shapes, city_shapes))
    in_scope = shapes[shapes.adcode.isin(view.scope.counties)]
    layers = []
    if opts.layer == "supply":
        values = supply_values(supply, opts.measure).to_dict()
        colours = sequential_colours(values)
        is_share = opts.measure == "share_24h"
        props = {
            a: {
                "fill": colours[a],
                "tip": f"{names.get(a, a)}\n{t('stations.measure.' + opts.measure, lang)}: "
                + (fmt.percent(v) if is_share else f"{v:,.1f}" if v == v else "—"),
            }
            for a, v in values.items()
        }
        # counties filled by the measure, pickable: their tooltips name the value (click opens one)
        layers.append(choropleth_layer(feature_collection(shapes, props)))
    lines = (outlines(shapes, "county"), outlines(city_shapes, "city"))

    aggregated = n_matching > POINT_THRESHOLD
    cell = grid_cell_deg(len(view.scope.counties))
    if opts.layer == "density" or (opts.layer == "points" and aggregated):
        grid = view.query("stations_grid", cell_deg=cell, **params)
        if convert:
            grid = convert_points(grid, data_crs, settings.tile_crs)
        if opts.layer == "density":
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
            layers.append(grid_layer(grid))
    elif opts.layer == "points" and n_matching:
        points = view.query("stations_points", **params)
        if convert:
            points = convert_points(points, data_crs, settings.tile_crs)
        full_tips = len(points) <= FULL_TOOLTIP_MAX
        layers.extend(stations_layer(tooltips(points, lang, full=full_tips)))

    if opts.changes and view.compare:
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
                    f"{t('change.' + c, lang)}: {n}\n{a}"
                    for c, n, a in zip(changes.change, changes.name, changes.address)
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
    if opts.gaps:
        index = station_index_cached(view.snapshots_dir, view.fingerprint, params)
        demand = view.query("demand_points", as_of=view.snapshot, counties=view.scope.counties)
        scored = uncovered(demand, index, float(opts.gap_km))
        gaps = uncovered_by_county(scored)
        sites = best_new_sites(scored, float(opts.gap_km), int(opts.sites), index.lat0)
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
                tip=[f"#{r} +{w:,}" for r, w in zip(sites["rank"], sites.covered_workers)],
                label=sites["rank"].astype(str),
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
                    get_radius=float(opts.gap_km) * 1000,
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

    deck = offline_deck(
        layers,
        view_for(in_scope if len(in_scope) else shapes, width_px=720),
        tooltip=TOOLTIP,
        theme=theme,
        tile_url=settings.tile_url,
        lines=lines,
    )
    return StationsMap(deck.to_json(), aggregated, cell, full_tips, gaps, sites, scored)
