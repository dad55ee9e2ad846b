"""The stations page's three tabs under the map: the station list, the service gaps and the
changes since the compare snapshot (kept here so that the page stays a short script)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from uniondash.analysis.stations import EXPORT_MAX_ROWS, TABLE_MAX_ROWS
from uniondash.data.schema import FACILITIES
from uniondash.metrics.rates import ratio
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.parts import data_table, export_buttons, export_later, export_sheet, md_escape
from uniondash.ui.stations.filters import describe_filters
from uniondash.ui.view import VIEW_HASH, View


def station_frame(rows: pd.DataFrame, names: dict[str, str], lang: str) -> tuple[pd.DataFrame, dict]:
    """The station list as shown and exported: words in the user's language, numbers as numbers."""
    sep = t("export.sep", lang)
    yes, no = t("export.yes", lang), t("export.no", lang)
    # Each distinct value is put into words once (a page of 1,000 rows has a handful of kinds and
    # facility sets): the rows take their words by lookup.
    has = np.column_stack([np.asarray(rows[f], dtype=bool) for f in FACILITIES]) if len(rows) else None
    sets = (has @ (1 << np.arange(len(FACILITIES)))).tolist() if has is not None else []
    facility_words = {
        n: sep.join(t(f"facility.{f}", lang) for i, f in enumerate(FACILITIES) if n >> i & 1) for n in set(sets)
    }
    frame = pd.DataFrame(
        {
            t("col.station", lang): rows.name,
            t("col.county", lang): rows.adcode.map(names),
            t("col.kind", lang): _words(rows.kind, "kind", lang),
            t("col.status", lang): _words(rows.status, "status", lang),
            t("col.host", lang): _words(rows.host_type, "host", lang),
            t("col.address", lang): rows.address,
            t("col.h24", lang): [yes if v else no for v in np.asarray(rows.is_24h, dtype=bool).tolist()],
            t("col.facilities", lang): [facility_words[n] for n in sets],
            t("col.star", lang): rows.star,
            t("col.visits", lang): rows.monthly_visits,
            t("col.opened_on", lang): pd.to_datetime(rows.opened_on).dt.date,
        }
    )
    formats = {t("col.star", lang): "int", t("col.visits", lang): "int", t("col.opened_on", lang): "date"}
    return frame, formats


def _words(values: pd.Series, prefix: str, lang: str) -> list[str]:
    """Each value's words (t(f"{prefix}.{value}")), looked up once per distinct value."""
    values = values.tolist()
    words = {v: t(f"{prefix}.{v}", lang) for v in set(values)}
    return [words[v] for v in values]


@st.cache_resource(show_spinner=False, max_entries=128, hash_funcs=VIEW_HASH)
def shown_list(view: View, search: str, params: dict) -> None:
    """The list as the screen shows it (its row count, the first TABLE_MAX_ROWS rows, a note when
    capped), drawn where the caller is. Drawn once per view, search and filters: later reruns
    replay the drawn elements (the same protobuf) instead of reading, wording and serialising up to
    1,000 rows again. The View key carries the scope, the session's data scope and language."""
    lang = view.lang
    rows = view.query("stations_table", search=search, max_rows=TABLE_MAX_ROWS, filters=params)
    total = int(rows.rows_matching.iloc[0]) if len(rows) else 0
    st.caption(rows_line(total, search, lang))
    table, _ = station_frame(rows, view.names(), lang)
    data_table(table, lang)  # the grid's own height: as many rows as there are, up to ten, no blank rows
    if total > len(rows):  # the screen is capped; the exports are not
        st.caption(t("stations.capped", lang, shown=len(rows), n=total))


def station_list(view: View, ss, params: dict, names: dict[str, str]) -> None:
    """The searchable list. Its row count is said above it; the search narrows this list only, and
    the figures above the map say so while a search is set (search_note)."""
    lang = view.lang
    st.text_input(t("stations.search", lang), key="q", max_chars=50)
    search = ss["q"].strip()
    shown_list(view, search, params)

    def every_row() -> tuple[pd.DataFrame, dict]:
        full = view.export_query("stations_table", search=search, max_rows=EXPORT_MAX_ROWS, filters=params)
        return station_frame(full, names, lang)

    title = t("stations.tab_table", lang)
    export_buttons(
        export_later(view, title, every_row, describe_filters(ss, lang)), f"stations-{view.snapshot}", lang, "stations"
    )


def rows_line(total: int, search: str, lang: str) -> str:
    """The list's row count: "共 158 个站点符合筛选条件", or with a search "搜索“母婴”：40 个站点（上方数字
    不含搜索条件）"."""
    n = fmt.number(total, lang)
    if not search:
        return t("stations.table_rows", lang, n=n)
    return t("stations.table_rows_search", lang, q=md_escape(search), n=n)


def search_note(search: str, lang: str) -> str | None:
    """Under the figures above the map while a search is set: they leave it out (it narrows the
    list only)."""
    return t("stations.figures_no_search", lang, q=md_escape(search)) if search.strip() else None


def site_frame(sites: pd.DataFrame, names: dict[str, str], lang: str) -> tuple[pd.DataFrame, dict]:
    """The suggested sites as shown and exported: each named by its nearest open station's address
    and the distance to it ("距 X路Y号 1.2 公里"), the workers it would newly cover, the kind of
    place, the station's name, and the distance as a number and the coordinates last (for a GIS)."""
    place = [
        t("stations.site_place", lang, address=a, km=fmt.decimal(k))
        if isinstance(a, str) and pd.notna(k)
        else t("stations.site_place_none", lang)
        for a, k in zip(sites.near_address, sites.near_km)
    ]
    frame = pd.DataFrame(
        {
            t("col.seq", lang): sites["rank"],
            t("col.county", lang): sites.adcode.map(names),
            t("col.site_place", lang): place,
            t("col.covered_workers", lang): sites.covered_workers,
            t("col.demand_kind", lang): [t(f"demand.{k}", lang) if k else None for k in sites.kind],
            t("col.nearest_station", lang): sites.near_name,
            t("col.nearest_km", lang): sites.near_km.astype(float).round(1),
            t("col.lon", lang): sites.lon,
            t("col.lat", lang): sites.lat,
        }
    )
    formats = {t("col.seq", lang): "int", t("col.covered_workers", lang): "int", t("col.nearest_km", lang): "decimal1"}
    return frame, formats


def county_gap_frame(gaps: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    """Counties with uncovered demand, most first (a county whose demand is all covered is left
    out: the summary line above counts it)."""
    shown = gaps[gaps.uncovered_workers > 0]
    return pd.DataFrame(
        {
            t("col.county", lang): shown.adcode.map(names),
            t("col.uncovered_workers", lang): shown.uncovered_workers,
            t("col.uncovered_share", lang): shown.uncovered_share,
        }
    )


def service_gaps(view: View, ss, gaps, sites, scored, names: dict[str, str]) -> None:
    """The gap tab: opening it turns the gaps on (map and tables), so there is always something to
    read here. Its own settings (reach, how many sites) first, the method in plain words (the
    technical terms in its help), the summary, the counties with uncovered demand, the suggested
    sites."""
    lang = view.lang
    km_col, n_col, _ = st.columns([1, 1, 2])
    km_col.number_input(t("stations.gap_km", lang), min_value=0.2, max_value=20.0, step=0.5, key="gap_km")
    n_col.number_input(t("stations.sites", lang), min_value=0, max_value=30, step=1, key="sites")
    km = float(ss["gap_km"])
    st.caption(
        t("stations.gap_method", lang, km=f"{km:g}", n=int(ss["sites"])), help=t("stations.gap_method_help", lang)
    )
    if gaps is None or scored is None or scored.empty:
        st.info(t("stations.gap_no_demand", lang))
        return
    total, unc = int(gaps.workers.sum()), int(gaps.uncovered_workers.sum())
    st.markdown(
        t(
            "stations.gap_summary",
            lang,
            points=int(len(scored)),
            workers=fmt.number(total, lang),
            uncovered=fmt.number(unc, lang),
            share=fmt.percent(ratio(unc, total) if total else 0),
            km=f"{km:g}",
        )
    )
    if unc == 0:  # nothing to suggest and no county to list: said once, no empty grids
        st.info(t("stations.gap_no_sites", lang, km=f"{km:g}"))
        return
    method = t("stations.gap_radius", lang, km=f"{km:g}")
    filters = [method, *describe_filters(ss, lang)]
    st.subheader(t("stations.gap_counties", lang))
    shown = county_gap_frame(gaps, names, lang)
    share = t("col.uncovered_share", lang)
    data_table(
        shown.assign(**{share: shown[share] * 100}),
        lang,
        width="content",
        column_config={
            share: st.column_config.NumberColumn(format="%.1f%%"),
            t("col.uncovered_workers", lang): st.column_config.NumberColumn(format="localized"),
        },
    )
    formats = {t("col.uncovered_workers", lang): "int", share: "percent"}
    title = t("stations.gap_counties", lang)
    export_buttons(export_sheet(view, title, shown, formats, filters), f"gaps-{view.snapshot}", lang, "gaps")
    st.subheader(t("stations.gap_sites", lang))
    if sites is None or sites.empty:
        st.info(t("stations.gap_no_picks", lang))
        return
    site_table, formats = site_frame(sites, names, lang)
    data_table(  # the distance is in the words already: its own column is for the exports
        site_table.drop(columns=[t("col.nearest_km", lang)]),
        lang,
        column_config={t("col.covered_workers", lang): st.column_config.NumberColumn(format="localized")},
    )
    title = t("stations.gap_sites", lang)
    export_buttons(export_sheet(view, title, site_table, formats, filters), f"new-sites-{view.snapshot}", lang, "sites")


def changes(view: View, names: dict[str, str]) -> None:
    lang = view.lang
    if not view.compare:
        st.info(t("stations.no_compare", lang))
    else:
        changes = view.query(
            "station_changes_points", as_of=view.snapshot, compare=view.compare, counties=view.scope.counties
        )
        opened, closed = int((changes.change == "opened").sum()), int((changes.change == "closed").sum())
        st.markdown(
            t(
                "stations.changes_line",
                lang,
                compare=view.compare,
                as_of=view.snapshot,
                opened=t("stations.opened_n", lang, n=opened),
                closed=t("stations.closed_n", lang, n=closed),
            )
        )
        shown = pd.DataFrame(
            {
                t("col.change", lang): [t(f"change.{c}", lang) for c in changes.change],
                t("col.station", lang): changes.name,
                t("col.county", lang): changes.adcode.map(names),
                t("col.kind", lang): [t(f"kind.{k}", lang) for k in changes.kind],
                t("col.address", lang): changes.address,
            }
        )
        data_table(shown.head(TABLE_MAX_ROWS), lang)
        if len(shown) > TABLE_MAX_ROWS:
            st.caption(t("stations.capped", lang, shown=TABLE_MAX_ROWS, n=len(shown)))
        title = t("stations.tab_changes", lang)
        export_buttons(export_sheet(view, title, shown), f"station-changes-{view.snapshot}", lang, "changes")
