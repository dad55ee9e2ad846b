"""What the pages show, computed once per view and cached: the KPI cards' results and the Plotly
figures. Under the load test (py-spy, GIL samples) building the coverage page's small multiples
was three quarters of the server's CPU and the overview's per-KPI targets a quarter of its page;
a rerun that changes nothing they depend on now reads them from here.

Figures are kept with st.cache_resource, not st.cache_data: a Plotly figure pickles through its
validators (dearer than building it). They are shared by every session, so nothing may change a
figure it gets from here; st.plotly_chart only reads it (to_dict).
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from uniondash.analysis.coverage import nef_breakdown, trend_by_group
from uniondash.analysis.overview import KpiResult, county_values, kpi_result, ranking_table, scope_target
from uniondash.metrics.kpis import load_catalogue
from uniondash.render.charts import grouped_bars, ranking_bar, trend_lines
from uniondash.render.palette import unit_styles
from uniondash.text.i18n import t
from uniondash.ui.parts import kpi_label
from uniondash.ui.view import VIEW_HASH, View


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=VIEW_HASH)
def kpi_results(view: View) -> dict[str, KpiResult]:
    """Every catalogue KPI's card for the view's scope, snapshot and comparison."""
    trends = view.kpis().pivot(index="code", columns="as_of", values="value")
    targets = view.query("targets", as_of=view.snapshot)
    region_only = view.region_only()
    out = {}
    for k in load_catalogue().kpis:
        target = scope_target(k, targets, view.scope)
        out[k.code] = kpi_result(k, trends.loc[k.code], view.snapshot, view.compare, target, k.code in region_only)
    return out


@st.cache_resource(show_spinner=False, max_entries=128, hash_funcs=VIEW_HASH)
def coverage_trend(view: View, code: str) -> go.Figure:
    """The rate over the snapshots by city (the whole region) or by county: lines, or small
    multiples beyond a few groups."""
    kpi = load_catalogue().by_code(code)
    regions = view.regions()
    names = view.names()
    counties = regions[regions.level == "county"]
    parents = dict(zip(counties.adcode, counties.parent_adcode))
    by_city = view.scope.is_region
    groups = {a: parents[a] for a in view.scope.counties} if by_city else {a: a for a in view.scope.counties}
    wides = {a: view.unit_wide(a) for a in view.as_ofs}
    trend = trend_by_group(wides, kpi, groups).assign(key=lambda d: d.group, name=lambda d: d.group.map(names))
    lang = view.lang
    by = t("coverage.by_city" if by_city else "coverage.by_county", lang)
    level = regions[regions.level == ("city" if by_city else "county")]
    title = t("coverage.trend_title", lang, kpi=kpi.name(lang), by=by)
    styles = unit_styles(zip(level.adcode, level.parent_adcode))
    return trend_lines(trend, title, kpi_label(kpi, lang), kpi.is_percent, styles, lang)


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=VIEW_HASH)
def nef_bars(view: View) -> go.Figure:
    """Workers and members of the new-employment-form groups in the scope, as grouped bars."""
    lang = view.lang
    nef = nef_breakdown(view.unit_wide(view.snapshot), view.scope.counties)
    nef = nef[nef.group != "all"].assign(label=lambda d: [t(f"group.{g}", lang) for g in d.group])
    series = {"workers": t("col.workers", lang), "members": t("col.members", lang)}
    return grouped_bars(nef, t("coverage.nef_title", lang), t("col.workers", lang), series)


@st.cache_resource(show_spinner=False, max_entries=256, hash_funcs=VIEW_HASH)
def ranking(view: View, code: str) -> tuple:
    """Counties in scope ranked by a KPI: (table, bar chart), or (None, None) with fewer than two."""
    kpi = load_catalogue().by_code(code)
    values = county_values(view.unit_wide(view.snapshot), kpi, view.scope.counties).dropna()
    if len(values) < 2:
        return None, None
    table = ranking_table(values, kpi.direction, view.names())
    title = t("ranking.chart_title", view.lang, kpi=kpi.name(view.lang))
    return table, ranking_bar(table, title, kpi_label(kpi, view.lang), kpi.is_percent)
