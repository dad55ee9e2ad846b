"""The review of one unit's submission on /data (admin): rows added, closed or removed, the changed
cells, the unit's KPIs before → after; then accept it, or return it with a reason."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from uniondash.access.accounts import accounts_path
from uniondash.data import rounds as R
from uniondash.data.importer.contract import specs
from uniondash.data.rounds.checking import table_label
from uniondash.data.rounds.kpis import kpis_before_after
from uniondash.text.i18n import t
from uniondash.ui.signin import current_address


def _value(x, percent: bool, lang: str) -> str:
    if x is None or pd.isna(x):
        return "—"
    return f"{x * 100:.1f}%" if percent else f"{x:,.2f}".rstrip("0").rstrip(".")


def kpi_frame(kpis: pd.DataFrame, lang: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            t("rounds.col_kpi", lang): kpis.name_en if lang == "en" else kpis.name_zh,
            t("rounds.col_before", lang): [_value(v, p, lang) for v, p in zip(kpis.before, kpis.percent)],
            t("rounds.col_after", lang): [_value(v, p, lang) for v, p in zip(kpis.after, kpis.percent)],
            t("rounds.col_changed", lang): [
                "" if (pd.isna(b) and pd.isna(a)) or b == a else "●" for b, a in zip(kpis.before, kpis.after)
            ],
        }
    )


def cell_text(v, kind: str, name: str) -> str:
    """A submitted value as the reviewer reads it: numbers with thousands separators (a year as it
    is), every decimal the file gave kept, nothing for an empty cell."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return "—"
    if kind in ("int", "float") and not isinstance(v, bool) and "year" not in name:
        try:
            x = float(v)
        except (TypeError, ValueError):
            return str(v)
        return f"{int(x):,}" if x.is_integer() else f"{x:,.6f}".rstrip("0")
    return str(v)


def changes_frame(table: str, changed: pd.DataFrame, lang: str) -> pd.DataFrame:
    spec = specs()[table]
    kinds = [spec.column(c).kind for c in changed.column]
    return pd.DataFrame(
        {
            t("rounds.col_row", lang): changed.row,
            t("rounds.col_key", lang): changed.key,
            t("rounds.col_column", lang): [spec.column(c).header(lang) for c in changed.column],
            t("rounds.col_before", lang): [cell_text(*vkc) for vkc in zip(changed.before, kinds, changed.column)],
            t("rounds.col_after", lang): [cell_text(*vkc) for vkc in zip(changed.after, kinds, changed.column)],
        }
    )


def rows_frame(table: str, rows: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rows added or removed, under the template's headers, their numbers written as cell_text."""
    spec = specs()[table]
    names = {c.name: c for c in spec.columns}
    out = {}
    for col in rows.columns:
        c = names.get(col)
        out[c.header(lang) if c else col] = [cell_text(v, c.kind if c else "text", col) for v in rows[col]]
    return pd.DataFrame(out)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_review(data_dir: str, timezone: str, round_id: str, unit: str, version: str, base_as_of: str):
    """A submission's review and the unit's KPIs before → after: a version never changes, so
    (round, unit, version, base snapshot) is the whole key."""
    store = R.RoundStore(Path(data_dir), timezone)
    rv = R.review(store, unit, version)
    return rv, kpis_before_after(store.base(store.current()), unit, rv.after)


def review_panel(store: R.RoundStore, rnd: R.Round, board: pd.DataFrame, who: str, lang: str) -> None:
    ready = board[board.state.isin(["submitted", "accepted", "returned"]) & (board.rows > 0)]
    if ready.empty:
        st.caption(t("rounds.ui_nothing_to_review", lang))
        return
    names = dict(zip(ready.unit, ready.name))
    unit = st.selectbox(
        t("rounds.ui_pick_unit", lang),
        list(ready.unit),
        format_func=lambda u: f"{names[u]} {u} · {t('rounds.state.' + board.set_index('unit').state[u], lang)}",
        key="round_review_unit",
    )
    latest = store.unit(rnd, unit).latest["version"]
    base = store.base(rnd)
    rv, kpis = cached_review(str(store.data_dir), store.timezone, rnd.id, unit, latest, base.as_of)
    rv.state = store.unit(rnd, unit).state  # the state changes without a new version: read it now
    st.caption(t("rounds.ui_review_of", lang, version=rv.version, by=rv.by, at=rv.at))
    for table, ch in rv.tables.items():
        st.markdown(
            f"**{table_label(table, lang)}** · "
            + t("rounds.ui_counts", lang, added=len(ch.added), removed=len(ch.removed), changed=len(ch.changed))
        )
        if len(ch.changed):
            st.dataframe(changes_frame(table, ch.changed, lang), hide_index=True, key=f"rv_changed_{table}")
        if len(ch.added):
            st.caption(t("rounds.ui_added", lang))
            added = rows_frame(table, ch.added.drop(columns=["_row"]), lang)
            st.dataframe(added, hide_index=True, key=f"rv_added_{table}")
        if len(ch.removed):
            st.caption(t("rounds.ui_closed" if table == "stations" else "rounds.ui_removed", lang))
            st.dataframe(rows_frame(table, ch.removed, lang), hide_index=True, key=f"rv_removed_{table}")
    st.markdown(f"**{t('rounds.ui_kpis', lang)}**")
    st.dataframe(kpi_frame(kpis, lang), hide_index=True, key="rv_kpis")
    left, right = st.columns(2)
    if rv.state == "submitted" and left.button(t("rounds.ui_accept", lang), type="primary", key="round_accept"):
        R.accept(store, unit, who, accounts_path(), current_address())
        st.rerun()
    with right.form("round_return_form"):
        reason = st.text_input(t("rounds.ui_reason", lang), key="round_return_reason")
        if st.form_submit_button(t("rounds.ui_return", lang), icon=":material/undo:"):
            if not reason.strip():
                st.warning(t("rounds.ui_need_reason", lang))
            else:
                R.return_unit(store, unit, reason, who, accounts_path(), current_address())
                st.rerun()
