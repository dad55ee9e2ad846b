"""County profile (/county?county=<adcode>): every KPI with rank, city and region beside it,
trend and target; its stations on a map; its awards; strengths and gaps in sentences."""

from __future__ import annotations

import math

import streamlit as st

from uniondash.analysis.profile import (
    by_change,
    change_header,
    profile_export,
    profile_table,
    summary,
)
from uniondash.analysis.stations import grid_cell_deg
from uniondash.metrics.kpis import load_catalogue
from uniondash.render.area_maps import COUNTY_POINTS_MAX, COUNTY_TOOLTIP, is_aggregated
from uniondash.render.charts import change_cell_css
from uniondash.render.maps import PrebuiltDeck
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.computed import county_profile
from uniondash.ui.map_json import county_map_json, county_map_legend, county_stations
from uniondash.ui.parts import (
    PRINT_CSS,
    awards_table,
    data_table,
    demo_banner,
    export_buttons,
    export_sheet,
    known_name,
    md_escape,
    names_visible,
    region_names,
    theme,
    url_notice,
)
from uniondash.ui.present.agenda import page_tools
from uniondash.ui.reads import get_warehouse
from uniondash.ui.rounds_mark import carried_note
from uniondash.ui.urlstate import Param, seed_page, write_page
from uniondash.ui.view import current_view

view = current_view()
page_tools(view, "county")  # sidebar: copy link, add this view to the deck, briefing
lang = view.lang
SORTS = ("catalogue", "change")
PARAMS = [Param("sort", "str", SORTS[0], SORTS, state_key="profile_order")]
seed_page(st.session_state, st.query_params, PARAMS, "county")
catalogue = load_catalogue()
regions = view.regions()
names = region_names(view)
st.html(PRINT_CSS)
url_notice(st.session_state, lang)  # the link's values that could not be honoured

counties = regions[regions.level == "county"]
if not view.scope.chosen_counties:
    st.title(t("nav.county", lang))
    demo_banner(view)
    st.info(t("profile.pick_hint", lang))
    parents = dict(zip(counties.adcode, counties.parent_adcode))  # not a frame re-indexed per option
    choice = st.selectbox(
        t("profile.pick", lang),
        list(counties.adcode),
        index=None,
        placeholder=t("profile.pick", lang),
        format_func=lambda a: f"{names[parents[a]]} · {names[a]}",
    )
    if choice:
        st.session_state["county"] = [choice]
        st.rerun()
    st.stop()

county = view.scope.chosen_counties[0]
row = counties.set_index("adcode").loc[county]
st.title(t("profile.title", lang, name=names[county]))
demo_banner(view)
carried = carried_note(get_warehouse(view.snapshots_dir, view.fingerprint).snapshot(view.snapshot), county, lang)
if carried:  # a round published this snapshot and carried this county's rows: its figures are older
    st.badge(carried, icon=":material/history:", color="gray", help=t("rounds.carried_help", lang))
st.caption(
    t(
        "profile.facts",
        lang,
        city=names.get(row.parent_adcode, ""),
        kind=known_name("unitkind", row.kind, lang),
        area=f"{row.area_km2:,.0f}",
        population=fmt.number(row.population, lang),
        employees=fmt.number(row.employees, lang),
    )
    + f" · {t('filter.snapshot', lang)} {view.snapshot}"
)

rows = county_profile(view, county)  # once per view (a planner's: scoped_profile_rows), then from the cache
strengths, gaps = summary(rows, catalogue, names[county], lang)
good, bad = st.columns(2)
with good:
    st.subheader(t("profile.strengths", lang))
    st.markdown("\n".join(f"- {md_escape(s)}" for s in strengths) or t("profile.none", lang))
with bad:
    st.subheader(t("profile.gaps", lang))
    st.markdown("\n".join(f"- {md_escape(g)}" for g in gaps) or t("profile.none", lang))

st.subheader(t("profile.kpis", lang))
st.segmented_control(
    t("rankings.sort", lang),
    SORTS,
    key="profile_order",
    required=True,
    format_func=lambda o: t(f"rankings.sort.{o}", lang),
)
write_page(st.query_params, st.session_state, PARAMS)
if st.session_state["profile_order"] == "change":
    rows = by_change(rows, catalogue)
table = profile_table(rows, catalogue, lang, view.compare)
trend_col, change_col = t("col.trend", lang), change_header(view.compare, lang)
css = [
    change_cell_css([r.result.change], catalogue.by_code(r.code).direction, catalogue.by_code(r.code).is_percent)[0]
    for r in rows
]
with st.container(key="screen_only"):
    st.dataframe(
        table.assign(**{trend_col: [[v for v in r.trend if not math.isnan(v)] for r in rows]}).style.apply(
            lambda _: css, subset=[change_col], axis=0
        ),
        hide_index=True,
        placeholder="—",
        column_config={
            t("col.kpi", lang): st.column_config.TextColumn(pinned=True),
            trend_col: st.column_config.LineChartColumn(),
        },
    )
with st.container(key="print_only"):  # a grid prints only its visible rows: print every indicator
    st.html(table.to_html(index=False, na_rep="—", border=0))  # one escaped table, not ~250 cells
sheet = export_sheet(
    view, t("profile.title", lang, name=names[county]), *profile_export(rows, catalogue, lang, view.compare)
)
export_buttons(sheet, f"county-{county}-{view.snapshot}", lang, "kpis")

map_col, results_col = st.columns([2, 3], gap="large")
with map_col:
    st.subheader(t("profile.stations", lang))
    stations = county_stations(view, county)
    aggregated = is_aggregated(stations)
    spec = county_map_json(view, county, theme())
    st.pydeck_chart(PrebuiltDeck(spec, COUNTY_TOOLTIP[aggregated]), height=360)
    st.html(county_map_legend(view, county, theme()))
    if aggregated:
        st.caption(t("stations.aggregated", lang, limit=COUNTY_POINTS_MAX, cell=grid_cell_deg(1)))
    st.caption(t("profile.map_caption", lang, n=len(stations), as_of=view.snapshot))
with results_col:
    st.subheader(t("profile.results", lang))
    results = view.query("county_results", as_of=view.snapshot, adcode=county)
    if results.empty:
        st.info(t("profile.no_results", lang))
    else:
        if not names_visible():
            st.caption(t("comp.names_hidden", lang))
        shown = awards_table(results, lang)
        data_table(shown, lang, height=320)
        title = t("profile.results", lang) + " · " + names[county]
        sheet = export_sheet(view, title, shown, {t("col.year", lang): "int", t("col.benefit", lang): "decimal1"})
        export_buttons(sheet, f"county-{county}-awards-{view.snapshot}", lang, "awards")
st.caption(t("profile.print", lang))
