"""Small Streamlit building blocks shared by pages: the demo banner, captions, KPI cards."""

from __future__ import annotations

import math

import streamlit as st

from uniondash import fmt
from uniondash.app import View
from uniondash.i18n import t
from uniondash.kpis import Kpi


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def demo_banner(view: View) -> None:
    if view.is_demo:
        st.info(f"**{t('app.demo_badge', view.lang)}** · {t('app.demo_note', view.lang)}", icon=":material/science:")


def scope_label(view: View) -> str:
    if view.scope.is_region:
        return t("scope.region", view.lang)
    names = dict(zip(view.regions().adcode, view.regions().name))
    picked = view.scope.chosen_counties or view.scope.cities
    label = "、".join(names.get(a, a) for a in picked[:4])
    return label + (f" …（{len(picked)}）" if len(picked) > 4 else "")


def scope_caption(view: View) -> str:
    return t(
        "caption.scope",
        view.lang,
        as_of=view.snapshot,
        scope=scope_label(view),
        compare=view.compare or t("overview.no_compare", view.lang),
    )


def kpi_card(kpi: Kpi, now: float | None, before: float | None, view: View) -> None:
    lang = view.lang
    label = f"{kpi.name(lang)}（{kpi.unit(lang)}）" if not kpi.is_percent else kpi.name(lang)
    if _missing(now):
        st.metric(label, t("overview.region_only", lang), help=kpi.definition(lang), border=True)
        return
    change = None if _missing(before) else now - before
    delta = None if change is None else fmt.delta(change, kpi.is_percent, lang)
    colour = "off" if kpi.direction == "none" else ("normal" if kpi.direction == "up" else "inverse")
    st.metric(
        label,
        fmt.kpi_value(now, kpi.is_percent, lang),
        delta=delta,
        delta_color=colour,
        help=kpi.definition(lang),
        border=True,
    )
