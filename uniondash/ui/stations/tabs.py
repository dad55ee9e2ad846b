"""The stations page's three tabs under the map: the station list, the service gaps and the
changes since the compare snapshot (kept here so that the page stays a short script)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from uniondash.analysis.stations import TABLE_MAX_ROWS
from uniondash.data.schema import FACILITIES
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.parts import export_buttons
from uniondash.ui.view import View


def station_list(view: View, ss, params: dict, names: dict[str, str]) -> None:
    lang = view.lang
    st.text_input(t("stations.search", lang), key="q", max_chars=50)
    rows = view.query("stations_table", search=ss["q"].strip(), max_rows=TABLE_MAX_ROWS, filters=params)
    table = pd.DataFrame(
        {
            t("col.station", lang): rows.name,
            t("col.county", lang): rows.adcode.map(names),
            t("col.kind", lang): [t(f"kind.{k}", lang) for k in rows.kind],
            t("col.status", lang): [t(f"status.{s}", lang) for s in rows.status],
            t("col.host", lang): [t(f"host.{h}", lang) for h in rows.host_type],
            t("col.address", lang): rows.address,
            t("col.h24", lang): rows.is_24h,
            t("col.facilities", lang): [
                "、".join(t(f"facility.{f}", lang) for f in FACILITIES if r[f])
                for r in rows[list(FACILITIES)].to_dict("records")
            ],
            t("col.star", lang): rows.star,
            t("col.visits", lang): rows.monthly_visits,
            t("col.opened_on", lang): rows.opened_on,
        }
    )
    st.dataframe(table, hide_index=True, height=380)
    if len(rows) >= TABLE_MAX_ROWS:
        st.caption(t("stations.table_cap", lang, n=TABLE_MAX_ROWS))
    export_buttons(table, f"stations-{view.snapshot}", lang, "stations")


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
                share=fmt.percent(unc / total if total else 0),
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
                    t("col.uncovered_share", lang): [fmt.percent(s) for s in gaps.uncovered_share],
                }
            )
            st.dataframe(shown, hide_index=True, height=300)
            export_buttons(shown, f"gaps-{view.snapshot}", lang, "gaps")
        with right:
            st.subheader(t("stations.gap_sites", lang))
            site_table = pd.DataFrame(
                {
                    "#": sites["rank"],
                    t("col.county", lang): sites.adcode.map(names),
                    "lon": sites.lon,
                    "lat": sites.lat,
                    t("col.covered_workers", lang): sites.covered_workers,
                }
            )
            st.dataframe(site_table, hide_index=True, height=300)
            export_buttons(site_table, f"new-sites-{view.snapshot}", lang, "sites")


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
            f"{view.compare} → {view.snapshot}: {t('stations.opened_n', lang, n=opened)}，"
            f"{t('stations.closed_n', lang, n=closed)}"
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
        st.dataframe(shown.head(TABLE_MAX_ROWS), hide_index=True, height=300)
        if len(shown) > TABLE_MAX_ROWS:
            st.caption(t("stations.table_cap", lang, n=TABLE_MAX_ROWS))
        export_buttons(shown, f"station-changes-{view.snapshot}", lang, "changes")
