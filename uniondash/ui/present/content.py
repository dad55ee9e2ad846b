"""Slide content: a deck item and the viewer's view in, a Slide (uniondash.render.briefing.model)
out. Cached per (view, kind, theme): the same object is drawn on screen and written to a briefing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import streamlit as st

from uniondash.access.data_scope import DataScope, default_selection
from uniondash.data.decks import DeckItem
from uniondash.metrics.scope import RegionIndex, resolve_scope
from uniondash.render.briefing.model import Slide
from uniondash.text.i18n import t
from uniondash.ui.parts import scope_label
from uniondash.ui.view import VIEW_HASH, View, previous_as_of


def item_view(base: View, item: DeckItem, fixed_snapshot: str) -> View:
    """The view a deck item shows: its own filters (as far as the viewer may read: viewer_filters),
    its snapshot or else the deck's fixed one."""
    snapshot = item.snapshot if item.snapshot in base.as_ofs else fixed_snapshot
    compare = item.compare if item.compare in base.as_ofs and item.compare != snapshot else None
    compare = compare or previous_as_of(base.as_ofs, snapshot)
    index = RegionIndex.from_regions(base.query("regions", as_of=snapshot))
    cities, counties = viewer_filters(base.data_scope, index, item.city, item.county)
    scope = resolve_scope(index, base.scope.region_adcode, cities, counties)
    return replace(base, snapshot=snapshot, compare=compare, scope=scope)


def viewer_filters(
    data_scope: DataScope | None, index: RegionIndex, cities: Sequence[str], counties: Sequence[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A deck step's (cities, counties) narrowed to what this viewer reads, named as they see it.

    The figures of a planner's session are read within their units whatever a step asks for (the
    query gateway), and a step for the whole region or for a city they hold only part of survives
    the deck's scope filter (uniondash.data.decks.restrict). Its scope, and so every label made from
    it (the slide's scope line, a rank's "among"), must then name those units, never 全区 or a city
    they do not read whole: a region-wide step becomes the viewer's own assignment (as their pages
    default to: default_selection), a city they hold whole stays that city, and a city they hold
    in part becomes its counties they read (the step's own counties among them, if it named some).
    index: the snapshot's units as this viewer reads them. With no data scope (leader, admin) the
    step is unchanged."""
    cities, counties = tuple(cities), tuple(counties)
    if data_scope is None:
        return cities, counties
    if not cities and not counties:
        return default_selection(data_scope, index.cities)
    if all(c in index.cities for c in cities):  # every city named is wholly theirs (or none is named)
        return cities, counties
    pool = [c for c in index.counties if not cities or index.parent.get(c) in cities]
    chosen = [c for c in pool if c in counties]
    within = tuple(chosen or pool)
    return ((), within) if within else default_selection(data_scope, index.cities)


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
def build_slide(view: View, kind: str, theme: str, station_filters: tuple = ()) -> Slide:
    """One slide of a view. station_filters: the link's station filters (/present?kind=…, as
    frozen_filters gives them), for the stations slide; no other slide depends on them."""
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
    if kind == "stations_map":
        filters = {k: list(v) if isinstance(v, tuple) else v for k, v in station_filters}
        slide = map_slides.stations_map(view, theme, filters)
    else:
        slide = builders[kind](view, theme)
    notes = (*slide.notes, t("present.privacy_note", view.lang))
    meta = {**slide_meta(view), **slide.meta, "definitions": kpi_definitions(slide, view.lang)}
    return replace(slide, notes=notes, meta=meta)


def kpi_definitions(slide: Slide, lang: str) -> tuple[str, ...]:
    """ "Name: definition" of every catalogue KPI the slide names (title, tiles, sentences, caption,
    chart labels), for its speaker notes; longer names first so that a name inside another is not
    counted twice."""
    from uniondash.metrics.kpis import load_catalogue

    text = " ".join(
        [slide.title, slide.caption, *slide.bullets, *(f"{x.label} {x.detail}" for x in slide.tiles)]
        + [str(v) for tr in (slide.figure.data if slide.figure is not None else ()) if tr.type == "bar" for v in tr.y]
        + ([str(slide.figure.layout.xaxis.title.text or "")] if slide.figure is not None else [])
    )
    out = []
    for kpi in sorted(load_catalogue().kpis, key=lambda k: -len(k.name(lang))):
        name = kpi.name(lang)
        if name in text:
            text = text.replace(name, " ")
            out.append(f"{name}{'：' if lang == 'zh' else ': '}{kpi.definition(lang)}")
    return tuple(out)
