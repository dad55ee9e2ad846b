"""Phones (390×844): the stations page's filters fold away with a one-line summary of what is
filtered, so the map and the figures are on the first screen."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from uniondash.text.i18n import t

# An expander cannot be told the screen's width, so the page opens it and this script closes it
# once on a narrow screen (the person can open it again; nothing is lost).
FOLD_JS = """<script>
(() => {
  if (!window.matchMedia('(max-width: 640px)').matches) return;
  const box = document.querySelector('.st-key-stations_filters details');
  if (box && box.open && !box.dataset.folded) { box.dataset.folded = '1'; box.querySelector('summary').click(); }
})();
</script>"""

DEFAULTS = {
    "kind": [],
    "status": ["open", "suspended"],
    "host": [],
    "facility": [],
    "h24": False,
    "star": 0,
    "opened": 0,
}


def filter_summary(state: Mapping, lang: str) -> str:
    """'站点筛选 · 类型 1 项 · 仅 24 小时开放': the filters that differ from their defaults."""
    parts = []
    for key in ("kind", "status", "host", "facility"):
        chosen = list(state.get(key) or [])
        if chosen != DEFAULTS[key]:
            parts.append(f"{t(f'stations.{key}', lang)} {len(chosen)}")
    if state.get("h24"):
        parts.append(t("stations.h24", lang))
    if state.get("star"):
        parts.append(f"{t('stations.star', lang)} {state['star']}")
    if state.get("opened"):
        parts.append(f"{t('stations.opened', lang)} {state['opened']}")
    return " · ".join([t("stations.filters", lang), *parts])


def fold_on_phones() -> None:
    st.html(FOLD_JS, unsafe_allow_javascript=True)
