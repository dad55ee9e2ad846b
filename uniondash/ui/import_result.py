"""What an import made of the files, on /data: the new snapshot (with a button that opens it), or
every problem found, as a table and as a workbook to download; and either way the warnings and
notes (columns ignored, title rows skipped, a table told by its headers), which never block."""

from __future__ import annotations

import streamlit as st

from uniondash.data.importer import ImportResult, to_frame
from uniondash.text.i18n import t

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def open_snapshot(as_of: str) -> None:
    st.session_state["snapshot"] = as_of


def _warnings(result: ImportResult, lang: str) -> None:
    """The warnings and notes of an import, under the outcome: a count, then the table."""
    found = getattr(result, "warnings", None) or []  # an outcome kept from before warnings existed has none
    if not found:
        return
    st.warning(t("import.warnings", lang, n=len(found)), icon=":material/warning:")
    st.dataframe(
        to_frame(found, lang, severity=True), hide_index=True, width="stretch", key="import_warnings", placeholder="—"
    )


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
        _warnings(result, lang)
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
            XLSX,
            key="import_errors_xlsx",
            icon=":material/download:",
            on_click="ignore",
        )
        _warnings(result, lang)
