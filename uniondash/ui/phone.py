"""Phones (390×844): the stations page's filters fold into an expander titled with a one-line
summary of what is filtered, so the map and the figures are on the first screen."""

from __future__ import annotations

from collections.abc import Mapping

from uniondash.text.i18n import t

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
