"""The shared filters in the URL (docs/architecture.md, Interfaces): snapshot, compare, city, county, lang.

Values are adcodes and ISO dates, so a link reads the same in any language. On a session's
first run the URL seeds the widgets' state; on every run the state is written back, so the
address bar always reproduces the view, across page switches. A value that cannot be honoured
(an unknown snapshot, county or choice, a compare date after the snapshot, a number that is not
finite or out of range) is not used: it is recorded (note_ignored) so that the page names it
in a notice, and the URL is rewritten to what is shown.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, MutableMapping

from uniondash.text.i18n import LANGS

LIST_KEYS = ("city", "county")
SEEDED = "_url_seeded"
IGNORED = "_url_ignored"
KEPT = "_url_kept_"  # + a page parameter's state key: its value when the page was last shown
MAX_SHOWN = 40  # a hostile value is named, not echoed at any length


def note_ignored(state: MutableMapping, key: str, value) -> None:
    """Remember a URL value that was not used, for the notice (url_notice in ui.parts)."""
    text = str(value)
    text = text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"
    state.setdefault(IGNORED, [])
    if (key, text) not in state[IGNORED]:
        state[IGNORED].append((key, text))


def pop_ignored(state: MutableMapping) -> list[tuple[str, str]]:
    return list(state.pop(IGNORED, None) or [])


def seed_from_url(
    state: MutableMapping, params, as_ofs: Iterable[str], cities: Iterable[str], counties: Iterable[str]
) -> None:
    """Once per session: copy valid URL values into widget state; note the others."""
    if state.get(SEEDED):
        return
    as_ofs, cities, counties = list(as_ofs), set(cities), set(counties)
    lang = params.get("lang")
    if lang in LANGS:
        state["lang"] = lang
    elif lang is not None:
        note_ignored(state, "lang", lang)
    snapshot = params.get("snapshot")
    if snapshot in as_ofs:
        state["snapshot"] = snapshot
    elif snapshot is not None:
        note_ignored(state, "snapshot", snapshot)
    shown = state.get("snapshot") or (as_ofs[-1] if as_ofs else None)
    compare = params.get("compare")
    if compare in as_ofs and (shown is None or compare < shown):
        state["compare"] = compare
    elif compare is not None and compare != "auto":
        note_ignored(state, "compare", compare)  # unknown, or not before the snapshot shown
    for key, known in (("city", cities), ("county", counties)):
        values = list(dict.fromkeys(params.get_all(key)))
        state[key] = [c for c in values if c in known]
        for bad in (c for c in values if c not in known):
            note_ignored(state, key, bad)
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


class Invalid(ValueError):
    """A URL value that cannot be honoured."""


class Param:
    """A page's own URL parameter, kept in widget state under `state_key` (the same name unless given).

    kind: "list" (repeatable values from choices), "str" (one of choices), "str_free" (any
    text up to 50 characters), "bool" ("1"/"0"), "int" or "float" (finite, within [lo, hi]).
    The default is left out of the URL."""

    def __init__(self, key: str, kind: str, default, choices=None, lo=None, hi=None, state_key: str | None = None):
        self.key, self.kind, self.default, self.choices, self.lo, self.hi = key, kind, default, choices, lo, hi
        self.state_key = state_key or key

    def parse(self, params):
        """The value for the widget, or None when the URL does not give one; raises Invalid when the
        URL gives one that cannot be honoured (a list keeps its good values and names the others)."""
        raw = params.get_all(self.key) if self.kind == "list" else params.get(self.key)
        if raw in (None, []):
            return None
        if self.kind == "list":
            values = list(dict.fromkeys(raw))
            good = [v for v in values if v in self.choices]
            bad = [v for v in values if v not in self.choices]
            if bad:
                raise Invalid(bad, good or None)
            return good
        if self.kind == "str":
            if raw in self.choices:
                return raw
            raise Invalid([raw], None)
        if self.kind == "str_free":  # free text, e.g. a search: shown as text, bound as a value
            return str(raw)[:50]
        if self.kind == "bool":
            if raw in ("1", "0"):
                return raw == "1"
            raise Invalid([raw], None)
        try:
            value = int(raw) if self.kind == "int" else float(raw)
        except (TypeError, ValueError):
            raise Invalid([raw], None) from None
        if not math.isfinite(value) or not (self.lo <= value <= self.hi):
            raise Invalid([raw], None)  # nan, inf, or out of range: not silently clamped
        return value

    def encode(self, value):
        if value == self.default or value is None or (self.kind == "list" and list(value) == list(self.default)):
            return None
        if self.kind == "list":
            return list(value)
        if self.kind == "bool":
            return "1" if value else "0"
        if self.kind == "float":
            return f"{value:g}"
        return str(value)


def seed_page(state: MutableMapping, params, specs: list[Param], page: str) -> None:
    """Once per session and page: URL values (valid ones) seed the page's widget state; the others
    are noted for the notice and replaced by the default (or, for a list, its good values)."""
    flag = f"_url_seeded_{page}"
    if state.get(flag):
        # Streamlit forgets a widget's value while its page is not shown: coming back, the page
        # opens as it was left (the value kept by write_page), not at the defaults.
        for spec in specs:
            if spec.state_key not in state:
                state[spec.state_key] = state.get(KEPT + spec.state_key, spec.default)
        return
    for spec in specs:
        try:
            value = spec.parse(params)
        except Invalid as exc:
            bad, value = exc.args
            for v in bad:
                note_ignored(state, spec.key, v)
        state[spec.state_key] = spec.default if value is None else value
    state[flag] = True


def write_page(params, state: MutableMapping, specs: list[Param]) -> None:
    """Write the page's parameters back: the URL reopens the same view."""
    values = {}
    for spec in specs:
        state[KEPT + spec.state_key] = state.get(spec.state_key, spec.default)
        encoded = spec.encode(state.get(spec.state_key, spec.default))
        if encoded is not None:
            values[spec.key] = encoded
    write_to_url(params, values, [s.key for s in specs])
