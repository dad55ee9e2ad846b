"""Stations (/stations): every station in scope on an offline map, coloured by kind, with
density and county-supply layers, changes since the compare snapshot, service gaps with
suggested new sites (opening their tab shows them), and a searchable, exportable table whose
search the figures above say they leave out. Every control is in the URL."""

from __future__ import annotations

import streamlit as st

from uniondash.analysis.stations import (
    FULL_TOOLTIP_MAX,
    LAYERS,
    POINT_THRESHOLD,
    SUPPLY_MEASURES,
    scope_supply,
)
from uniondash.data.schema import FACILITIES, HOST_TYPES, STATION_KINDS, STATION_STATUSES
from uniondash.render.maps import PrebuiltDeck
from uniondash.render.station_layers import MAP_HEIGHT_PX
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.navigation import narrow_to_county
from uniondash.ui.parts import demo_banner, region_names, scope_caption, scope_label, theme, url_notice
from uniondash.ui.phone import filter_summary
from uniondash.ui.present.agenda import page_tools
from uniondash.ui.stations.filters import PARAMS, filter_params
from uniondash.ui.stations.map import TOOLTIP, MapOptions, gap_analysis, stations_map
from uniondash.ui.stations.tabs import changes as changes_tab
from uniondash.ui.stations.tabs import search_note, service_gaps, station_list
from uniondash.ui.urlstate import seed_page, write_page
from uniondash.ui.view import current_view

view = current_view()
page_tools(view, "stations")  # sidebar: copy link, add this view to the deck, briefing
lang = view.lang
ss = st.session_state
seed_page(ss, st.query_params, PARAMS, "stations")
url_notice(ss, lang)
names = region_names(view)

st.title(t("stations.title", lang))
demo_banner(view)
st.caption(scope_caption(view))

# Folded so that the map is on the first screen at 1280×720 (and on a phone); the label says what
# is filtered.
with st.expander(filter_summary(ss, lang), expanded=False, icon=":material/filter_alt:", key="stations_filters"):
    # Each list filter: its label is stations.<key>, its options' names <key>.<option>.
    lists = {"kind": STATION_KINDS, "status": STATION_STATUSES, "host": HOST_TYPES, "facility": FACILITIES}
    for col, (key, options) in zip(st.columns(4), lists.items()):
        col.multiselect(
            t(f"stations.{key}", lang),
            options,
            key=key,
            format_func=lambda v, key=key: t(f"{key}.{v}", lang),
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

TAB_LABELS = {k: t(f"stations.tab_{k}", lang) for k in ("table", "gaps", "changes")}
# The gap tab is the gaps' switch: open, the map shows the uncovered demand and the suggested sites
# and the tab their tables (gaps=1 in the URL opens it); another tab turns them off.
if ss.get("stations_tab") in TAB_LABELS.values():
    ss["gaps"] = ss["stations_tab"] == TAB_LABELS["gaps"]


def open_tab(name: str) -> None:
    """Turning on an overlay opens the tab that explains it."""
    if ss[name]:
        ss["stations_tab"] = TAB_LABELS[name]


def open_county() -> None:
    objs = (ss["stations_map"].selection.get("objects") or {}).get("choropleth") or []
    if objs:
        narrow_to_county(ss, objs[0]["properties"]["adcode"])


# The map beside its controls and figures: both on the first screen at 1280×720.
map_col, side = st.columns([3, 1], gap="medium")
with side:
    st.radio(t("stations.layer", lang), LAYERS, key="layer", format_func=lambda x: t(f"stations.layer.{x}", lang))
    if ss["layer"] == "supply":
        st.selectbox(
            t("stations.measure", lang),
            SUPPLY_MEASURES,
            key="measure",
            format_func=lambda m: t(f"stations.measure.{m}", lang),
        )
    st.toggle(
        t("stations.changes", lang), key="changes", disabled=not view.compare, on_change=open_tab, args=("changes",)
    )
    write_page(st.query_params, ss, PARAMS)

params = filter_params(ss, view.scope.counties, view.snapshot)
n_matching = int(view.query("stations_count", filters=params).stations.iloc[0])
supply = view.query("stations_supply_by_county", filters=params)
smap = stations_map(view, MapOptions.from_state(ss), params, theme())
with map_col:
    st.pydeck_chart(
        PrebuiltDeck(smap.deck_json, TOOLTIP),
        height=MAP_HEIGHT_PX,
        key="stations_map",
        on_select=open_county,
        selection_mode="single-object",
    )
side.html(smap.legend)  # under the map's controls: on the first screen beside the map
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("stations.matching", lang), fmt.number(n_matching, lang))
m2.metric(t("stations.open", lang), fmt.number(int(supply.stations_open.sum()), lang))
m3.metric(t("stations.measure.share_24h", lang), fmt.percent(scope_supply(supply, "share_24h")))
m4.metric(
    t("stations.measure.per_10k_workers", lang),
    fmt.decimal(scope_supply(supply, "per_10k_workers")),
    help=t("stations.measure_help.per_10k_workers", lang),
)
st.caption(
    t("stations.map_caption", lang, n=fmt.number(n_matching, lang), as_of=view.snapshot, scope=scope_label(view))
)
no_search = search_note(ss.get("q") or "", lang)  # the search narrows the list below only: said here
if no_search:
    st.caption(no_search)
if ss["layer"] == "points" and not smap.aggregated and not smap.full_tooltips:
    st.caption(t("stations.name_only", lang, n=FULL_TOOLTIP_MAX))
if smap.aggregated and ss["layer"] == "points":
    st.info(t("stations.aggregated", lang, limit=POINT_THRESHOLD, cell=smap.cell))
if not n_matching:
    st.warning(t("stations.empty", lang))

# Only the open tab is built and sent (the other two cost a query, a table and exports each).
# A link with an overlay on opens at its tab.
tab_table, tab_gaps, tab_changes = st.tabs(
    list(TAB_LABELS.values()),
    default=TAB_LABELS["gaps"] if ss["gaps"] else TAB_LABELS["changes"] if ss["changes"] else None,
    key="stations_tab",
    on_change="rerun",
)
if tab_table.open:
    with tab_table:
        station_list(view, ss, params, names)
if tab_gaps.open:
    with tab_gaps:
        if smap.gaps is None:  # opened by a way that did not turn the gaps on first: work them out now
            found = gap_analysis(view, params, float(ss["gap_km"]), int(ss["sites"]))
            service_gaps(view, ss, found.by_county, found.sites, found.scored, names)
        else:
            service_gaps(view, ss, smap.gaps, smap.sites, smap.scored, names)
if tab_changes.open:
    with tab_changes:
        changes_tab(view, names)
