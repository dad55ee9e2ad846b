"""Maps of areas: the coverage choropleth and a county's stations. Pure builders: DataFrames in,
an offline pydeck deck out (cached as JSON by uniondash.ui.decks)."""

from __future__ import annotations

import pandas as pd
import pydeck as pdk

from uniondash.analysis.stations import grid_cell_deg, grid_counts
from uniondash.render.maps import (
    NO_DATA,
    choropleth_layer,
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


def coverage_deck(
    shapes: pd.DataFrame,
    city_shapes: pd.DataFrame,
    values: dict[str, float],
    names: dict[str, str],
    counties: tuple[str, ...],
    is_percent: bool,
    lang: str,
    theme: str,
) -> pdk.Deck:
    """Counties in scope filled by a rate; only they are filled (and sent): the basemap's lines show the rest."""
    colours = sequential_colours(values)
    props = {
        a: {
            "name": names.get(a, a),
            "fill": colours.get(a, NO_DATA),
            "label": fmt.kpi_value(values.get(a), is_percent, lang) if a in values else "—",
        }
        for a in counties
    }
    in_scope = shapes[shapes.adcode.isin(counties)]
    return offline_deck(
        [choropleth_layer(feature_collection(shapes, props))],
        view_for(in_scope if len(in_scope) else shapes),
        tooltip=COVERAGE_TOOLTIP,
        theme=theme,
        lines=(outlines(shapes, "county"), outlines(city_shapes, "city")),
    )


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
        view_for(shape),
        tooltip=COUNTY_TOOLTIP[is_aggregated(stations)],
        theme=theme,
        lines=(outlines(shape, "focus"),),
    )


def is_aggregated(stations: pd.DataFrame) -> bool:
    return len(stations) > COUNTY_POINTS_MAX
