"""The presentation's state: which deck (default, or ?deck=NAME), the snapshot fixed when it opened,
the slide (?slide=, 1-based), auto-advance (?auto=seconds). Bad values are named in a notice, in
the viewer's language, and dropped from the URL."""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from uniondash.access.data_scope import default_selection
from uniondash.data.decks import Deck, DeckError, DeckItem, default_deck, expand_each, load_deck, restrict
from uniondash.metrics.scope import RegionIndex, resolve_scope
from uniondash.text.i18n import t
from uniondash.ui.present.controls import EACH_COUNTIES
from uniondash.ui.present.kpi_slides import ranked_counties
from uniondash.ui.view import View

AUTO_MIN, AUTO_MAX = 2, 3600  # a wall screen's playlist may turn every 2 s (the browser test's pace)
OPENED = "_present_opened"


@dataclass(frozen=True)
class Presentation:
    deck: Deck
    snapshot: str  # fixed when the deck opened: slides never disagree mid-meeting
    auto: int  # seconds, 0 = off
    notices: tuple[str, ...]
    each: str = ""  # "county": the county-in-focus slide once per county of the scope (?each=county)


def parse_auto(raw: str | None) -> int | None:
    """Seconds between slides, or None when the value is invalid ('' or absent is 0: off)."""
    if raw in (None, "", "0"):
        return 0
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if AUTO_MIN <= value <= AUTO_MAX else None


def parse_slide(raw: str | None, n: int) -> int | None:
    """0-based slide index from a 1-based ?slide=, or None when it names no slide."""
    if raw in (None, ""):
        return 0
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value - 1 if 1 <= value <= n else None


def _allowed(view: View) -> tuple[set[str], dict[str, str]]:
    """Counties this viewer may see: view.regions() is read through the session's data scope
    (uniondash.data.warehouse), so a planner gets their own counties only (docs/architecture.md, Privacy
    and security rules)."""
    regions = view.regions()
    counties = regions[regions.level == "county"]
    return set(counties.adcode), dict(zip(counties.adcode, counties.parent_adcode))


def playlist_counties(view: View, allowed: set[str]) -> tuple[str, ...]:
    """The counties a county playlist plays, best-ranked first on the focus KPI: those of the view's
    cities (or the whole region, or a planner's own units) that the viewer reads. The link's
    county= names the county shown, not the scope (a copied link reopens at it, with the rest)."""

    index = RegionIndex.from_regions(view.regions())
    cities, counties = view.scope.cities, ()
    if not cities and view.data_scope is not None:
        cities, counties = default_selection(view.data_scope, index.cities)
    pool = resolve_scope(index, view.scope.region_adcode, cities, counties).counties
    return ranked_counties(view, [c for c in pool if c in allowed])


def open_presentation(view: View) -> Presentation:
    """Once per session and deck: load and restrict the deck, fix the snapshot, read ?slide/?auto/?each."""
    ss, params, lang = st.session_state, st.query_params, view.lang
    name = params.get("deck") or ""
    each = params.get("each") or ""
    opened = ss.get(OPENED)
    if opened and opened.deck.name == (name or "default") and opened.each == (each if each == "county" else ""):
        return opened
    notices = []
    if each and each != "county":
        notices.append(t("present.bad_each", lang, value=str(each)[:20]))
        del params["each"]
        each = ""
    deck = default_deck(view.scope.cities, view.scope.chosen_counties)
    if each:
        deck = Deck("default", (DeckItem("county", each="county"),))
    if name:
        try:
            deck = load_deck(view.settings.data_dir, name)
        except DeckError as exc:
            notices.append(t("present.bad_deck", lang, reason=str(exc)))
            del params["deck"]
    allowed, parents = _allowed(view)
    # a step that says "each": "county" plays once per county the viewer may read, best-ranked first
    if each:
        counties = playlist_counties(view, allowed)
    else:
        counties = ranked_counties(view, [c for c in view.scope.counties if c in allowed])
    deck = replace(deck, items=expand_each(deck.items, counties))
    deck, dropped = restrict(deck, allowed, parents)
    if dropped:
        notices.append(t("present.dropped", lang, n=dropped))
    auto = parse_auto(params.get("auto"))
    if auto is None:
        notices.append(
            t("present.bad_auto_range", lang, value=str(params.get("auto"))[:20], low=AUTO_MIN, high=AUTO_MAX)
        )
        auto = 0
    slide = parse_slide(params.get("slide"), len(deck.items))
    if slide is None:
        notices.append(t("present.bad_slide", lang, value=str(params.get("slide"))[:20]))
        slide = 0
    shown = params.get_all("county")
    if each and len(shown) == 1:  # a copied playlist link reopens at the county it showed
        slide = next((i for i, item in enumerate(deck.items) if item.county == (shown[0],)), slide)
    ss["present_slide"] = slide
    ss["_auto_paused"] = False
    if each:
        ss[EACH_COUNTIES] = [item.county[0] for item in deck.items]
    else:
        ss.pop(EACH_COUNTIES, None)
    opened = Presentation(deck, view.snapshot, auto, tuple(notices), each)
    ss[OPENED] = opened
    return opened


def write_present_url(p: Presentation) -> None:
    params, ss = st.query_params, st.session_state
    values = {"slide": str(ss["present_slide"] + 1), "auto": str(p.auto) if p.auto else None}
    values["deck"] = p.deck.name if p.deck.name != "default" else None
    if p.each and p.deck.items:  # the playlist's county follows the slide shown: a copied link reopens it
        values["each"] = p.each
        county = p.deck.items[ss["present_slide"]].county
        values["county"] = county[0] if len(county) == 1 else None
    for key, value in values.items():
        if value is None:
            if key in params and key != "county":  # county is the shared filter's unless the playlist sets it
                del params[key]
        elif params.get_all(key) != [value]:
            params[key] = value
