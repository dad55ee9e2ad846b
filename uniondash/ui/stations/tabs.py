"""The stations page's three tabs under the map: the station list, the service gaps and the
changes since the compare snapshot (kept here so that the page stays a short script)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from uniondash.analysis.stations import EXPORT_MAX_ROWS, TABLE_MAX_ROWS
from uniondash.data.schema import FACILITIES
from uniondash.metrics.rates import ratio
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.parts import data_table, export_buttons, export_later, export_sheet
from uniondash.ui.stations.filters import describe_filters
from uniondash.ui.view import View


def station_frame(rows: pd.DataFrame, names: dict[str, str], lang: str) -> tuple[pd.DataFrame, dict]:
    """The station list as shown and exported: words in the user's language, numbers as numbers."""
    sep = t("export.sep", lang)
    yes, no = t("export.yes", lang), t("export.no", lang)
    frame = pd.DataFrame(
        {
            t("col.station", lang): rows.name,
            t("col.county", lang): rows.adcode.map(names),
            t("col.kind", lang): [t(f"kind.{k}", lang) for k in rows.kind],
            t("col.status", lang): [t(f"status.{s}", lang) for s in rows.status],
            t("col.host", lang): [t(f"host.{h}", lang) for h in rows.host_type],
            t("col.address", lang): rows.address,
            t("col.h24", lang): [yes if v else no for v in rows.is_24h],
            t("col.facilities", lang): [
                sep.join(t(f"facility.{f}", lang) for f in FACILITIES if r[f])
                for r in rows[list(FACILITIES)].to_dict("records")
            ],
            t("col.star", lang): rows.star,
            t("col.visits", lang): rows.monthly_visits,
            t("col.opened_on", lang): pd.to_datetime(rows.opened_on).dt.date,
        }
    )
    formats = {t("col.star", lang): "int", t("col.visits", lang): "int", t("col.opened_on", lang): "date"}
    return frame, formats


def station_list(view: View, ss, params: dict, names: dict[str, str]) -> None:
    lang = view.lang
    st.text_input(t("stations.search", lang), key="q", max_chars=50)
    search = ss["q"].strip()
    rows = view.query("stations_table", search=search, max_rows=TABLE_MAX_ROWS, filters=params)
    total = int(rows.rows_matching.iloc[0]) if len(rows) else 0
    table, _ = station_frame(rows, names, lang)
    data_table(table, lang, height=380)
    if total > len(rows):  # the screen is capped; the exports are not
        st.caption(t("stations.capped", lang, shown=len(rows), n=total))

    def every_row() -> tuple[pd.DataFrame, dict]:
        full = view.export_query("stations_table", search=search, max_rows=EXPORT_MAX_ROWS, filters=params)
        return station_frame(full, names, lang)

    title = t("stations.tab_table", lang)
    export_buttons(
        export_later(view, title, every_row, describe_filters(ss, lang)), f"stations-{view.snapshot}", lang, "stations"
    )


def service_gaps(view: View, ss, gaps, sites, scored, names: dict[str, str]) -> None:
    lang = view.lang
    km = float(ss["gap_km"])
    st.caption(t("stations.gap_method", lang, km=f"{km:g}", n=int(ss["sites"])))
    if gaps is None:
        st.info(t("stations.gaps", lang) + " ↑")
    else:
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
        left, right = st.columns(2)
        with left:
            st.subheader(t("stations.gap_counties", lang))
            shown = pd.DataFrame(
                {
                    t("col.county", lang): gaps.adcode.map(names),
                    t("col.uncovered_workers", lang): gaps.uncovered_workers,
                    t("col.uncovered_share", lang): gaps.uncovered_share,
                }
            )
            share = t("col.uncovered_share", lang)
            data_table(
                shown.assign(**{share: shown[share] * 100}),
                lang,
                height=300,
                column_config={share: st.column_config.NumberColumn(format="%.1f%%")},
            )
            formats = {t("col.uncovered_workers", lang): "int", share: "percent"}
            method = t("stations.gap_radius", lang, km=f"{km:g}")
            title = t("stations.gap_counties", lang)
            export_buttons(export_sheet(view, title, shown, formats, [method]), f"gaps-{view.snapshot}", lang, "gaps")
        with right:
            st.subheader(t("stations.gap_sites", lang))
            site_table = pd.DataFrame(
                {
                    t("col.seq", lang): sites["rank"],
                    t("col.county", lang): sites.adcode.map(names),
                    t("col.lon", lang): sites.lon,
                    t("col.lat", lang): sites.lat,
                    t("col.covered_workers", lang): sites.covered_workers,
                }
            )
            data_table(site_table, lang, height=300)
            formats = {t("col.seq", lang): "int", t("col.covered_workers", lang): "int"}
            title = t("stations.gap_sites", lang)
            sheet = export_sheet(view, title, site_table, formats, [method])
            export_buttons(sheet, f"new-sites-{view.snapshot}", lang, "sites")


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
        data_table(shown.head(TABLE_MAX_ROWS), lang, height=300)
        if len(shown) > TABLE_MAX_ROWS:
            st.caption(t("stations.capped", lang, shown=TABLE_MAX_ROWS, n=len(shown)))
        title = t("stations.tab_changes", lang)
        export_buttons(export_sheet(view, title, shown), f"station-changes-{view.snapshot}", lang, "changes")
