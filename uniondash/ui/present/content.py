"""Slide content: a deck item and the viewer's view in, a Slide (uniondash.render.briefing.model)
out. Cached per (view, kind, theme): the same object is drawn on screen and written to a briefing."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from uniondash.data.decks import DeckItem
from uniondash.metrics.scope import resolve_scope
from uniondash.render.briefing.model import Slide
from uniondash.text.i18n import t
from uniondash.ui.parts import scope_label
from uniondash.ui.view import VIEW_HASH, View, previous_as_of


def item_view(base: View, item: DeckItem, fixed_snapshot: str) -> View:
    """The view a deck item shows: its own filters, its snapshot or else the deck's fixed one."""
    snapshot = item.snapshot if item.snapshot in base.as_ofs else fixed_snapshot
    compare = item.compare if item.compare in base.as_ofs and item.compare != snapshot else None
    compare = compare or previous_as_of(base.as_ofs, snapshot)
    regions = base.query("regions", as_of=snapshot)
    scope = resolve_scope(regions, base.scope.region_adcode, item.city, item.county)
    return replace(base, snapshot=snapshot, compare=compare, scope=scope)


def slide_meta(view: View) -> dict:
    s = view.settings
    return {
        "org": s.org_name_en if view.lang == "en" else s.org_name_zh,
        "snapshot": view.snapshot,
        "compare": view.compare or "",
        "scope": t("present.scope", view.lang, scope=scope_label(view)),
        "demo": view.is_demo,
        "filters": t("present.compare", view.lang, compare=view.compare) if view.compare else "",
    }


@st.cache_data(show_spinner=False, max_entries=256, hash_funcs=VIEW_HASH)
def build_slide(view: View, kind: str, theme: str) -> Slide:
    from uniondash.ui.present import kpi_slides, map_slides

    builders = {
        "headline": kpi_slides.headline,
        "changes": kpi_slides.changes,
        "behind": kpi_slides.behind,
        "county": kpi_slides.county_focus,
        "coverage_map": map_slides.coverage_map,
        "stations_map": map_slides.stations_map,
        "competitions": map_slides.competitions,
    }
    slide = builders[kind](view, theme)
    notes = (*slide.notes, t("present.privacy_note", view.lang))
    return replace(slide, notes=notes, meta={**slide_meta(view), **slide.meta})
