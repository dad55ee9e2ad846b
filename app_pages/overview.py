"""Overview (/): where things stand, for leadership. Headline KPIs, what changed, a county
ranking that opens the county profile, and every catalogue KPI by the report's six areas."""

from __future__ import annotations

import streamlit as st

from uniondash.analysis.overview import behind_target
from uniondash.metrics.kpis import load_catalogue
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.computed import ORDERS, changes_since, gap_units, kpi_results, ranking
from uniondash.ui.navigation import open_county_profile
from uniondash.ui.parts import (
    demo_banner,
    known_name,
    kpi_card,
    md_escape,
    region_names,
    scope_caption,
    url_notice,
)
from uniondash.ui.present.agenda import page_tools
from uniondash.ui.ranking_table import ranking_table
from uniondash.ui.reads import rankable_codes
from uniondash.ui.share import chart_config
from uniondash.ui.urlstate import Param, seed_page, write_page
from uniondash.ui.view import current_view

view = current_view()
page_tools(view, "overview")  # sidebar: copy link, add this view to the deck, briefing
lang = view.lang
ss = st.session_state
catalogue = load_catalogue()
names = region_names(view)
codes = rankable_codes(view.snapshots_dir, view.fingerprint, view.as_ofs, view.snapshot, view.scope.counties)
# rates first: they compare counties of any size
rankable = sorted(codes, key=lambda c: not catalogue.by_code(c).is_rate)
sections = list(catalogue.sections)
PARAMS = [
    Param("rank", "str", rankable[0] if rankable else "", rankable, state_key="rank_kpi"),
    Param("order", "str", ORDERS[0], ORDERS, state_key="rank_order"),
    Param("area", "str", sections[0], sections, state_key="area_code"),
]
seed_page(ss, st.query_params, PARAMS, "overview")
if ss["rank_kpi"] not in rankable and rankable:
    ss["rank_kpi"] = rankable[0]  # the scope changed and that KPI cannot rank it
# The area tab's widget holds its label (in the language shown); the URL holds the section's code.
section_labels = {s: catalogue.section_name(s, lang) for s in sections}
by_label = {v: k for k, v in section_labels.items()}
if ss.get("area") in by_label:
    ss["area_code"] = by_label[ss["area"]]
ss["area"] = section_labels[ss["area_code"]]

url_notice(ss, lang)
st.title(t("overview.title", lang))
demo_banner(view)
st.caption(scope_caption(view))

results = kpi_results(view)


def cards(kpis, per_row: int) -> None:
    for start in range(0, len(kpis), per_row):
        for col, kpi in zip(st.columns(per_row), kpis[start : start + per_row]):
            with col:
                kpi_card(kpi, results[kpi.code], view)


def change_lines(items) -> str:
    lines = []
    for item in items:
        fields = dict(item.detail, place=md_escape(names.get(item.adcode, item.adcode)))
        if item.kind in ("rate_fell", "rate_rose"):
            fields["kpi"] = catalogue.by_code(item.detail["kpi"]).name(lang)
        if item.kind == "honours":
            fields["honour"] = md_escape(known_name("honour", item.detail["honour"], lang))
        colour = "orange" if item.kind in ("rate_fell", "stations_closed") else "blue"
        lines.append(f"- :{colour}[{t('change.' + item.kind, lang, **fields)}]")
    return "\n".join(lines) or t("trust.nothing", lang)


def behind_lines() -> str:
    lines = []
    for b in behind_target(results, catalogue.kpis):
        kpi = catalogue.by_code(b.code)
        value = fmt.kpi_value(b.projected, kpi.is_percent, lang)
        goal = fmt.kpi_value(b.target.value, kpi.is_percent, lang)
        item = t("trust.behind_item", lang, kpi=kpi.name(lang), year=b.target.year, projected=value, target=goal)
        lines.append(f"- :orange[{item}]")
    return "\n".join(lines) or t("trust.behind_none", lang)


st.subheader(t("overview.headline", lang))
cards([k for k in catalogue.kpis if k.headline], per_row=3)

changed_col, ranking_col = st.columns(2, gap="large")

with changed_col:
    st.subheader(t("overview.changed", lang))
    if not view.compare:
        st.info(t("overview.no_compare_hint", lang))
    else:
        st.caption(t("trust.changed_caption", lang, compare=view.compare, as_of=view.snapshot))
        changes = changes_since(view)
        if not changes:
            st.info(t("overview.changed_none", lang))
        else:
            up, down = st.columns(2)
            up.markdown(f"**{t('trust.improved', lang)}**\n\n" + change_lines(changes.improved))
            down.markdown(f"**{t('trust.declined', lang)}**\n\n" + change_lines(changes.declined))
    st.markdown(f"**{t('trust.behind', lang)}**\n\n" + behind_lines())


def open_county() -> None:
    points = st.session_state["ranking_chart"].selection.points
    if points:
        open_county_profile(st.session_state, points[0]["customdata"])


with ranking_col:
    st.subheader(t("ranking.title", lang))
    if rankable:
        st.selectbox(
            t("ranking.kpi", lang), rankable, format_func=lambda c: catalogue.by_code(c).name(lang), key="rank_kpi"
        )
        st.segmented_control(
            t("rankings.order", lang),
            ORDERS,
            key="rank_order",
            required=True,
            format_func=lambda o: t(f"rankings.order.{o}", lang),
        )
        kpi = catalogue.by_code(ss["rank_kpi"])
    order = ss["rank_order"]
    table, fig = ranking(view, ss["rank_kpi"], order) if rankable else (None, None)
    if table is None:
        if order == "change" and not view.compare:
            st.info(t("rankings.no_compare", lang))
        else:
            st.info(t("rankings.too_few_changes" if order == "change" else "ranking.too_few", lang))
    elif order == "gap" and table.target.isna().all():
        st.info(t("rankings.no_target", lang, kpi=kpi.name(lang)))
    else:
        if fig is None:  # every county with a target has reached it
            st.success(t("rankings.all_reached", lang, kpi=kpi.name(lang)))
        else:
            st.plotly_chart(
                fig,
                key="ranking_chart",
                on_select=open_county,
                selection_mode="points",
                config=chart_config("overview"),
            )
        if order == "gap":
            behind = table[table.reached.eq(False).fillna(False).astype(bool)]
            _, needed_unit = gap_units(kpi, lang)
            needed = f"{int(behind.needed.sum()):,} {needed_unit}".strip()
            reached_n = int(table.reached.eq(True).fillna(False).astype(bool).sum())
            summary = t("rankings.gap_caption", lang, behind=len(behind), reached=reached_n, needed=needed)
            st.caption(f"{summary} {t('rankings.gap_click', lang)} {scope_caption(view)}")
        else:
            st.caption(f"{t('ranking.click', lang)} {scope_caption(view)}")
        with st.expander(t("ranking.table", lang)):
            ranking_table(view, ss["rank_kpi"], order)  # drawn once per view, KPI and order, then replayed

st.subheader(t("overview.sections", lang))
# Only the open tab is drawn: six areas of cards at once would double the page's drawing time.
for tab, section in zip(st.tabs(list(section_labels.values()), key="area", on_change="rerun"), sections):
    if tab.open:
        with tab:
            cards(catalogue.in_section(section), per_row=4)
write_page(st.query_params, ss, PARAMS)
