"""The overview ranking's numbers as a table (under 排名表 in an expander): drawn once per view,
KPI and order, and replayed from the cache on every later rerun.

The table is a pandas Styler (each change washed in its good or bad colour), and Streamlit turns a
Styler into its element by rendering every cell's display value and style, on every rerun, which
was a fifth of an overview rerun's script time under py-spy. st.cache_resource replays the
elements a cached function drew (the same protobuf) without running it; the key is the View
(scope, the session's data scope, language, snapshots: VIEW_HASH), the KPI and the order, as for
the ranking itself (computed.ranking). The table draws no widget, so it can be replayed.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from uniondash.metrics.kpis import load_catalogue
from uniondash.render.charts import change_cell_css
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.computed import gap_units, ranking
from uniondash.ui.parts import kpi_label
from uniondash.ui.view import VIEW_HASH, View


def ranking_shown(view: View, table: pd.DataFrame, kpi) -> object:
    """The ranking's numbers as a table (a Styler: each change washed in its good or bad colour)."""
    lang = view.lang
    change_col = t("rankings.col.change", lang, compare=view.compare) if view.compare else t("col.change", lang)
    shown = pd.DataFrame(
        {
            t("col.rank", lang): table["rank"],
            t("col.county", lang): table.name,
            t("col.code", lang): table.adcode,
            kpi_label(kpi, lang): [fmt.kpi_value(v, kpi.is_percent, lang) for v in table.value],
            change_col: table.change_text,
        }
    )
    css = change_cell_css(table.change, kpi.direction, kpi.is_percent)
    return shown.style.apply(lambda _: css, subset=[change_col], axis=0)


def gap_shown(view: View, table: pd.DataFrame, kpi):
    """Every county against its target: the gap (已达标 once reached, never negative), what it
    still takes, and its change (washed in its good or bad colour)."""
    lang = view.lang
    gap_unit, needed_unit = gap_units(kpi, lang, header=True)
    gap_col = t("rankings.col.gap_in", lang, unit=gap_unit)
    needed_col = t("rankings.col.needed_in", lang, unit=needed_unit) if needed_unit else t("col.members_needed", lang)
    change_col = t("rankings.col.change", lang, compare=view.compare) if view.compare else t("col.change", lang)

    def gap(g, reached):
        if reached is True:
            return t("rankings.reached", lang)
        if pd.isna(g):
            return "—"
        return f"{g:,.1f}" if kpi.is_percent else fmt.number(g, lang)

    shown = pd.DataFrame(
        {
            t("col.county", lang): table.county,
            kpi_label(kpi, lang): [fmt.kpi_value(v, kpi.is_percent, lang) for v in table.value],
            t("col.target", lang): [
                fmt.kpi_value(None if pd.isna(v) else v, kpi.is_percent, lang) for v in table.target
            ],
            gap_col: [gap(g, r) for g, r in zip(table.gap, table.reached.astype(object))],
            needed_col: table.needed,
            change_col: table.change_text,
        }
    )
    css = change_cell_css(table.change, kpi.direction, kpi.is_percent)
    styled = shown.style.apply(lambda _: css, subset=[change_col], axis=0)
    config = {
        t("col.county", lang): st.column_config.TextColumn(pinned=True),
        gap_col: st.column_config.TextColumn(alignment="right"),
        needed_col: st.column_config.NumberColumn(format="%,d"),
    }
    return styled, config


@st.cache_resource(show_spinner=False, max_entries=256, hash_funcs=VIEW_HASH)
def ranking_table(view: View, code: str, order: str) -> None:
    """Draw the ranking's table where the caller is (the ranking must have one: computed.ranking's
    table is not None); later calls with the same view, KPI and order replay the drawn element."""
    kpi = load_catalogue().by_code(code)
    table, _ = ranking(view, code, order)
    if order == "gap":
        styled, config = gap_shown(view, table, kpi)
    else:
        styled = ranking_shown(view, table, kpi)
        config = {t("col.county", view.lang): st.column_config.TextColumn(pinned=True)}
    st.dataframe(styled, hide_index=True, placeholder="—", column_config=config)
