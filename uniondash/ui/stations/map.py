"""The stations map: its data for a view (queries, coordinate conversion, the gap analysis), drawn
by the pure layer builders of uniondash.render.station_layers and kept as its deck JSON.

Building the map costs the server more than anything else on the page: 8,300 points turned
into records, their tooltips, county polygons, and ~1 MB of JSON (py-spy: about half of a warm
page load's script time). The same view and options give the same map, so the finished JSON is
cached (st.cache_resource, keyed by the view, the options, the filters and the theme: everything it
reads) and the page hands it to st.pydeck_chart as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from uniondash.analysis.gaps import best_new_sites, nearest_stations, uncovered, uncovered_by_county
from uniondash.analysis.stations import (
    FULL_TOOLTIP_MAX,
    POINT_THRESHOLD,
    grid_cell_deg,
    open_anywhere,
    supply_values,
)
from uniondash.data.schema import STATION_KINDS
from uniondash.render import legends
from uniondash.render import station_layers as sl
from uniondash.render.labels import labelled_units
from uniondash.render.maps import convert_points, convert_shapes, needs_conversion, outlines
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.reads import station_index_cached
from uniondash.ui.view import VIEW_HASH, View

DATA_CRS = "GCJ-02"
TOOLTIP = sl.TOOLTIP


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


@dataclass(frozen=True)
class StationsMap:
    deck_json: str
    aggregated: bool  # points replaced by server-side grid cells
    cell: float  # grid cell size in degrees
    full_tooltips: bool
    legend: str = ""  # HTML: what each colour and size means (uniondash.render.legends)
    gaps: pd.DataFrame | None = None  # uncovered demand by county
    sites: pd.DataFrame | None = None  # suggested new sites, each with its nearest station
    scored: pd.DataFrame | None = None  # demand points with their nearest station


@dataclass(frozen=True)
class Gaps:
    scored: pd.DataFrame  # demand points with their nearest station
    by_county: pd.DataFrame
    sites: pd.DataFrame


def stations_map(view: View, opts: MapOptions, params: dict, theme: str) -> StationsMap:
    return _stations_map(view, opts, tuple(sorted(params.items())), theme)


# A resource, not data: every session gets the same object, not its own unpickled copy of ~1.5 MB
# of JSON (each of 20 sessions held one: tracemalloc under the load test). Nothing changes it.
@st.cache_resource(show_spinner=False, max_entries=32, hash_funcs=VIEW_HASH)
def _stations_map(view: View, opts: MapOptions, params_items: tuple, theme: str) -> StationsMap:
    return build(view, opts, dict(params_items), theme)


def gap_analysis(view: View, params: dict, gap_km: float, n_sites: int) -> Gaps:
    index = station_index_cached(view.snapshots_dir, view.fingerprint, params)
    demand = view.query("demand_points", as_of=view.snapshot, counties=view.scope.counties)
    scored = uncovered(demand, index, gap_km)
    sites = best_new_sites(scored, gap_km, n_sites, index.lat0)
    return Gaps(scored, uncovered_by_county(scored), name_sites(view, params, sites, index))


def name_sites(view: View, params: dict, sites: pd.DataFrame, index) -> pd.DataFrame:
    """The suggested sites named by their nearest open station (the coverage's stations: passing
    the filters, in any county the session reads): its name, address and distance.

    Only the sites' own counties are read first (a few hundred rows, not the region's every
    station); a site whose nearest station lies across a county border (farther than the index's
    nearest) is named from every county the session reads."""
    if sites.empty:
        return nearest_stations(sites, sites.iloc[0:0], index.lat0)
    nearest = index.nearest_km(sites.lon.to_numpy(dtype=float), sites.lat.to_numpy(dtype=float))

    def candidates(counties) -> pd.DataFrame:
        return view.query("stations_points", filters=open_anywhere(params, tuple(sorted(counties))))

    named = nearest_stations(sites, candidates(set(sites.adcode)), index.lat0)
    if (named.near_km.to_numpy() > nearest + 0.01).any():  # 10 m: points are rounded to 1e-5 degrees
        regions = view.regions()
        named = nearest_stations(sites, candidates(regions.loc[regions.level == "county", "adcode"]), index.lat0)
    return named


def build(view: View, opts: MapOptions, params: dict, theme: str) -> StationsMap:
    """Query what the options ask for, convert it to the tiles' coordinates if needed, assemble the deck."""
    settings, lang = view.settings, view.lang
    convert = needs_conversion(DATA_CRS, settings.tile_url, settings.tile_crs)

    def to_tiles(df: pd.DataFrame) -> pd.DataFrame:
        return convert_points(df, DATA_CRS, settings.tile_crs) if convert and len(df) else df

    shapes, city_shapes = view.shapes("county"), view.shapes("city")
    if convert:
        shapes, city_shapes = (convert_shapes(s, DATA_CRS, settings.tile_crs) for s in (shapes, city_shapes))
    n_matching = int(view.query("stations_count", filters=params).stations.iloc[0])
    aggregated = n_matching > POINT_THRESHOLD
    cell = grid_cell_deg(len(view.scope.counties))
    full_tips = True
    layers, supply = [], None
    if opts.layer == "supply":
        values = supply_values(view.query("stations_supply_by_county", filters=params), opts.measure).to_dict()
        names = dict(zip(view.regions().adcode, view.regions().name))
        layers.append(sl.supply_layer(shapes, values, names, opts.measure, lang))
        shown = fmt.percent if opts.measure == "share_24h" else (lambda v: f"{v:,.1f}")
        supply = (t("stations.measure." + opts.measure, lang), legends.range_note(values.values(), shown))
    if opts.layer == "density" or (opts.layer == "points" and aggregated):
        grid = to_tiles(view.query("stations_grid", cell_deg=cell, filters=params))
        layers.append(sl.density_layer(grid) if opts.layer == "density" else sl.matching_cells_layer(grid, lang))
    elif opts.layer == "points" and n_matching:
        points = to_tiles(view.query("stations_points", filters=params))
        full_tips = len(points) <= FULL_TOOLTIP_MAX
        layers.extend(sl.points_layers(points, lang, full_tips))
    aggregated_changes = False
    if opts.changes and view.compare:
        changes = view.query(
            "station_changes_points", as_of=view.snapshot, compare=view.compare, counties=view.scope.counties
        )
        aggregated_changes = len(changes) > POINT_THRESHOLD // 4  # many changes: one dot per cell and type
        layers.append(sl.changes_layer(to_tiles(changes), cell, aggregated_changes, lang))
    gaps = gap_analysis(view, params, float(opts.gap_km), int(opts.sites)) if opts.gaps else None
    if gaps is not None:
        open_demand = gaps.scored[~gaps.scored.covered]
        layers.extend(sl.gap_layers(to_tiles(open_demand), to_tiles(gaps.sites), float(opts.gap_km), theme))
    labels = labelled_units(view.regions(), view.scope.counties)
    frame = sl.Frame(
        shapes,
        shapes[shapes.adcode.isin(view.scope.counties)],
        (outlines(shapes, "county", under=city_shapes), outlines(city_shapes, "city")),
        theme,
        settings.tile_url,
        to_tiles(labels) if len(labels) else labels,
        # deck.gl writes the names over the stations, in boxes. Written by the basemap beneath them
        # they cost the browser ~0.5–1.0 s less CPU (issue 23, page_probe), but the dots, dense
        # where the names sit (a district's centre), covered them: Wuhan's names could not be read.
        names_on_top=True,
    )
    deck = sl.assemble(layers, frame)
    kinds = [k for k in STATION_KINDS if not params["kinds"] or k in params["kinds"]]
    legend = legends.legend_html(
        [
            *legends.stations_items(opts.layer, kinds, aggregated, supply, lang),
            *legends.overlay_items(
                opts.changes and bool(view.compare), opts.gaps, opts.gap_km, aggregated_changes, lang
            ),
            *legends.outline_items(theme, lang),
        ]
    )
    if gaps is None:
        return StationsMap(deck.to_json(), aggregated, cell, full_tips, legend)
    return StationsMap(deck.to_json(), aggregated, cell, full_tips, legend, gaps.by_county, gaps.sites, gaps.scored)
