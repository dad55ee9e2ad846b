"""Data import and collection rounds (/data).

Admins: the tables and how to name their files, the templates, an upload validated as a whole,
and then either every problem (a table, and an XLSX with the offending cells highlighted) or a new
snapshot, offered at once in the sidebar's snapshot picker. Nothing is written unless everything
passes. The snapshot date defaults to the last period end (the end of last month in the region's
time zone), the date a collection is usually as of, not today. Above it the collection round
(uniondash/ui/rounds_admin.py): open, board, review, publish.

Fillers see 本期填报 only (uniondash/ui/rounds_filler.py): their units, never another's; leaders
the round's board, read-only."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from uniondash.config import load_settings
from uniondash.data.importer import SourceFile, import_isolated, steps_total, templates_zip
from uniondash.data.importer.contract import specs
from uniondash.data.importer.read import UPLOAD_TYPES
from uniondash.data.snapshots import region_today
from uniondash.text.i18n import t
from uniondash.ui.import_result import show_import_result
from uniondash.ui.reads import get_warehouse, session_access
from uniondash.ui.rounds_admin import rounds_panel
from uniondash.ui.rounds_filler import filler_panel
from uniondash.ui.signin import record_cache_refresh, record_import


def last_period_end(today: dt.date) -> dt.date:
    """The end of the month before `today`'s: the last period a collection can be complete for."""
    return today.replace(day=1) - dt.timedelta(days=1)


def tables_frame(lang: str) -> pd.DataFrame:
    """Every table of the data contract: its name in both languages, the file or sheet name to
    use, the formats it may come in and one line on what it holds."""
    rows = [
        {
            t("ui.data.col_table", lang): spec.label(lang),
            t("ui.data.col_other_name", lang): spec.name_zh if lang == "en" else spec.name_en,
            t("ui.data.col_file", lang): t("ui.data.file_names", lang, zh=spec.name_zh, code=spec.name),
            t("ui.data.col_formats", lang): t(f"ui.data.formats_{'shapes' if spec.csv_only else 'any'}", lang),
            t("ui.data.col_holds", lang): t(f"ui.holds.{name}", lang),
        }
        for name, spec in specs().items()
    ]
    return pd.DataFrame(rows)


settings = load_settings()
ss = st.session_state
lang = ss.get("lang", "zh")
today = region_today(settings.timezone)

identity = session_access().identity

if identity.may_submit:  # a filler: this round's forms for their own units, nothing else
    st.title(t("rounds.page_title", lang))
    filler_panel(identity, settings, lang)
    st.stop()
if identity.role == "leader":  # the board, read-only
    st.title(t("rounds.page_title", lang))
    rounds_panel(identity, settings, lang, today, admin=False)
    st.stop()
st.title(t("data.title", lang))

# The collection round first: what the office works through while the counties report; importing
# its own files directly comes after
rounds_panel(identity, settings, lang, today, admin=True)

st.subheader(t("ui.data.tables", lang))
st.caption(t("data.intro", lang))
st.caption(t("ui.data.tables_help", lang))
st.table(tables_frame(lang), hide_index=True)  # a static table: every line read in full, wrapped

with st.expander(t("data.templates", lang), icon=":material/table_view:"):
    st.caption(t("data.templates_help", lang))
    st.download_button(
        t("data.download_all", lang),
        templates_zip,
        "templates.zip",
        "application/zip",
        key="templates_zip",
        icon=":material/download:",
        on_click="ignore",
    )

with st.expander(t("data.caches", lang), icon=":material/cached:"):
    # Streamlit's own "clear cache" is not offered to anyone (the guard drops it from clients): an
    # admin refreshes the shared caches here, for everyone, after changing data by hand.
    st.caption(t("data.caches_help", lang))
    if st.button(t("data.refresh_caches", lang), key="refresh_caches", icon=":material/refresh:"):
        st.cache_data.clear()
        st.cache_resource.clear()
        record_cache_refresh()
        st.toast(t("data.caches_refreshed", lang), icon=":material/check_circle:")

with st.form("import_form"):
    uploads = st.file_uploader(
        t("data.upload", lang), type=UPLOAD_TYPES, accept_multiple_files=True, key="import_files"
    )
    as_of = st.date_input(
        t("data.as_of", lang),
        value=last_period_end(today),
        max_value=today,
        format="YYYY-MM-DD",
        key="import_as_of",
        help=t("ui.data.as_of_help", lang, tz=settings.timezone),
    )
    replace = st.checkbox(t("data.replace", lang), key="import_replace")
    submitted = st.form_submit_button(t("data.run", lang), type="primary", icon=":material/upload:")


if submitted and not uploads:
    st.warning(t("data.need_files", lang), icon=":material/info:")
elif submitted:
    files = [SourceFile(u.name, data=u.getvalue()) for u in uploads]
    total = steps_total(files)
    with st.status(t("data.status_running", lang), expanded=True) as status:
        bar = st.progress(0.0)
        done = [0]

        def progress(key: str, **fields) -> None:
            done[0] += 1
            status.write(t(key, lang, **fields))
            bar.progress(min(1.0, done[0] / total))

        # in a child process: whatever a file makes a reader library do, this server carries on
        outcome = import_isolated(files, as_of.isoformat(), settings, replace=replace, progress=progress, lang=lang)
        result = outcome.result
        if result.ok:
            status.update(label=t("data.status_done", lang, as_of=result.as_of), state="complete", expanded=False)
        else:
            status.update(label=t("data.status_failed", lang, n=len(result.problems)), state="error", expanded=False)
    ss["_import_result"], ss["_import_errors_xlsx"] = result, outcome.error_xlsx
    record_import(as_of.isoformat(), [f.name for f in files], result.ok, len(result.problems))  # audit log
    if result.ok:
        st.rerun()  # the sidebar (drawn before this page) lists the new snapshot on the next run

show_import_result(ss.get("_import_result"), ss.get("_import_errors_xlsx"), lang)

st.subheader(t("data.snapshots", lang))
warehouse = get_warehouse(str(settings.snapshots_dir), ss["_fingerprint"])
rows = [
    {
        t("data.col_as_of", lang): s.as_of,
        t("data.col_source", lang): s.manifest.get("source", "—"),
        t("data.col_rows", lang): s.rows,
        t("data.col_state", lang): t("data.state_ok", lang)
        if s.ok
        else t("data.state_refused", lang, reason="; ".join(s.problems)),
    }
    for s in sorted(warehouse.snapshots + warehouse.refused, key=lambda s: s.as_of, reverse=True)
]
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="import_snapshots")
