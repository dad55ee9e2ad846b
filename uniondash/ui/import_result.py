"""What an import made of the files, on /data: the new snapshot (with a button that opens it), or
every problem found, as a table and as a workbook to download."""

from __future__ import annotations

import streamlit as st

from uniondash.data.importer import ImportResult, to_frame
from uniondash.text.i18n import t


def open_snapshot(as_of: str) -> None:
    st.session_state["snapshot"] = as_of


def show_import_result(result: ImportResult | None, errors_xlsx: bytes | None, lang: str) -> None:
    """The last import's outcome in this session (nothing before the first)."""
    if result is not None and result.ok:
        st.success(t("data.success", lang, as_of=result.as_of), icon=":material/check_circle:")
        if result.replaced:
            st.info(t("import.replaced", lang, path=result.replaced), icon=":material/inventory_2:")
        st.button(
            t("data.open_snapshot", lang),
            on_click=open_snapshot,
            args=(result.as_of,),
            key="import_open_snapshot",
            icon=":material/visibility:",
        )
    elif result is not None:
        st.subheader(t("data.problems", lang))
        st.error(t("import.failed", lang, n=len(result.problems)), icon=":material/error:")
        st.caption(t("data.problems_caption", lang))
        st.dataframe(
            to_frame(result.problems, lang), hide_index=True, width="stretch", key="import_problems", placeholder="—"
        )
        st.download_button(
            t("data.download_errors", lang),
            errors_xlsx or b"",
            f"import-problems-{result.as_of}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="import_errors_xlsx",
            icon=":material/download:",
            on_click="ignore",
        )
