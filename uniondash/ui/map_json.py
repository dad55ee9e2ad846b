"""Maps built once per view: each cached function takes everything its deck depends on (the view,
the page's own choice, the theme) as its arguments, gathers the data and calls a pure builder.
The finished JSON (an immutable str) is a cached resource: every session shares one copy, where
st.cache_data gave each its own unpickled megabyte (tracemalloc under the load test)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from uniondash.analysis.overview import county_values
from uniondash.metrics.kpis import load_catalogue
from uniondash.render.area_maps import county_legend, county_stations_deck, coverage_deck, coverage_legend
from uniondash.render.labels import labelled_units
from uniondash.ui.view import VIEW_HASH, View


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=VIEW_HASH)
def coverage_map_json(view: View, code: str, theme: str) -> str:
    kpi = load_catalogue().by_code(code)
    values = county_values(view.unit_wide(view.snapshot), kpi, view.scope.counties).to_dict()
    regions = view.regions()
    deck = coverage_deck(
        view.shapes("county"),
        view.shapes("city"),
        values,
        dict(zip(regions.adcode, regions.name)),
        view.scope.counties,
        kpi.is_percent,
        view.lang,
        theme,
        labelled_units(regions, view.scope.counties),
    )
    return deck.to_json()


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=VIEW_HASH)
def coverage_map_legend(view: View, code: str, theme: str) -> str:
    """The coverage map's legend (HTML) for the view, the KPI and the theme: cached as the map is
    (it read the county values again on every rerun, ~4 % of /coverage's script time under py-spy)."""
    kpi = load_catalogue().by_code(code)
    values = county_values(view.unit_wide(view.snapshot), kpi, view.scope.counties).to_dict()
    return coverage_legend(values, kpi.name(view.lang), kpi.is_percent, theme, view.lang)


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=VIEW_HASH)
def county_map_legend(view: View, county: str, theme: str) -> str:
    """The county map's legend (HTML), cached as its map is: it queried the county's stations anew
    on every rerun."""
    return county_legend(county_stations(view, county), theme, view.lang)


def county_stations(view: View, county: str) -> pd.DataFrame:
    """The county's stations that are not closed."""
    stations = view.query("county_stations", as_of=view.snapshot, adcode=county)
    return stations[stations.status != "closed"]


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=VIEW_HASH)
def county_map_json(view: View, county: str, theme: str) -> str:
    shape = view.query("region_shapes", as_of=view.snapshot, level="county")
    deck = county_stations_deck(shape[shape.adcode == county], county_stations(view, county), view.lang, theme)
    return deck.to_json()
