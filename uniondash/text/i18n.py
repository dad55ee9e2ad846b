"""The string catalogue: t(key, lang, **fields). Words live in uniondash/text/strings*.toml, one file
per feature (strings.toml for the pages, strings_<feature>.toml beside it); a key defined twice fails.

The words for the whole region ({whole} 全省 / whole province, {Whole}, {level}, {Level}) are the
region's own (uniondash.text.region_words): every Settings made sets them for the process
(use_region), and a string that needs them before that is an error, never a guess."""

from __future__ import annotations

import tomllib
from functools import cache, lru_cache
from pathlib import Path

LANGS = ("zh", "en")
STRINGS_DIR = Path(__file__).parent


@lru_cache(maxsize=1)
def strings() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(STRINGS_DIR.glob("strings*.toml")):
        table = tomllib.loads(path.read_text(encoding="utf-8"))
        twice = sorted(set(table) & set(merged))
        if twice:
            raise KeyError(f"{path.name} defines keys already defined elsewhere: {twice}")
        merged.update(table)
    return merged


_region: dict[str, dict[str, str]] = {}
REGION_FIELDS = ("{whole}", "{Whole}", "{level}", "{Level}")


def use_region(adcode: str, org_name: str = "") -> None:
    """The region whose level words fill {whole}, {Whole}, {level} and {Level} (one per process).

    One assignment, not clear() then update(): every load_settings() calls this, on any session's
    script thread, and a script on another thread between the two found no words and failed (50
    users on 2 workers: 6 page errors in `make load`, RuntimeError from region_fields)."""
    global _region
    from uniondash.text.region_words import fields

    _region = dict(fields(adcode, org_name))


def region_fields(lang: str) -> dict[str, str]:
    if not _region:
        raise RuntimeError("the region's level words are not set: load the settings first (config.load_settings)")
    return _region["en" if lang == "en" else "zh"]


def whole(text: str, lang: str) -> str:
    """Any text (a KPI's definition, say) with the region's level words filled in."""
    if not any(f in text for f in REGION_FIELDS):
        return text
    words = region_fields(lang)
    for name, word in words.items():
        text = text.replace("{" + name + "}", word)
    return text


@cache
def _text(key: str, lang: str) -> tuple[str, bool]:
    """A key's text in a language, and whether it holds the region's level words: looked up once
    (t is called thousands of times a rerun, e.g. per row of the station list)."""
    entry = strings()[key]  # a missing key is a bug: fail loudly, tests catch it
    text = entry.get(lang) or entry["zh"]
    return text, any(f in text for f in REGION_FIELDS)


def t(key: str, lang: str = "zh", **fields) -> str:
    text, regional = _text(key, lang)
    if regional:
        fields = {**region_fields(lang), **fields}
    return text.format(**fields) if fields else text
