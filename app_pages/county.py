"""County profile (/county?county=<adcode>): every KPI with rank, city and region beside it,
trend and target; its stations on a map; its awards; strengths and gaps in sentences."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from uniondash.analysis.profile import profile_rows, summary
from uniondash.analysis.stations import grid_cell_deg
from uniondash.metrics.kpis import load_catalogue
from uniondash.render.area_maps import COUNTY_POINTS_MAX, COUNTY_TOOLTIP, is_aggregated
from uniondash.render.maps import PrebuiltDeck
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.decks import county_map_json, county_stations
from uniondash.ui.parts import (
    PRINT_CSS,
    awards_table,
    demo_banner,
    export_buttons,
    md_escape,
    names_visible,
    region_names,
    theme,
)
from uniondash.ui.present.agenda import page_tools
from uniondash.ui.view import current_view

view = current_view()
page_tools(view, "county")  # sidebar: copy link, add this view to the deck, briefing
lang = view.lang
catalogue = load_catalogue()
regions = view.regions()
names = region_names(view)
st.html(PRINT_CSS)

counties = regions[regions.level == "county"]
if not view.scope.chosen_counties:
    st.title(t("nav.county", lang))
    demo_banner(view)
    st.info(t("profile.pick_hint", lang))
    choice = st.selectbox(
        t("profile.pick", lang),
        list(counties.adcode),
        index=None,
        format_func=lambda a: f"{names[counties.set_index('adcode').parent_adcode[a]]} · {names[a]}",
    )
    if choice:
        st.session_state["county"] = [choice]
        st.rerun()
    st.stop()

county = view.scope.chosen_counties[0]
row = counties.set_index("adcode").loc[county]
st.title(t("profile.title", lang, name=names[county]))
demo_banner(view)
st.caption(
    t(
        "profile.facts",
        lang,
        city=names.get(row.parent_adcode, ""),
        kind=row.kind,
        area=f"{row.area_km2:,.0f}",
        population=fmt.number(row.population, lang),
        employees=fmt.number(row.employees, lang),
    )
    + f" · {t('filter.snapshot', lang)} {view.snapshot}"
)

rows = profile_rows(
    view.unit_measures(),
    catalogue,
    regions,
    county,
    view.snapshot,
    view.as_ofs,
    view.query("targets", as_of=view.snapshot),
)
strengths, gaps = summary(rows, catalogue, names[county], lang)
good, bad = st.columns(2)
with good:
    st.subheader(t("profile.strengths", lang))
    st.markdown("\n".join(f"- {md_escape(s)}" for s in strengths) or t("profile.none", lang))
with bad:
    st.subheader(t("profile.gaps", lang))
    st.markdown("\n".join(f"- {md_escape(g)}" for g in gaps) or t("profile.none", lang))

st.subheader(t("profile.kpis", lang))
table = pd.DataFrame(
    [
        {
            t("col.kpi", lang): catalogue.by_code(r.code).name(lang),
            t("col.value", lang): fmt.kpi_value(r.value, catalogue.by_code(r.code).is_percent, lang),
            t("col.rank_of", lang): f"{r.rank} / {r.n}" if r.rank else "—",
            t("col.city_value", lang): fmt.kpi_value(r.city, catalogue.by_code(r.code).is_percent, lang),
            t("col.region_value", lang): fmt.kpi_value(r.region, catalogue.by_code(r.code).is_percent, lang),
            t("col.trend", lang): [v for v in r.trend if not math.isnan(v)],
            t("col.target", lang): fmt.kpi_value(r.target, catalogue.by_code(r.code).is_percent, lang)
            if r.target
            else "—",
        }
        for r in rows
    ]
)
st.dataframe(table, hide_index=True, column_config={t("col.trend", lang): st.column_config.LineChartColumn()})
export_buttons(table.drop(columns=[t("col.trend", lang)]), f"county-{county}-{view.snapshot}", lang, "kpis")

map_col, results_col = st.columns([2, 3], gap="large")
with map_col:
    st.subheader(t("profile.stations", lang))
    stations = county_stations(view, county)
    aggregated = is_aggregated(stations)
    spec = county_map_json(view, county, theme())
    st.pydeck_chart(PrebuiltDeck(spec, COUNTY_TOOLTIP[aggregated]), height=360)
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
        st.dataframe(shown, hide_index=True, height=320)
        export_buttons(shown, f"county-{county}-awards-{view.snapshot}", lang, "awards")
st.caption(t("profile.print", lang))
