"""The shared filters in the URL (DESIGN.md section 5): snapshot, compare, city, county, lang.

Values are adcodes and ISO dates, so a link reads the same in any language. On a session's
first run the URL seeds the widgets' state (invalid values are dropped); on every run the
state is written back, so the address bar always reproduces the view, across page switches.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping

from uniondash.text.i18n import LANGS

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


class Param:
    """A page's own URL parameter, kept in widget state under the same key.

    kind: "list" (repeatable values from choices), "str" (one of choices), "str_free" (any
    text up to 50 characters), "bool" ("1"/"0"),
    "int" or "float" (clamped to [lo, hi]). The default is left out of the URL."""

    def __init__(self, key: str, kind: str, default, choices=None, lo=None, hi=None):
        self.key, self.kind, self.default, self.choices, self.lo, self.hi = key, kind, default, choices, lo, hi

    def parse(self, params):
        raw = params.get_all(self.key) if self.kind == "list" else params.get(self.key)
        if raw in (None, []):
            return None
        try:
            if self.kind == "list":
                return [v for v in dict.fromkeys(raw) if v in self.choices]
            if self.kind == "str":
                return raw if raw in self.choices else None
            if self.kind == "str_free":  # free text, e.g. a search: shown as text, bound as a value
                return str(raw)[:50]
            if self.kind == "bool":
                return raw == "1"
            value = int(raw) if self.kind == "int" else float(raw)
            return min(max(value, self.lo), self.hi)
        except (TypeError, ValueError):
            return None

    def encode(self, value):
        if value == self.default or value is None or (self.kind == "list" and list(value) == list(self.default)):
            return None
        if self.kind == "list":
            return list(value)
        if self.kind == "bool":
            return "1" if value else "0"
        return str(value)


def seed_page(state: MutableMapping, params, specs: list[Param], page: str) -> None:
    """The page's widget state: on the first visit from the URL (valid values), on a return from
    what the user last chose here. Streamlit drops a widget's state on every run that does not draw
    it (another page), so the choices are kept under a key no widget owns (see write_page)."""
    flag, kept = f"_url_seeded_{page}", state.get(f"_kept_{page}", {})
    first = not state.get(flag)
    for spec in specs:
        if spec.key in state and not first:
            continue
        value = spec.parse(params) if first else None
        state[spec.key] = value if value is not None else kept.get(spec.key, spec.default)
    state[flag] = True


def write_page(params, state: MutableMapping, specs: list[Param], page: str) -> None:
    """Write the page's parameters back (the URL reopens the same view) and keep them for a return."""
    values = {}
    state[f"_kept_{page}"] = {spec.key: state.get(spec.key, spec.default) for spec in specs}
    for spec in specs:
        encoded = spec.encode(state.get(spec.key, spec.default))
        if encoded is not None:
            values[spec.key] = encoded
    write_to_url(params, values, [s.key for s in specs])
