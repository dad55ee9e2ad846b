"""The stations map's layers: one small pure builder per layer (DataFrames in, pydeck layers out),
and the assembler that frames them in an offline deck. The data come from uniondash.ui.stations.map."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
import pydeck as pdk

from uniondash.analysis.stations import aggregate_changes, tooltips
from uniondash.render.labels import basemap_names, declutter, name_labels
from uniondash.render.maps import (
    Outline,
    choropleth_layer,
    feature_collection,
    grid_layer,
    offline_deck,
    sequential_colours,
    stations_layer,
    view_for,
)
from uniondash.render.palette import CLOSED, OPENED, rgb
from uniondash.text import fmt
from uniondash.text.i18n import t

TOOLTIP = {"text": "{tip}"}
OPENED_RGBA, CLOSED_RGBA = rgb(OPENED, 255), rgb(CLOSED, 255)
UNCOVERED_RGBA = rgb(CLOSED, 200)
SITE_INK = {"light": [48, 54, 60], "dark": [232, 237, 242]}  # rings and their numbers, legible on either theme
# The stations map's size at 1280×720 (the page's map column, its height): the view is fitted to it.
MAP_WIDTH_PX, MAP_HEIGHT_PX = 600, 360


def supply_layer(shapes: pd.DataFrame, values: dict[str, float], names: dict[str, str], measure: str, lang: str):
    """Counties filled by a supply measure, pickable: their tooltips name the value (a click opens one)."""
    colours = sequential_colours(values)
    label = t("stations.measure." + measure, lang)

    def shown(v: float) -> str:
        if v is None or math.isnan(v):
            return "—"
        return fmt.percent(v) if measure == "share_24h" else f"{v:,.1f}"

    props = {a: {"fill": colours[a], "tip": f"{names.get(a, a)}\n{label}: {shown(v)}"} for a, v in values.items()}
    return choropleth_layer(feature_collection(shapes, props))


def density_layer(grid: pd.DataFrame) -> pdk.Layer:
    return pdk.Layer(
        "HeatmapLayer",
        grid[["lon", "lat", "stations"]],
        id="density",
        get_position="[lon, lat]",
        get_weight="stations",
        radius_pixels=40,
        opacity=0.8,
    )


def matching_cells_layer(grid: pd.DataFrame, lang: str) -> pdk.Layer:
    """Matching stations counted per grid cell (for more points than a browser should draw)."""
    return grid_layer(grid.assign(tip=[t("stations.matching", lang) + f": {n:,}" for n in grid.stations]))


def points_layers(points: pd.DataFrame, lang: str, full_tooltips: bool) -> list[pdk.Layer]:
    return stations_layer(tooltips(points, lang, full=full_tooltips))


def changes_layer(changes: pd.DataFrame, cell_deg: float, aggregate: bool, lang: str) -> pdk.Layer:
    """Opened and closed stations since the compare snapshot, one dot each or one per grid cell."""
    if aggregate:
        changes = aggregate_changes(changes, cell_deg, lang)
    else:
        tips = [f"{t('change.' + c, lang)}: {n}\n{a}" for c, n, a in zip(changes.change, changes.name, changes.address)]
        changes = changes.assign(n=1, tip=tips)
    changes = changes.assign(color=[OPENED_RGBA if c == "opened" else CLOSED_RGBA for c in changes.change])
    return pdk.Layer(
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


def gap_layers(open_demand: pd.DataFrame, sites: pd.DataFrame, gap_km: float, theme: str = "light") -> list[pdk.Layer]:
    """Demand points farther than gap_km from any station, and the suggested new sites (ringed, numbered)."""
    demand = open_demand.assign(tip=[f"{w} · {k:.1f} km" for w, k in zip(open_demand.workers, open_demand.nearest_km)])
    layers = [
        pdk.Layer(
            "ScatterplotLayer",
            demand[["lon", "lat", "tip"]],
            id="uncovered",
            pickable=True,
            get_position="[lon, lat]",
            get_fill_color=UNCOVERED_RGBA,
            get_radius=120,
            radius_min_pixels=2,
        )
    ]
    if not len(sites):
        return layers
    sites = sites.assign(
        tip=[f"#{r} +{w:,}" for r, w in zip(sites["rank"], sites.covered_workers)], label=sites["rank"].astype(str)
    )
    layers.append(
        pdk.Layer(
            "ScatterplotLayer",
            sites[["lon", "lat", "tip"]],
            id="sites",
            pickable=True,
            get_position="[lon, lat]",
            filled=False,
            stroked=True,
            get_line_color=SITE_INK[theme],
            line_width_min_pixels=3,
            get_radius=float(gap_km) * 1000,
            radius_min_pixels=8,
        )
    )
    layers.append(
        pdk.Layer(
            "TextLayer",
            sites[["lon", "lat", "label"]],
            id="site-labels",
            get_position="[lon, lat]",
            get_text="label",
            get_size=16,
            get_color=SITE_INK[theme],
        )
    )
    return layers


@dataclass(frozen=True)
class Frame:
    """Where the map looks and what it draws beneath its layers."""

    shapes: pd.DataFrame  # county boundaries of the whole region
    in_scope: pd.DataFrame  # county boundaries the view is framed on
    lines: tuple[Outline, ...]
    theme: str
    tile_url: str
    labels: pd.DataFrame | None = None  # units whose names are drawn (name, lon, lat)
    # Names over deck.gl's layers (a deck.gl TextLayer in boxes) rather than by the basemap beneath
    # them: for the layers that would cover them (density, supply, the overlays' large dots)
    names_on_top: bool = False


def assemble(layers: list[pdk.Layer], frame: Frame) -> pdk.Deck:
    shapes = frame.in_scope if len(frame.in_scope) else frame.shapes
    view = view_for(shapes, MAP_WIDTH_PX, MAP_HEIGHT_PX)
    names = None
    if frame.labels is not None and len(frame.labels):
        if frame.names_on_top:
            layers = [*layers, name_labels(declutter(frame.labels, view), frame.theme)]
        else:
            names = basemap_names(frame.labels, frame.theme)
    return offline_deck(
        layers,
        view,
        tooltip=TOOLTIP,
        theme=frame.theme,
        tile_url=frame.tile_url,
        lines=frame.lines,
        names=names,
    )
