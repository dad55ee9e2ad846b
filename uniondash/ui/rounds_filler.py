"""本期填报 on /data, for a filler: the open round, their own units' states (a returned unit's
reason), a workbook prefilled with their units' rows, and an upload checked as an import is,
plus scope. Only their own units are read: another unit's submission is never shown."""

from __future__ import annotations

import streamlit as st

from uniondash.access.accounts import accounts_path
from uniondash.data import rounds as R
from uniondash.data.importer import SourceFile
from uniondash.data.rounds.isolated import submit_isolated
from uniondash.data.rounds.units import scope_counties
from uniondash.data.rounds.workbook import prefilled
from uniondash.text.i18n import t
from uniondash.ui.parts import md_escape
from uniondash.ui.rounds_common import board_frame, region_of, round_caption, show_problems, store_for
from uniondash.ui.signin import current_address

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULT = "_round_submit_result"


def filler_panel(identity, settings, lang: str) -> None:
    st.subheader(t("rounds.fill_title", lang))
    store = store_for(settings)
    rnd = store.open_round()
    if rnd is None:
        st.info(t("rounds.ui_no_round", lang), icon=":material/info:")
        return
    round_caption(rnd, lang)
    mine = set(scope_counties(store.base(rnd), identity.scope))
    board = R.status(store, rnd)
    board = board[board.unit.isin(mine)].reset_index(drop=True)  # their own units only
    if board.overdue.any():
        st.warning(t("rounds.ui_overdue_mine", lang, due=rnd.due), icon=":material/schedule:")
    for row in board[board.state == "returned"].itertuples():
        st.error(
            t("rounds.ui_returned", lang, name=md_escape(row.name), reason=md_escape(row.reason)),
            icon=":material/undo:",
        )
    st.dataframe(board_frame(board, lang, with_reason=False), hide_index=True, width="stretch", key="round_mine")
    st.caption(t("rounds.ui_download_help", lang))
    cols = st.columns(max(1, len(rnd.tables)))
    for col, (name, data) in zip(cols, prefilled(store, rnd, identity.scope).items()):
        col.download_button(
            name, data, name, XLSX, key=f"round_tpl_{name}", icon=":material/download:", on_click="ignore"
        )
    with st.form("round_submit_form"):
        uploads = st.file_uploader(
            t("rounds.ui_upload", lang),
            type=["xlsx", "xlsm", "xls", "csv"],
            accept_multiple_files=True,
            key="round_files",
        )
        sent = st.form_submit_button(t("rounds.ui_submit", lang), type="primary", icon=":material/upload:")
    if sent and not uploads:
        st.warning(t("data.need_files", lang), icon=":material/info:")
    elif sent:
        files = [SourceFile(u.name, data=u.getvalue()) for u in uploads]
        with st.spinner(t("rounds.ui_checking", lang)):
            # in a child process, as an import: whatever a file makes a reader library do, this server carries on
            result = submit_isolated(
                store,
                files,
                identity.name,
                identity.scope,
                region_of(store, settings),
                settings,
                accounts_path(),
                current_address(),
            )
        st.session_state[RESULT] = result
        if result.ok:
            st.rerun()  # the states above follow
    result = st.session_state.get(RESULT)
    if result is not None and result.ok:
        names = dict(zip(board.unit, board.name))
        done = "、".join(f"{names.get(u, u)} {v}" for u, v in result.versions.items())
        st.success(t("rounds.ui_submitted", lang, units=md_escape(done)), icon=":material/check_circle:")
    elif result is not None:
        show_problems(result.problems, lang, "round_submit_problems")
    if result is not None and result.warnings:  # the importer's warnings: shown, never blocking
        st.warning(t("import.warnings", lang, n=len(result.warnings)), icon=":material/warning:")
        st.markdown("\n".join(f"- {md_escape(p.line(lang))}" for p in result.warnings[:10]))
