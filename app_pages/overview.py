"""Overview (/): where things stand, for leadership. Headline KPIs, what changed, a county
ranking that opens the county profile, and every catalogue KPI by the report's six areas."""

from __future__ import annotations

import streamlit as st

from uniondash.analysis.overview import county_values, ranking_table, scope_target, what_changed
from uniondash.metrics.kpis import load_catalogue
from uniondash.render.charts import ranking_bar
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.navigation import open_county_profile
from uniondash.ui.parts import demo_banner, kpi_card, kpi_label, md_escape, region_names, scope_caption
from uniondash.ui.present.agenda import page_tools
from uniondash.ui.share import chart_config
from uniondash.ui.view import current_view, rankable_codes

view = current_view()
page_tools(view, "overview")  # sidebar: copy link, add this view to the deck, briefing
lang = view.lang
catalogue = load_catalogue()
names = region_names(view)

st.title(t("overview.title", lang))
demo_banner(view)
st.caption(scope_caption(view))

trends = view.kpis().pivot(index="code", columns="as_of", values="value")
targets = view.query("targets", as_of=view.snapshot)


def cards(kpis, per_row: int) -> None:
    for start in range(0, len(kpis), per_row):
        for col, kpi in zip(st.columns(per_row), kpis[start : start + per_row]):
            with col:
                kpi_card(kpi, trends.loc[kpi.code], view, scope_target(kpi, targets, view.scope))


st.subheader(t("overview.headline", lang))
cards([k for k in catalogue.kpis if k.headline], per_row=3)

wide_now = view.unit_wide(view.snapshot)
changed_col, ranking_col = st.columns(2, gap="large")

with changed_col:
    st.subheader(t("overview.changed", lang))
    if not view.compare:
        st.info(t("overview.no_compare_hint", lang))
    else:
        st.caption(t("overview.changed_caption", lang, compare=view.compare, as_of=view.snapshot))
        rate_kpis = [catalogue.by_code(c) for c in ("union_founding_rate", "membership_rate")]
        wide_before = view.unit_wide(view.compare)
        now = {k.code: county_values(wide_now, k, view.scope.counties) for k in rate_kpis}
        before = {k.code: county_values(wide_before, k, view.scope.counties) for k in rate_kpis}
        items = what_changed(
            view.query("station_changes_by_county", as_of=view.snapshot, compare=view.compare),
            view.query("honours_since", as_of=view.snapshot, compare=view.compare),
            now,
            before,
            view.scope.counties,
        )
        if not items:
            st.info(t("overview.changed_none", lang))
        lines = []
        for item in items:
            fields = dict(item.detail, place=md_escape(names.get(item.adcode, item.adcode)))
            if item.kind == "rate_fell":
                fields["kpi"] = catalogue.by_code(item.detail["kpi"]).name(lang)
            if item.kind == "honours":
                fields["honour"] = md_escape(item.detail["honour"])
            colour = {"rate_fell": "orange", "stations_closed": "orange"}.get(item.kind, "blue")
            lines.append(f"- :{colour}[{t('change.' + item.kind, lang, **fields)}]")
        st.markdown("\n".join(lines))


def open_county() -> None:
    points = st.session_state["ranking_chart"].selection.points
    if points:
        open_county_profile(st.session_state, points[0]["customdata"])


with ranking_col:
    st.subheader(t("ranking.title", lang))
    codes = rankable_codes(view.snapshots_dir, view.fingerprint, view.as_ofs, view.snapshot, view.scope.counties)
    rankable = [catalogue.by_code(c) for c in codes]
    rankable.sort(key=lambda k: not k.is_rate)  # rates first: they compare counties of any size
    kpi = st.selectbox(t("ranking.kpi", lang), rankable, format_func=lambda k: k.name(lang), key="rank_kpi")
    values = county_values(wide_now, kpi, view.scope.counties).dropna()
    if len(values) < 2:
        st.info(t("ranking.too_few", lang))
    else:
        table = ranking_table(values, kpi.direction, names)
        fig = ranking_bar(
            table, t("ranking.chart_title", lang, kpi=kpi.name(lang)), kpi_label(kpi, lang), kpi.is_percent
        )
        st.plotly_chart(
            fig, key="ranking_chart", on_select=open_county, selection_mode="points", config=chart_config("overview")
        )
        st.caption(f"{t('ranking.click', lang)} {scope_caption(view)}")
        with st.expander(t("ranking.table", lang)):
            shown = table.assign(value=[fmt.kpi_value(v, kpi.is_percent, lang) for v in table.value])
            st.dataframe(
                shown[["rank", "name", "adcode", "value"]].rename(
                    columns={"rank": t("col.rank", lang), "name": t("col.county", lang), "value": kpi_label(kpi, lang)}
                ),
                hide_index=True,
            )

st.subheader(t("overview.sections", lang))
# Only the open tab is drawn: six areas of cards at once would double the page's drawing time.
section_names = [catalogue.section_name(s, lang) for s in catalogue.sections]
for tab, section in zip(st.tabs(section_names, key="area", on_change="rerun"), catalogue.sections):
    if tab.open:
        with tab:
            cards(catalogue.in_section(section), per_row=4)
