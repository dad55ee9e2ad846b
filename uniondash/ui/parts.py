"""Small Streamlit building blocks shared by pages: the demo banner, captions, KPI cards."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from uniondash.analysis.overview import KpiResult
from uniondash.metrics.kpis import Kpi
from uniondash.render.theme import BAD, GOOD, change_colour
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.view import View

# st.metric takes named colours: blue for a good change, orange for a bad one (colour-blind safe).
METRIC_COLOUR = {GOOD: "blue", BAD: "orange"}
MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$"


def md_escape(text: str) -> str:
    """Data text shown through st.markdown: every markdown and HTML character is literal."""
    return "".join("\\" + ch if ch in MD_SPECIAL else ch for ch in str(text))


def demo_banner(view: View) -> None:
    if view.is_demo:
        st.info(f"**{t('app.demo_badge', view.lang)}** · {t('app.demo_note', view.lang)}", icon=":material/science:")


def region_names(view: View) -> dict[str, str]:
    regions = view.regions()
    return dict(zip(regions.adcode, regions.name))


def scope_label(view: View) -> str:
    if view.scope.is_region:
        return t("scope.region", view.lang)
    names = region_names(view)
    picked = view.scope.chosen_counties or view.scope.cities
    label = "、".join(names.get(a, a) for a in picked[:4])
    return label + (f" …（{len(picked)}）" if len(picked) > 4 else "")


def scope_caption(view: View) -> str:
    return t(
        "caption.scope",
        view.lang,
        as_of=view.snapshot,
        scope=scope_label(view),
        compare=view.compare or t("overview.no_compare", view.lang),
    )


def kpi_label(kpi: Kpi, lang: str) -> str:
    return kpi.name(lang) if kpi.is_percent else f"{kpi.name(lang)}（{kpi.unit(lang)}）"


def _delta_text(kpi: Kpi, result: KpiResult, lang: str) -> str:
    text = fmt.delta(result.change, kpi.is_percent, lang)
    if kpi.is_percent or result.relative is None:
        return text
    return t("overview.change_pct", lang, abs=text, pct=f"{result.relative * 100:+.1f}%")


def kpi_card(kpi: Kpi, result: KpiResult, view: View) -> None:
    """Draws a computed KPI result: value, change against the compare snapshot, five-year
    sparkline, progress to target and the projection's verdict."""
    lang = view.lang
    with st.container(border=True):
        if result.value is None:
            st.metric(kpi_label(kpi, lang), t("overview.region_only", lang), help=kpi.definition(lang))
            return
        delta = None if result.change is None else _delta_text(kpi, result, lang)
        colour = change_colour(result.change, kpi.direction)
        st.metric(
            kpi_label(kpi, lang),
            fmt.kpi_value(result.value, kpi.is_percent, lang),
            delta=delta,
            delta_color=METRIC_COLOUR.get(colour, "gray"),
            help=kpi.definition(lang),
            chart_data=list(result.history) if len(result.history) > 1 else None,
            chart_type="area",
            delta_description=t("overview.vs", lang, compare=view.compare) if delta else None,
        )
        target = result.target
        if target is not None:
            goal = fmt.kpi_value(target.value, kpi.is_percent, lang)
            reached = f"{result.progress * 100:.0f}%"
            st.progress(
                max(0.0, min(1.0, result.progress)),
                text=t("overview.target", lang, target=goal, year=target.year, progress=reached),
            )
            if result.on_track is not None:
                key = "overview.projection_on" if result.on_track else "overview.projection_behind"
                colour = "blue" if result.on_track else "orange"
                text = t(key, lang, year=target.year, value=fmt.kpi_value(result.projected, kpi.is_percent, lang))
                st.markdown(f":{colour}[{text}]")


def export_buttons(df: pd.DataFrame, name: str, lang: str, key: str) -> None:
    """CSV and XLSX downloads of a table; no cell can start a formula. The files are built only
    when a button is clicked (an XLSX of a large table takes seconds to write)."""
    from uniondash.render.export import to_csv_bytes, to_xlsx_bytes
    from uniondash.ui.signin import export_recorder

    record = export_recorder(name)  # the audit log names who exported what (uniondash.access.audit)

    row = st.container(horizontal=True, wrap=True)  # buttons keep their labels in narrow columns
    row.download_button(
        t("export.csv", lang),
        lambda: record("csv", to_csv_bytes(df)),
        f"{name}.csv",
        "text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click="ignore",
    )
    row.download_button(
        t("export.xlsx", lang),
        lambda: record("xlsx", to_xlsx_bytes(df, name)),
        f"{name}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        icon=":material/download:",
        on_click="ignore",
    )


def theme() -> str:
    """The viewer's theme ('light' or 'dark'), for maps drawn to match."""
    try:
        return "dark" if st.context.theme.type == "dark" else "light"
    except AttributeError:
        return "light"


PRINT_CSS = """<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDownloadButton"], [data-testid="stBaseButton-secondary"] { display: none !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
}
</style>"""


def names_visible() -> bool:
    """Personal names (winners) are shown to sessions that may see them: roles configured to
    (default leader and admin) or a deployment with UNIONDASH_SHOW_NAMES=1. Decided once, by the
    sign-in gate (uniondash.access); the query layer has already masked them for everyone else."""
    from uniondash.ui.view import session_access

    return session_access().names_shown


def awards_table(results: pd.DataFrame, lang: str, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Awards as shown and exported (county column when names are given); people's names are
    masked unless they may be shown (names_visible)."""
    from uniondash.analysis.medals import masked_names

    columns = {
        t("col.year", lang): results.year,
        t("col.series", lang): [t(f"series.{s}", lang) for s in results.series],
        t("col.competition", lang): results.competition,
        t("col.tier", lang): results.award_tier,
        t("col.winner_type", lang): [t(f"winner.{w}", lang) for w in results.winner_type],
        t("col.winner", lang): results.winner_name if names_visible() else masked_names(results),
        t("col.employer", lang): results.employer,
    }
    if names is not None:
        columns[t("col.county", lang)] = results.adcode.map(names)
    columns[t("col.honour", lang)] = results.honour
    columns[t("col.benefit", lang)] = results.benefit_10k_yuan
    return pd.DataFrame(columns)
