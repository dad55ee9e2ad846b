"""The shared filters in the URL (DESIGN.md section 5): snapshot, compare, city, county, lang.

Values are adcodes and ISO dates, so a link reads the same in any language. On a session's
first run the URL seeds the widgets' state (invalid values are dropped); on every run the
state is written back, so the address bar always reproduces the view, across page switches.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping

from uniondash.i18n import LANGS

LIST_KEYS = ("city", "county")
SEEDED = "_url_seeded"


def seed_from_url(
    state: MutableMapping, params, as_ofs: Iterable[str], cities: Iterable[str], counties: Iterable[str]
) -> None:
    """Once per session: copy valid URL values into widget state."""
    if state.get(SEEDED):
        return
    as_ofs, cities, counties = list(as_ofs), set(cities), set(counties)
    lang = params.get("lang")
    if lang in LANGS:
        state["lang"] = lang
    if params.get("snapshot") in as_ofs:
        state["snapshot"] = params.get("snapshot")
    if params.get("compare") in as_ofs:
        state["compare"] = params.get("compare")
    state["city"] = [c for c in dict.fromkeys(params.get_all("city")) if c in cities]
    state["county"] = [c for c in dict.fromkeys(params.get_all("county")) if c in counties]
    state[SEEDED] = True


def url_values(state: MutableMapping, latest: str) -> dict[str, str | list[str]]:
    """The query parameters for the current state; defaults are left out to keep links short."""
    out: dict[str, str | list[str]] = {}
    if state.get("lang", "zh") != "zh":
        out["lang"] = state["lang"]
    if state.get("snapshot") and state["snapshot"] != latest:
        out["snapshot"] = state["snapshot"]
    if state.get("compare") not in (None, "auto"):
        out["compare"] = state["compare"]
    for key in LIST_KEYS:
        if state.get(key):
            out[key] = list(state[key])
    return out


def write_to_url(params, values: dict[str, str | list[str]], owned: Iterable[str]) -> None:
    """Make the URL's filter parameters equal `values`, leaving any other parameter alone."""
    for key in owned:
        if key in values:
            if (params.get_all(key) if isinstance(values[key], list) else params.get(key)) != values[key]:
                params[key] = values[key]
        elif key in params:
            del params[key]
