"""What the pages show, computed once per view and cached: the KPI cards' results and the Plotly
figures. Under the load test (py-spy, GIL samples) building the coverage page's small multiples
was three quarters of the server's CPU and the overview's per-KPI targets a quarter of its page;
a rerun that changes nothing they depend on now reads them from here.

Figures are kept with st.cache_resource, not st.cache_data: a Plotly figure pickles through its
validators (dearer than building it). They are shared by every session, so nothing may change a
figure it gets from here; st.plotly_chart only reads it (to_dict).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from uniondash.analysis.coverage import gap_table, nef_breakdown, trend_by_group
from uniondash.analysis.overview import (
    Changes,
    KpiResult,
    county_changes,
    county_targets,
    county_values,
    kpi_result,
    ranking_table,
    scope_target,
    what_changed,
)
from uniondash.analysis.profile import ProfileRow, profile_rows, scoped_profile_rows
from uniondash.data.schema import COMPETITION_SERIES
from uniondash.metrics.kpis import load_catalogue
from uniondash.render.charts import change_bar, gap_bar, grouped_bars, ranking_bar, trend_lines
from uniondash.render.palette import SERIES_COLOURS, series_styles, unit_styles
from uniondash.text import fmt
from uniondash.text.i18n import strings, t
from uniondash.ui.parts import kpi_label
from uniondash.ui.share import chart_config
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


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=VIEW_HASH)
def coverage_rows(view: View, code: str) -> pd.DataFrame:
    """The coverage page's county table for a rate: analysis.coverage.gap_table of the counties in
    scope against each county's own target (county_targets), with the change against the compare
    snapshot, in gap_table's order (by rank)."""
    kpi = load_catalogue().by_code(code)
    goals = county_targets(
        kpi, view.query("targets", as_of=view.snapshot), view.scope.counties, view.scope.region_adcode
    )
    regions = view.regions()
    counties = regions[regions.level == "county"]
    parents = dict(zip(counties.adcode, counties.parent_adcode))
    before = view.unit_wide(view.compare) if view.compare else None
    return gap_table(
        view.unit_wide(view.snapshot),
        kpi,
        view.scope.counties,
        {a: g.value for a, g in goals.items()},
        view.names(),
        parents,
        before,
    )


@st.cache_data(show_spinner=False, max_entries=64, hash_funcs=VIEW_HASH)
def nef_rows(view: View) -> pd.DataFrame:
    """Workers, members and rate of each new-employment-form group in the scope (nef_breakdown),
    each group's name in the view's language as `label`."""
    nef = nef_breakdown(view.unit_wide(view.snapshot), view.scope.counties)
    nef["label"] = [t(f"group.{g}", view.lang) for g in nef.group]
    return nef


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=VIEW_HASH)
def changes_since(view: View) -> Changes:
    """The overview's what changed since the compare snapshot (the view must have one): stations
    opened and closed, honours, and the founding and membership rates' moves by county."""
    catalogue = load_catalogue()
    rate_kpis = [catalogue.by_code(c) for c in ("union_founding_rate", "membership_rate")]
    wide_now, wide_before = view.unit_wide(view.snapshot), view.unit_wide(view.compare)
    now = {k.code: county_values(wide_now, k, view.scope.counties) for k in rate_kpis}
    before = {k.code: county_values(wide_before, k, view.scope.counties) for k in rate_kpis}
    return what_changed(
        view.query("station_changes_by_county", as_of=view.snapshot, compare=view.compare),
        view.query("honours_since", as_of=view.snapshot, compare=view.compare),
        now,
        before,
        view.scope.counties,
    )


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=VIEW_HASH)
def nef_bars(view: View) -> go.Figure:
    """Workers and members of the new-employment-form groups in the scope, as grouped bars."""
    lang = view.lang
    nef = nef_breakdown(view.unit_wide(view.snapshot), view.scope.counties)
    nef = nef[nef.group != "all"].assign(label=lambda d: [t(f"group.{g}", lang) for g in d.group])
    series = {"workers": t("col.workers", lang), "members": t("col.members", lang)}
    return grouped_bars(nef, t("coverage.nef_title", lang), t("col.workers", lang), series)


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=VIEW_HASH)
def participation_trend(view: View) -> go.Figure:
    """The competitions page's participants per series over the years, for the scope's units."""
    lang = view.lang
    participation = view.query("competition_participation", as_of=view.snapshot, units=view.scope.units)
    long = participation.assign(
        key=participation.series,
        name=[t(f"series.{s}", lang) for s in participation.series],
        as_of=participation.year.astype(str),
        value=participation.participants,
    )
    long = long.sort_values("key", key=lambda k: k.map(COMPETITION_SERIES.index), kind="stable")
    return trend_lines(long, t("comp.participation", lang), t("comp.participants", lang), False, series_styles(), lang)


@st.cache_resource(show_spinner=False, max_entries=64, hash_funcs=VIEW_HASH)
def benefit_bars(view: View) -> go.Figure:
    """The competitions page's innovation benefit per year and series, for the scope's counties."""
    lang = view.lang
    benefit = view.query("innovation_benefit", as_of=view.snapshot, counties=view.scope.counties)
    wide = benefit.pivot_table(index="year", columns="series", values="benefit_10k_yuan", aggfunc="sum").fillna(0)
    wide = wide.reset_index().assign(label=lambda d: d.year.astype(str))
    series = {s: t(f"series.{s}", lang) for s in COMPETITION_SERIES if s in wide.columns}
    return grouped_bars(wide, t("comp.benefit", lang), t("col.benefit", lang), series, SERIES_COLOURS)


FIGURES = {
    "coverage_trend": coverage_trend,
    "nef_bars": nef_bars,
    "participation_trend": participation_trend,
    "benefit_bars": benefit_bars,
}


@st.cache_resource(show_spinner=False, max_entries=256, hash_funcs=VIEW_HASH)
def draw_chart(view: View, figure: str, page: str, *args) -> None:
    """Draw one of the cached figures above (FIGURES[figure](view, *args)) where the caller is,
    with the page's toolbar (share.chart_config(page)). Later calls with the same arguments replay
    the drawn element: st.plotly_chart validates a copy of the figure and writes its JSON on every
    call, which the cached figure alone does not spare. Only for charts nobody clicks (a chart with
    on_select is a widget, which Streamlit does not replay)."""
    st.plotly_chart(FIGURES[figure](view, *args), config=chart_config(page))


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=VIEW_HASH)
def county_profile(view: View, county: str) -> list[ProfileRow]:
    """The county profile's rows (analysis.profile.profile_rows: every KPI with its rank among all
    counties, city and region beside it, trend, target and change against the compare snapshot),
    ~60 % of a /county rerun's script time when worked out on every rerun. A planner's are
    scoped_profile_rows: the rank among all counties from the named exception, the city's figure
    only when they read the whole city, no region figure (the View key carries the data scope)."""
    regions = view.regions()
    rows = profile_rows(
        view.unit_measures(),
        load_catalogue(),
        regions,
        county,
        view.snapshot,
        view.as_ofs,
        view.query("targets", as_of=view.snapshot),
        compare=view.compare,
    )
    if view.data_scope is not None:
        parent = regions[regions.level == "county"].set_index("adcode").loc[county].parent_adcode
        rows = scoped_profile_rows(rows, view.county_rank(county), city_visible=view.data_scope.allows(parent))
    return rows


ORDERS = ("value", "change", "gap")  # the overview ranking's modes (URL: order=)
GAP_BARS = 10  # the gap chart's counties: the furthest behind


def change_text(change: float | None, kpi, lang: str) -> str:
    """A county's change against the compare snapshot as written in a table or beside a bar."""
    return fmt.delta(None if change is None or math.isnan(change) else change, kpi.is_percent, lang)


def signed(value, decimals: int) -> str:
    """A change as a signed number with thousands separators (+1,234.5); one that rounds to
    nothing is written without a sign (0.0, never +0.0), an unknown one as —."""
    if value is None or pd.isna(value):
        return "—"
    text = f"{value:+,.{decimals}f}"
    return text if any(ch in "123456789" for ch in text) else text[1:]


def measure_name(measure: str | None, lang: str, fallback: str) -> str:
    """A count's name as the import templates give it (已建会法人单位数: kpis.toml's numerator and
    denominator codes, named in strings_rankings.toml), else the fallback key's words (分子)."""
    key = f"rankings.measure.{measure}"
    return t(key, lang) if measure and key in strings() else t(fallback, lang)


def gap_units(kpi, lang: str, header: bool = False) -> tuple[str, str]:
    """The units of a gap to target (percentage points for a share, the KPI's unit otherwise; in
    a header 百分点, in a sentence 个百分点) and of what it still takes (the rate's numerator, e.g.
    人 for members; the KPI's unit for a count)."""
    gap = t("rankings.pp_header" if header else "rankings.pp", lang) if kpi.is_percent else kpi.unit(lang)
    if not kpi.is_rate:
        return gap, kpi.unit(lang)
    key = f"rankings.measure_unit.{kpi.numerator}"
    return gap, t(key, lang) if key in strings() else ""


def gap_text(gap: float, needed, kpi, lang: str) -> str:
    gap_unit, needed_unit = gap_units(kpi, lang)
    short = f"{gap:,.1f} {gap_unit}" if kpi.is_percent else f"{fmt.number(gap, lang)} {gap_unit}"
    more = f"{int(needed):,} {needed_unit}".strip() if needed is not None and not pd.isna(needed) else "—"
    return t("rankings.gap_text", lang, gap=short, needed=more)


def gap_rows(view: View, code: str) -> pd.DataFrame:
    """Every county in scope against its own target (county_targets), with its change against the
    compare snapshot: analysis.coverage.gap_table, the furthest behind first, those that reached
    their target last (then by rank)."""
    kpi = load_catalogue().by_code(code)
    targets = county_targets(
        kpi, view.query("targets", as_of=view.snapshot), view.scope.counties, view.scope.region_adcode
    )
    regions = view.regions()
    parents = dict(zip(regions.adcode, regions.parent_adcode))
    before = view.unit_wide(view.compare) if view.compare else None
    table = gap_table(
        view.unit_wide(view.snapshot),
        kpi,
        view.scope.counties,
        {a: tg.value for a, tg in targets.items()},
        view.names(),
        parents,
        before,
    )
    table = table[table.value.notna()]
    order = table.assign(_short=table.gap.fillna(-1.0)).sort_values(
        ["_short", "rank", "adcode"], ascending=[False, True, True], kind="stable"
    )
    return (
        order.drop(columns="_short")
        .reset_index(drop=True)
        .assign(year=[targets[a].year if a in targets else None for a in order.adcode])
    )


@st.cache_resource(show_spinner=False, max_entries=256, hash_funcs=VIEW_HASH)
def ranking(view: View, code: str, order: str = "value") -> tuple:
    """Counties in scope ranked by a KPI: (table, chart).

    order "value": the best and worst five by value, each with its change against the compare
    snapshot beside its bar; "change": the five most and the five least improved; "gap": every
    county against its target (gap_rows), the chart the GAP_BARS furthest behind. (None, None)
    with fewer than two counties to rank; (table, None) in "gap" when none is short of target
    or there is no target (table.target all NaN)."""
    kpi = load_catalogue().by_code(code)
    lang = view.lang
    if order == "gap":
        table = gap_rows(view, code)
        if len(table) < 2:
            return None, None
        table = table.assign(change_text=[change_text(c, kpi, lang) for c in table.change])
        short = table[table.reached.eq(False).fillna(False).astype(bool)].head(GAP_BARS)
        if short.empty:
            return table, None
        year = int(short.year.dropna().max())
        if short.target.nunique() > 1:  # each county its own target (a count's, say)
            title = t("rankings.gap_title_own", lang, kpi=kpi.name(lang), year=year)
        else:
            goal = fmt.kpi_value(float(short.target.iloc[0]), kpi.is_percent, lang)
            title = t("rankings.gap_title", lang, kpi=kpi.name(lang), target=goal, year=year)
        bars = short.assign(
            name=short.county, gap_text=[gap_text(g, n, kpi, lang) for g, n in zip(short.gap, short.needed)]
        )
        gap_unit, _ = gap_units(kpi, lang, header=True)
        return table, gap_bar(bars, title, t("rankings.col.gap_in", lang, unit=gap_unit))
    wide = view.unit_wide(view.snapshot)
    values = county_values(wide, kpi, view.scope.counties).dropna()
    if len(values) < 2:
        return None, None
    before = county_values(view.unit_wide(view.compare), kpi, view.scope.counties) if view.compare else None
    changes = county_changes(values, before)
    if order == "change" and changes.notna().sum() < 2:
        return None, None
    table = ranking_table(values, kpi.direction, view.names(), changes=changes, by=order)
    table["change_text"] = [change_text(c, kpi, lang) for c in table.change]
    if order == "change":
        title = t("rankings.change_title", lang, kpi=kpi.name(lang), compare=view.compare)
        unit = t("rankings.pp_header", lang) if kpi.is_percent else kpi.unit(lang)
        axis = t("rankings.col.change_in", lang, compare=view.compare, unit=unit)
        return table, change_bar(table, title, axis, kpi.is_percent, kpi.direction)
    title = t("ranking.chart_title", lang, kpi=kpi.name(lang))
    header = t("rankings.vs", lang, compare=view.compare) if view.compare else None
    return table, ranking_bar(table, title, kpi_label(kpi, lang), kpi.is_percent, kpi.direction, header)
