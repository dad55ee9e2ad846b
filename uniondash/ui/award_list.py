"""The competitions page's list of awards under its search box: drawn once per view, year and
search, and replayed from the cache on every later rerun (up to RESULTS_MAX_ROWS rows read,
put into words and serialised to Arrow were a fifth of a competitions rerun under py-spy).

st.cache_resource replays the elements a cached function drew without running it. The key is the
View (its scope, the session's data scope, whether names may be shown, language, snapshots:
VIEW_HASH), the year and the search; the list draws no widget, so it can be replayed."""

from __future__ import annotations

import streamlit as st

from uniondash.text.i18n import t
from uniondash.ui.parts import awards_table, data_table
from uniondash.ui.view import VIEW_HASH, View

RESULTS_MAX_ROWS = 2000  # on screen; the exports hold every award in scope


def award_query(view: View, year: int, search: str) -> dict:
    """The results_search parameters: a masked name is never matched (docs/architecture.md,
    Privacy and security rules): names are searched only where shown."""
    return dict(
        as_of=view.snapshot, year=year, counties=view.scope.counties, search=search, search_names=view.names_shown
    )


@st.cache_resource(show_spinner=False, max_entries=128, hash_funcs=VIEW_HASH)
def award_list(view: View, year: int, search: str) -> None:
    """Draw the awards matching the year and search (the first RESULTS_MAX_ROWS, and a note when
    there are that many), with a note when people's names are hidden, where the caller is."""
    lang = view.lang
    results = view.query("results_search", **award_query(view, year, search), max_rows=RESULTS_MAX_ROWS)
    result_table = awards_table(results, lang, view.names())
    if not view.names_shown:
        st.caption(t("comp.names_hidden", lang))
    data_table(result_table, lang, height=360)
    if len(results) >= RESULTS_MAX_ROWS:
        st.caption(t("comp.results_capped", lang, n=RESULTS_MAX_ROWS))
