"""Maps of areas: the coverage choropleth and a county's stations. Pure builders: DataFrames in,
an offline pydeck deck out (cached as JSON by uniondash.ui.map_json)."""

from __future__ import annotations

import pandas as pd
import pydeck as pdk

from uniondash.analysis.stations import grid_cell_deg, grid_counts
from uniondash.data.schema import STATION_KINDS
from uniondash.render import legends
from uniondash.render.labels import basemap_names
from uniondash.render.maps import (
    DISPLAY_TOLERANCE_DEG,
    NO_DATA,
    TRANSPARENT,
    Fill,
    choropleth_layer,
    css_colour,
    display_shapes,
    feature_collection,
    grid_layer,
    offline_deck,
    outlines,
    sequential_colours,
    stations_layer,
    view_for,
)
from uniondash.text import fmt
from uniondash.text.i18n import t

COVERAGE_TOOLTIP = {"text": "{name}\n{label}"}
COUNTY_POINTS_MAX = 5_000
COUNTY_TOOLTIP = {False: {"text": "{name}\n{address}"}, True: {"text": "{tip}"}}
# The maps' size at 1280×720 (coverage: half the page, county: its map column): views are fitted to it.
COVERAGE_MAP_PX, COUNTY_MAP_PX = (370, 460), (290, 360)


def coverage_deck(
    shapes: pd.DataFrame,
    city_shapes: pd.DataFrame,
    values: dict[str, float],
    names: dict[str, str],
    counties: tuple[str, ...],
    is_percent: bool,
    lang: str,
    theme: str,
    labels: pd.DataFrame | None = None,
) -> pdk.Deck:
    """Counties in scope filled by a rate; only they are filled (and sent): the basemap's lines show
    the rest. `labels`: the units whose names are drawn (labels.labelled_units)."""
    colours = sequential_colours(values)
    props = {
        a: {"name": names.get(a, a), "label": fmt.kpi_value(values.get(a), is_percent, lang) if a in values else "—"}
        for a in counties
    }
    in_scope = shapes[shapes.adcode.isin(counties)]
    view = view_for(in_scope if len(in_scope) else shapes, *COVERAGE_MAP_PX)
    # The basemap fills the counties and writes the names; deck.gl keeps a transparent layer of the
    # same counties for their tooltips and clicks (issue 23: its fill and its name labels were the
    # map's drawing cost in a browser without a GPU).
    # Every county is in the basemap's data once: filled when in scope (transparent else) and outlined.
    scope = set(counties)
    fill = Fill(
        tuple(shapes.geojson),
        tuple(css_colour(colours.get(a, NO_DATA)) if a in scope else TRANSPARENT for a in shapes.adcode),
        outline="county",
    )
    layers = [choropleth_layer(feature_collection(pick_shapes(shapes, view), props), fill=[0, 0, 0, 0])]
    return offline_deck(
        layers,
        view,
        tooltip=COVERAGE_TOOLTIP,
        theme=theme,
        lines=(outlines(city_shapes, "city"),),
        names=basemap_names(labels, theme) if labels is not None and len(labels) else None,
        fill=fill,
    )


PICK_PX = 2  # how far the counties' pick outlines may stray from the drawn ones, at the first view


def pick_shapes(shapes: pd.DataFrame, view: pdk.ViewState, px: float = PICK_PX) -> pd.DataFrame:
    """The counties' outlines for the transparent pick layer, simplified to `px` pixels at the map's
    first view (0.023° at the whole province's): a deck.gl polygon layer is triangulated and drawn
    in software however invisible, and its cost follows its vertices (page_probe, /coverage: 0.8 CPU-s
    and 180 KB less at 0.03°). The drawn outlines are the basemap's, at full detail."""
    tolerance = px * 360 / (512 * 2**view.zoom)
    return display_shapes(shapes, tolerance) if tolerance > DISPLAY_TOLERANCE_DEG else shapes


def county_stations_deck(shape: pd.DataFrame, stations: pd.DataFrame, lang: str, theme: str) -> pdk.Deck:
    """A county's stations: name and address in each tooltip while it has few; above COUNTY_POINTS_MAX
    (a county at demo scale 100) one dot per grid cell with its count, as on the stations page."""
    if is_aggregated(stations):
        cells = grid_counts(stations, grid_cell_deg(1))
        cells["tip"] = [t("stations.matching", lang) + f": {n:,}" for n in cells.stations]
        layers = [grid_layer(cells, max_px=6)]  # a small map: cells ~1 km apart
    else:
        layers = stations_layer(stations[["name", "address", "kind", "lon", "lat"]])
    return offline_deck(
        layers,
        view_for(shape, *COUNTY_MAP_PX),
        tooltip=COUNTY_TOOLTIP[is_aggregated(stations)],
        theme=theme,
        lines=(outlines(shape, "focus"),),
    )


def is_aggregated(stations: pd.DataFrame) -> bool:
    return len(stations) > COUNTY_POINTS_MAX


def coverage_legend(values: dict[str, float], kpi_name: str, is_percent: bool, theme: str, lang: str) -> str:
    """The choropleth's legend: the rate's scale with its lowest and highest county, no data, borders."""
    note = legends.range_note(values.values(), lambda v: fmt.kpi_value(v, is_percent, lang))
    items = [legends.gradient_item(kpi_name, note), legends.no_data_item(lang), *legends.outline_items(theme, lang)]
    return legends.legend_html(items)


def county_legend(stations: pd.DataFrame, theme: str, lang: str) -> str:
    """The county map's legend: the kinds drawn, or the grid cells' sizes."""
    if is_aggregated(stations):
        items = [legends.Item("sizes", t("legend.cells", lang))]
    else:
        items = legends.kinds_items([k for k in STATION_KINDS if k in set(stations.kind)], lang)
    return legends.legend_html([*items, legends.outline_items(theme, lang)[1]])
