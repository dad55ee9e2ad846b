"""Small Streamlit building blocks shared by pages: the demo banner, captions, KPI cards."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from uniondash import clock
from uniondash.analysis.overview import KpiResult
from uniondash.metrics.kpis import Kpi
from uniondash.render.export import Sheet, file_stem
from uniondash.render.palette import ACTIVE, BAD, GOOD, change_colour
from uniondash.render.sparkline import sparkline_img
from uniondash.text import fmt
from uniondash.text.i18n import strings, t
from uniondash.ui.view import View

# st.metric takes named colours: blue for a good change, orange for a bad one (colour-blind safe).
METRIC_COLOUR = {GOOD: "blue", BAD: "orange"}
MD_SPECIAL = "\\`*_{}[]()#+-.!|<>~$"


def known_name(kind: str, value, lang: str) -> str:
    """A data value the catalogue knows (an honour's name, a unit's kind) in the user's language;
    any other value as it is."""
    if not isinstance(value, str):
        return value
    key = f"{kind}.{value}"
    return t(key, lang) if key in strings() else value


def md_escape(text: str) -> str:
    """Data text shown through st.markdown: every markdown and HTML character is literal."""
    return "".join("\\" + ch if ch in MD_SPECIAL else ch for ch in str(text))


def demo_banner(view: View) -> None:
    if view.is_demo:
        st.info(f"**{t('app.demo_badge', view.lang)}** · {t('app.demo_note', view.lang)}", icon=":material/science:")


def region_names(view: View) -> dict[str, str]:
    return view.names()


def scope_label(view: View, limit: int | None = 4) -> str:
    """The scope in words: the region, or the chosen cities or counties (the first `limit` and a count)."""
    if view.scope.is_region:
        return t("scope.region", view.lang)
    names = region_names(view)
    picked = view.scope.chosen_counties or view.scope.cities
    shown = picked if limit is None else picked[:limit]
    label = t("export.sep", view.lang).join(names.get(a, a) for a in shown)
    more = len(picked) - len(shown)
    return label + (t("scope.more", view.lang, n=len(picked)) if more > 0 else "")


def scope_caption(view: View) -> str:
    return t(
        "caption.scope",
        view.lang,
        as_of=view.snapshot,
        scope=scope_label(view),
        compare=view.compare or t("overview.no_compare", view.lang),
    )


def kpi_label(kpi: Kpi, lang: str) -> str:
    if kpi.is_percent:
        return kpi.name(lang)
    return f"{kpi.name(lang)}（{kpi.unit(lang)}）" if lang == "zh" else f"{kpi.name(lang)} ({kpi.unit(lang)})"


def _delta_text(kpi: Kpi, result: KpiResult, lang: str) -> str:
    text = fmt.delta(result.change, kpi.is_percent, lang)
    if kpi.is_percent or result.relative is None or fmt.rounds_to_zero(result.change, False):
        return text
    pct = f"{result.relative * 100:+.1f}%"
    if pct in ("+0.0%", "-0.0%"):
        return text
    return t("overview.change_pct", lang, abs=text, pct=pct)


def _target_lines(kpi: Kpi, result: KpiResult, lang: str) -> None:
    target = result.target
    goal = fmt.kpi_value(target.value, kpi.is_percent, lang)
    if result.reached:  # never "完成 108%": the target is met, and the bar is full
        st.progress(1.0, text=t("trust.target_reached", lang, target=goal, year=target.year))
        return
    st.progress(
        result.progress,
        text=t("overview.target", lang, target=goal, year=target.year, progress=f"{result.progress * 100:.0f}%"),
    )
    if result.on_track is not None:
        key = "overview.projection_on" if result.on_track else "overview.projection_behind"
        value = fmt.kpi_value(result.projected, kpi.is_percent, lang)
        if result.projected_capped:
            value += t("trust.capped", lang)
        colour = "blue" if result.on_track else "orange"
        st.markdown(f":{colour}[{t(key, lang, year=target.year, value=value)}]")


def missing_reason(result: KpiResult, lang: str) -> str:
    """Why a KPI has no value for the scope: a region-wide figure, or no data in the snapshot's year."""
    if result.missing == "region_only":
        return t("overview.region_only", lang)
    return t("trust.no_data_year", lang, year=result.year)


def kpi_card(kpi: Kpi, result: KpiResult, view: View) -> None:
    """Draws a computed KPI result: value, change against the compare snapshot, five-year
    trend line, progress to target and the projection's verdict."""
    lang = view.lang
    with st.container(border=True):
        if result.value is None:
            missing = missing_reason(result, lang)
            # The reason as a grey note under "—": a sentence in the value's large type would be cut off.
            st.metric(
                kpi_label(kpi, lang),
                "—",
                delta=missing,
                delta_color="gray",
                delta_arrow="off",
                help=kpi.definition(lang),
            )
            return
        delta = None if result.change is None else _delta_text(kpi, result, lang)
        unchanged = result.change is not None and fmt.rounds_to_zero(result.change, kpi.is_percent)
        colour = "gray" if unchanged else METRIC_COLOUR.get(change_colour(result.change, kpi.direction), "gray")
        st.metric(
            kpi_label(kpi, lang),
            fmt.kpi_value(result.value, kpi.is_percent, lang),
            delta=delta,
            delta_color=colour,
            delta_arrow="off" if unchanged else "auto",
            help=kpi.definition(lang),
            delta_description=t("overview.vs", lang, compare=view.compare) if delta else None,
        )
        # The five-year trend as the browser's own SVG: st.metric's chart_data is drawn by Vega-Lite,
        # 775 KB of script on a first visit and a Vega view per card (uniondash/render/sparkline.py)
        values = " → ".join(fmt.kpi_value(v, kpi.is_percent, lang) for v in result.history)
        spark = sparkline_img(list(result.history), t("overview.trend_label", lang, values=values), ACTIVE[theme()])
        if spark:
            st.html(spark)
        if result.target is not None:
            _target_lines(kpi, result, lang)


def _now_in_region() -> str:
    return clock.now().strftime("%Y-%m-%d %H:%M")


def export_context(
    view: View, title: str, filters: Sequence[str] = (), rows: int | None = None, at: str | None = None
) -> tuple:
    """The header block of an export: organisation, table, snapshot, compare, scope, filters,
    演示数据, time (`at`, else now) and (when known) 行数, the row count as a number (a number cell in
    the XLSX)."""
    lang = view.lang
    org = view.settings.org_name_en if lang == "en" else view.settings.org_name_zh
    pairs = [
        (t("export.org", lang), org),
        (t("export.table", lang), title),
        (t("filter.snapshot", lang), view.snapshot),
        (t("filter.compare", lang), view.compare or t("overview.no_compare", lang)),
        (t("export.scope", lang), scope_label(view, limit=None)),
    ]
    if filters:
        pairs.append((t("export.filters", lang), t("export.sep", lang).join(filters)))
    carried = carried_line(view)
    if carried:  # a collection round published this snapshot and carried some counties' older rows
        pairs.append((t("rounds.carried_export_label", lang), carried))
    if view.is_demo:
        pairs.append((t("export.data", lang), t("app.demo_badge", lang)))
    pairs.append((t("export.exported_at", lang), at or _now_in_region()))
    if rows is not None:
        pairs.append((t("export.rows", lang), int(rows)))
    return tuple(pairs)


def carried_line(view: View) -> str | None:
    """Which of the export's counties (those in the view's scope that this session may read) a
    round carried from an older snapshot: "沿用 2023-12-31：甲二县、乙一县", or None."""
    from uniondash.ui.reads import get_warehouse
    from uniondash.ui.rounds_mark import carried_export_note

    snapshot = get_warehouse(view.snapshots_dir, view.fingerprint).snapshot(view.snapshot)
    scope = view.data_scope
    units = [c for c in view.scope.counties if scope is None or scope.allows(c)]
    return carried_export_note(snapshot, units, region_names(view), view.lang)


FILE_SCOPE_UNITS = 2  # a file name names at most this many units, then how many there are


def file_scope(view: View) -> str:
    """The scope in a few words for a file name: the whole region, or the chosen counties (else
    cities) by name, the first FILE_SCOPE_UNITS and a count: 枣阳市; 甲一区、甲二县等5个 (English:
    甲一区、甲二县+3; unit names are the data's, Chinese in both languages)."""
    lang = view.lang
    if view.scope.is_region:
        return t("ui.file.region", lang)
    names = region_names(view)
    picked = view.scope.chosen_counties or view.scope.cities
    label = "、".join(names.get(a, a) for a in picked[:FILE_SCOPE_UNITS])
    more = len(picked) - FILE_SCOPE_UNITS
    return label + (t("ui.file.more", lang, n=len(picked), more=more) if more > 0 else "")


def export_sheet(
    view: View, title: str, frame: pd.DataFrame, formats: dict | None = None, filters: Sequence[str] = ()
) -> LaterSheet:
    """A table to export, with its header block (see export_context) and its scope for the file name.
    The header block is written when a button is clicked (a page draws several export buttons on
    every rerun, few are clicked), stamped with the time the page was drawn, as before."""
    at, scope = _now_in_region(), file_scope(view)
    formats, filters = dict(formats or {}), tuple(filters)
    return LaterSheet(lambda: Sheet(frame, formats, export_context(view, title, filters, len(frame), at), scope), scope)


@dataclass(frozen=True)
class LaterSheet:
    """An export built when its button is clicked (see export_later); its scope is known now, for
    the file name the button offers."""

    make: Callable[[], Sheet]
    scope: str

    def __call__(self) -> Sheet:
        return self.make()


def export_later(
    view: View, title: str, build: Callable[[], tuple[pd.DataFrame, dict]], filters: Sequence[str] = ()
) -> LaterSheet:
    """An export built when its button is clicked: `build` runs the query (every row in scope) and
    returns the frame and its formats; the header block is written then too, stamped with the time
    the page was drawn."""
    at, scope, filters = _now_in_region(), file_scope(view), tuple(filters)

    def make() -> Sheet:
        frame, formats = build()
        return Sheet(frame, formats, export_context(view, title, filters, len(frame), at), scope)

    return LaterSheet(make, scope)


def export_file_stem(sheet: Sheet | Callable[[], Sheet], name: str) -> str:
    """The downloads' name without suffix: `name` with the export's scope before its period, safe
    on every desktop (`stations-2023-12-31` for 枣阳市 → `stations-枣阳市-2023-12-31`)."""
    return file_stem(name, getattr(sheet, "scope", "") or "")


def export_buttons(sheet: Sheet | Callable[[], Sheet], name: str, lang: str, key: str) -> None:
    """CSV and XLSX downloads of a table; no cell can start a formula. The files are built only
    when a button is clicked (an XLSX of a large table takes seconds to write); `sheet` may be a
    function that builds it then (from the query: every row in scope, not the screen's). The files
    are named `{name}.csv/.xlsx` with the scope put in (export_file_stem), and so is the audit line."""
    from uniondash.render.export import to_csv_bytes, to_xlsx_bytes
    from uniondash.ui.deferred_downloads import DeferredGroup
    from uniondash.ui.signin import export_recorder, refused_download_notice

    stem = export_file_stem(sheet, name)
    # checked at the click (the session still live, the account unchanged) and audited either way
    record = export_recorder(stem)

    build = sheet if callable(sheet) else (lambda: sheet)
    group = DeferredGroup(key)  # the click's file and its rerun, made not to lose each other
    row = st.container(horizontal=True, wrap=True)  # buttons keep their labels in narrow columns
    clicked = row.download_button(
        t("export.csv", lang),
        group.builder(lambda: record("csv", lambda: to_csv_bytes(build()))),
        f"{stem}.csv",
        "text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        on_click="rerun",
    )
    clicked |= row.download_button(
        t("export.xlsx", lang),
        group.builder(lambda: record("xlsx", lambda: to_xlsx_bytes(build(), name))),
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        icon=":material/download:",
        on_click="rerun",
    )
    group.settle(clicked)
    refused_download_notice(key, clicked, lang)


def data_table(df: pd.DataFrame, lang: str, **kwargs):
    """A table on screen: empty cells read "—" (not "None"), and a table with no rows says so in the
    user's language instead of the grid's own "empty"."""
    if df.empty:
        st.info(t("table.no_rows", lang))
        return None
    return st.dataframe(df, hide_index=True, placeholder="—", **kwargs)


def url_notice(state, lang: str) -> None:
    """A short notice naming the link's values that could not be honoured (once, then forgotten)."""
    from uniondash.ui.urlstate import pop_ignored

    ignored = pop_ignored(state)
    if ignored:
        items = t("export.sep", lang).join(f"{k}={v}" for k, v in ignored)
        st.warning(t("url.ignored", lang, items=md_escape(items)), icon=":material/link_off:")


def theme() -> str:
    """The viewer's theme ('light' or 'dark'), for maps drawn to match."""
    try:
        return "dark" if st.context.theme.type == "dark" else "light"
    except AttributeError:
        return "light"


# A data grid prints only the rows in its viewport: a page that prints puts the same table in
# st.container(key="print_only") as a plain table, and its grid in st.container(key="screen_only").
PRINT_CSS = """<style>
.st-key-print_only { display: none !important; }
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDownloadButton"], [data-testid="stBaseButton-secondary"] { display: none !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
  .st-key-screen_only { display: none !important; }
  .st-key-print_only { display: block !important; }
  .st-key-print_only table { break-inside: auto; border-collapse: collapse; width: 100%; font-size: 10pt; }
  .st-key-print_only tr { break-inside: avoid; }
  .st-key-print_only th, .st-key-print_only td { border: 1px solid #999; padding: 2px 6px; text-align: left; }
  .st-key-print_only thead { display: table-header-group; }
}
</style>"""


def names_visible() -> bool:
    """Personal names (winners) are shown to sessions that may see them: roles configured to
    (default leader and admin) or a deployment with UNIONDASH_SHOW_NAMES=1. Decided once, by the
    sign-in gate (uniondash.access); the query layer has already masked them for everyone else."""
    from uniondash.ui.reads import session_access

    return session_access().names_shown


def awards_table(results: pd.DataFrame, lang: str, names: dict[str, str] | None = None) -> pd.DataFrame:
    """Awards as shown and exported (county column when names are given); people's names are
    already masked by the query gateway unless they may be shown."""
    columns = {
        t("col.year", lang): results.year,
        t("col.series", lang): [t(f"series.{s}", lang) for s in results.series],
        t("col.competition", lang): results.competition,
        t("col.tier", lang): results.award_tier,
        t("col.winner_type", lang): [t(f"winner.{w}", lang) for w in results.winner_type],
        t("col.winner", lang): results.winner_name,
        t("col.employer", lang): results.employer,
    }
    if names is not None:
        columns[t("col.county", lang)] = results.adcode.map(names)
    columns[t("col.honour", lang)] = [known_name("honour", h, lang) for h in results.honour]
    columns[t("col.benefit", lang)] = results.benefit_10k_yuan
    return pd.DataFrame(columns)
