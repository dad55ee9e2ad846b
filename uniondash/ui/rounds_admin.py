"""The admin's round panels on /data: open a round, the status board (totals by city, overdue
marked, the 催报 list as XLSX and as a message), review, publish with confirmation, close.
Leaders see the board only (read-only)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from uniondash.access.accounts import accounts_path
from uniondash.data import rounds as R
from uniondash.data.rounds.checking import table_label
from uniondash.data.rounds.reminders import missing, reminder_message, reminder_xlsx
from uniondash.text.i18n import t
from uniondash.ui.rounds_common import board_frame, region_of, round_caption, store_for, totals_frame
from uniondash.ui.rounds_review import review_panel
from uniondash.ui.signin import current_address

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rounds_panel(identity, settings, lang: str, today: dt.date, admin: bool) -> None:
    st.subheader(t("rounds.admin_title", lang))
    store = store_for(settings)
    rnd = store.open_round()
    if rnd is None:
        st.info(t("rounds.ui_no_round", lang), icon=":material/info:")
        if admin:
            _open_form(store, identity.name, lang, today)
        return
    round_caption(rnd, lang)
    board = R.status(store, rnd)
    _board(board, rnd, lang)
    if not admin:
        return
    with st.expander(t("rounds.ui_review", lang), icon=":material/fact_check:", expanded=True):
        review_panel(store, rnd, board, identity.name, lang)
    _publish(store, rnd, board, identity.name, settings, lang)


def _open_form(store, who: str, lang: str, today: dt.date) -> None:
    with st.form("round_open_form"):
        as_of = st.date_input(
            t("rounds.ui_as_of", lang),
            value=today.replace(day=1) - dt.timedelta(days=1),
            format="YYYY-MM-DD",
            key="round_as_of",
        )
        tables = st.multiselect(
            t("rounds.ui_tables", lang),
            list(R.ROUND_TABLES),
            default=["stations", "coverage"],
            format_func=lambda tb: table_label(tb, lang),
            key="round_tables",
        )
        due = st.date_input(
            t("rounds.ui_due", lang), value=today + dt.timedelta(days=14), format="YYYY-MM-DD", key="round_due"
        )
        note = st.text_input(t("rounds.ui_note", lang), key="round_note")
        if st.form_submit_button(t("rounds.ui_open", lang), type="primary", icon=":material/campaign:"):
            try:
                R.open_round(
                    store, as_of.isoformat(), tables, due.isoformat(), note, who, accounts_path(), current_address()
                )
            except R.RoundError as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                st.rerun()


def _board(board, rnd, lang: str) -> None:
    counts = board.state.value_counts()
    cols = st.columns(5)
    for col, state in zip(cols, R.STATES):
        col.metric(t(f"rounds.state.{state}", lang), int(counts.get(state, 0)))
    cols[4].metric(t("rounds.overdue_of", lang), int(board.overdue.sum()))  # not a sixth state
    st.dataframe(board_frame(board, lang), hide_index=True, width="stretch", key="round_board")
    st.caption(t("rounds.ui_totals", lang))
    st.dataframe(totals_frame(board, lang), hide_index=True, width="stretch", key="round_totals")
    late = missing(board)
    with st.expander(t("rounds.ui_remind", lang, n=len(late)), icon=":material/notifications:"):
        st.download_button(
            t("rounds.ui_remind_xlsx", lang),
            reminder_xlsx(board, rnd, lang),
            f"催报-{rnd.id}.xlsx" if lang == "zh" else f"reminders-{rnd.id}.xlsx",
            XLSX,
            key="round_remind_xlsx",
            icon=":material/download:",
            on_click="ignore",
        )
        st.code(reminder_message(board, rnd, lang), language=None, wrap_lines=True)


def _publish(store, rnd, board, who: str, settings, lang: str) -> None:
    late = int((board.state != "accepted").sum())
    with st.expander(t("rounds.ui_publish_title", lang), icon=":material/publish:"):
        if late:
            st.warning(t("rounds.ui_missing", lang, n=late, as_of=store.base(rnd).as_of), icon=":material/warning:")
        sure = st.checkbox(t("rounds.ui_confirm", lang, n=late), key="round_confirm") if late else True
        if st.button(t("rounds.ui_publish", lang), type="primary", disabled=not sure, key="round_publish"):
            try:
                result = R.publish(
                    store,
                    who,
                    region_of(store, settings),
                    yes=bool(sure),
                    accounts_file=accounts_path(),
                    address=current_address(),
                )
            except R.RoundError as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                st.session_state["_round_published"] = str(result.path)
                st.cache_data.clear()  # the new snapshot is offered at once
                st.rerun()
        if st.session_state.get("_round_published"):
            st.success(
                t("rounds.ui_published", lang, path=st.session_state["_round_published"]),
                icon=":material/check_circle:",
            )
        if st.button(t("rounds.ui_close", lang), key="round_close", icon=":material/lock:"):
            R.close_round(store, who, accounts_path(), current_address())
            st.rerun()
