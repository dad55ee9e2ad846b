"""The presentation's state: which deck (default, or ?deck=NAME), the snapshot fixed when it opened,
the slide (?slide=, 1-based), auto-advance (?auto=seconds). Bad values are named in a notice, in
the viewer's language, and dropped from the URL."""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from uniondash.data.decks import Deck, DeckError, default_deck, expand_each, load_deck, restrict
from uniondash.text.i18n import t
from uniondash.ui.view import View

AUTO_MIN, AUTO_MAX = 5, 3600
OPENED = "_present_opened"


@dataclass(frozen=True)
class Presentation:
    deck: Deck
    snapshot: str  # fixed when the deck opened: slides never disagree mid-meeting
    auto: int  # seconds, 0 = off
    notices: tuple[str, ...]


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


def open_presentation(view: View) -> Presentation:
    """Once per session and deck: load and restrict the deck, fix the snapshot, read ?slide/?auto."""
    ss, params, lang = st.session_state, st.query_params, view.lang
    name = params.get("deck") or ""
    opened = ss.get(OPENED)
    if opened and opened.deck.name == (name or "default"):
        return opened
    notices = []
    deck = default_deck(view.scope.cities, view.scope.chosen_counties)
    if name:
        try:
            deck = load_deck(view.settings.data_dir, name)
        except DeckError as exc:
            notices.append(t("present.bad_deck", lang, reason=str(exc)))
            del params["deck"]
    allowed, parents = _allowed(view)
    # a step that says "each": "county" plays once per county of the view's scope the viewer may read
    deck = replace(deck, items=expand_each(deck.items, [c for c in view.scope.counties if c in allowed]))
    deck, dropped = restrict(deck, allowed, parents)
    if dropped:
        notices.append(t("present.dropped", lang, n=dropped))
    auto = parse_auto(params.get("auto"))
    if auto is None:
        notices.append(t("present.bad_auto", lang, value=str(params.get("auto"))[:20]))
        auto = 0
    slide = parse_slide(params.get("slide"), len(deck.items))
    if slide is None:
        notices.append(t("present.bad_slide", lang, value=str(params.get("slide"))[:20]))
        slide = 0
    ss["present_slide"] = slide
    ss["_auto_paused"] = False
    opened = Presentation(deck, view.snapshot, auto, tuple(notices))
    ss[OPENED] = opened
    return opened


def write_present_url(p: Presentation) -> None:
    params, ss = st.query_params, st.session_state
    values = {"slide": str(ss["present_slide"] + 1), "auto": str(p.auto) if p.auto else None}
    values["deck"] = p.deck.name if p.deck.name != "default" else None
    for key, value in values.items():
        if value is None:
            if key in params:
                del params[key]
        elif params.get(key) != value:
            params[key] = value
