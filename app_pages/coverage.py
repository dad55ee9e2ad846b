"""Coverage (/coverage): founding and membership rates for any scope, a county choropleth,
counties ranked with the gap to target, five-year trends and the new-employment-form groups."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from uniondash.analysis.coverage import RATE_KPIS
from uniondash.analysis.overview import best_first
from uniondash.metrics.kpis import load_catalogue
from uniondash.render.area_maps import COVERAGE_TOOLTIP
from uniondash.render.charts import change_cell_css
from uniondash.render.maps import PrebuiltDeck
from uniondash.text.i18n import t
from uniondash.ui.computed import coverage_rows, draw_chart, kpi_results, measure_name, nef_rows, signed
from uniondash.ui.map_json import coverage_map_json, coverage_map_legend
from uniondash.ui.navigation import narrow_to_city, open_county_profile
from uniondash.ui.parts import (
    data_table,
    demo_banner,
    export_buttons,
    export_sheet,
    kpi_card,
    kpi_label,
    scope_caption,
    scope_label,
    theme,
    url_notice,
)
from uniondash.ui.present.agenda import page_tools
from uniondash.ui.urlstate import Param, seed_page, write_page
from uniondash.ui.view import current_view

view = current_view()
page_tools(view, "coverage")  # sidebar: copy link, add this view to the deck, briefing
lang = view.lang
catalogue = load_catalogue()
SORTS = ("value", "change")
PARAMS = [
    Param("rate", "str", RATE_KPIS[0], RATE_KPIS, state_key="coverage_rate"),
    Param("sort", "str", SORTS[0], SORTS, state_key="coverage_order"),
]
seed_page(st.session_state, st.query_params, PARAMS, "coverage")
regions = view.regions()
counties = regions[regions.level == "county"]
parents = dict(zip(counties.adcode, counties.parent_adcode))


url_notice(st.session_state, lang)
st.title(t("coverage.title", lang))
demo_banner(view)
st.caption(scope_caption(view))

results = kpi_results(view)
for col, code in zip(st.columns(len(RATE_KPIS)), RATE_KPIS):
    with col:
        kpi_card(catalogue.by_code(code), results[code], view)

code = st.segmented_control(
    t("coverage.rate", lang),
    RATE_KPIS,
    key="coverage_rate",
    required=True,
    format_func=lambda c: catalogue.by_code(c).name(lang),
)
kpi = catalogue.by_code(code)
table = coverage_rows(view, code)


def open_county(key: str) -> None:
    """Drill down region → city → county: on the whole region's map a click narrows to the
    county's city; on a city's map (or in the table) it opens the county's profile."""
    state = st.session_state[key].selection
    picked = None
    if key == "coverage_map" and state.get("objects"):
        objs = state["objects"].get("choropleth") or []
        picked = objs[0]["properties"]["adcode"] if objs else None
    elif key == "coverage_table" and state.get("rows"):
        picked = st.session_state["_coverage_order"][state["rows"][0]]
    if picked and key == "coverage_map" and not st.session_state.get("city") and not st.session_state.get("county"):
        narrow_to_city(st.session_state, parents[picked])
    elif picked:
        open_county_profile(st.session_state, picked)


map_col, table_col = st.columns([1, 1], gap="large")
with map_col:
    st.subheader(t("coverage.map_title", lang, kpi=kpi.name(lang)))

    spec = coverage_map_json(view, code, theme())
    st.pydeck_chart(
        PrebuiltDeck(spec, COVERAGE_TOOLTIP),
        height=460,
        key="coverage_map",
        on_select=lambda: open_county("coverage_map"),
        selection_mode="single-object",
    )
    st.html(coverage_map_legend(view, code, theme()))
    st.caption(t("coverage.map_caption", lang, as_of=view.snapshot, scope=scope_label(view)))

with table_col:
    st.subheader(t("coverage.table_title", lang))
    st.segmented_control(
        t("rankings.sort", lang),
        SORTS,
        key="coverage_order",
        required=True,
        format_func=lambda o: t(f"rankings.sort.{o}", lang),
    )
    write_page(st.query_params, st.session_state, PARAMS)
    if st.session_state["coverage_order"] == "change":
        table = table.loc[best_first(table.change, kpi.direction).index.append(table.index[table.change.isna()])]
    table = table.reset_index(drop=True)
    county_col, value_col, gap_col = t("col.county", lang), kpi_label(kpi, lang), t("col.gap_pp", lang)
    needed_col = t("col.members_needed", lang)
    if view.compare:
        change_col = t(
            "rankings.col.change_pp" if kpi.is_percent else "rankings.col.change", lang, compare=view.compare
        )
    else:
        change_col = t("rankings.col.change_none", lang)
    num_col, den_col = (
        measure_name(m, lang, fallback)
        for m, fallback in ((kpi.numerator, "col.numerator"), (kpi.denominator, "col.denominator"))
    )
    scale = 100 if kpi.is_percent else 1
    shown = pd.DataFrame(
        {
            county_col: table.county,
            t("col.rank", lang): table["rank"],
            t("col.city", lang): table.city,
            value_col: table.value,
            change_col: table.change * scale,
            gap_col: table.gap,
            needed_col: table.needed,
            num_col: table.numerator,
            den_col: table.denominator,
        }
    )
    st.session_state["_coverage_order"] = list(table.adcode)
    reached = table.reached.eq(True).fillna(False).astype(bool).to_numpy()
    styled = (
        shown.assign(**{value_col: shown[value_col] * scale})
        .style.apply(
            lambda _: change_cell_css(table.change, kpi.direction, kpi.is_percent), subset=[change_col], axis=0
        )
        .format(lambda c: signed(c, 1 if kpi.is_percent else 0), subset=[change_col])
        .format(lambda g: "—" if pd.isna(g) else f"{g:,.1f}", subset=[gap_col])
        .format(lambda _: t("rankings.reached", lang), subset=pd.IndexSlice[shown.index[reached], [gap_col]])
    )
    st.dataframe(
        styled,
        hide_index=True,
        height=420,
        placeholder="—",
        key="coverage_table",
        on_select=lambda: open_county("coverage_table"),
        selection_mode="single-row",
        column_config={
            county_col: st.column_config.TextColumn(pinned=True),
            t("col.rank", lang): st.column_config.NumberColumn(format="%,d"),
            value_col: st.column_config.NumberColumn(format="%.1f%%" if kpi.is_percent else "%,d"),
            change_col: st.column_config.NumberColumn(alignment="right"),  # its text: the Styler's (signed)
            gap_col: st.column_config.NumberColumn(alignment="right"),  # its text: the Styler's (已达标)
            needed_col: st.column_config.NumberColumn(format="%,d"),
            num_col: st.column_config.NumberColumn(format="%,d"),
            den_col: st.column_config.NumberColumn(format="%,d"),
        },
    )
    st.caption(t("coverage.select_hint", lang))
    status_col = t("rankings.col.status", lang)
    status = [
        t("rankings.reached", lang) if r is True else t("rankings.not_reached", lang) if r is False else None
        for r in table.reached.astype(object)
    ]
    exported = shown.assign(**{status_col: status})
    counts = (t("col.rank", lang), needed_col, num_col, den_col)
    formats = {value_col: "percent" if kpi.is_percent else "number", gap_col: "decimal1"}
    formats |= {change_col: "decimal1" if kpi.is_percent else "number"}
    formats |= {c: "int" for c in counts}
    title = t("coverage.table_title", lang) + " · " + kpi.name(lang)
    export_buttons(export_sheet(view, title, exported, formats), f"coverage-{code}-{view.snapshot}", lang, "coverage")

trend_col, nef_col = st.columns([1, 1], gap="large")
with trend_col:
    draw_chart(view, "coverage_trend", "coverage", code)
    st.caption(scope_caption(view))
with nef_col:
    nef = nef_rows(view)
    draw_chart(view, "nef_bars", "coverage")
    rate_col = t("col.rate", lang)
    nef_table = pd.DataFrame(
        {
            t("col.group", lang): nef.label,
            t("col.workers", lang): nef.workers,
            t("col.members", lang): nef.members,
            rate_col: nef.rate.astype(float),
        }
    )
    data_table(
        nef_table.assign(**{rate_col: nef_table[rate_col] * 100}),
        lang,
        column_config={
            t("col.group", lang): st.column_config.TextColumn(pinned=True),
            t("col.workers", lang): st.column_config.NumberColumn(format="%,d"),
            t("col.members", lang): st.column_config.NumberColumn(format="%,d"),
            rate_col: st.column_config.NumberColumn(format="%.1f%%"),
        },
    )
    formats = {t("col.workers", lang): "int", t("col.members", lang): "int", rate_col: "percent"}
    sheet = export_sheet(view, t("coverage.nef_title", lang), nef_table, formats)
    export_buttons(sheet, f"nef-{view.snapshot}", lang, "nef")
