"""The string catalogue (uniondash/strings.toml): t(key, lang, **fields)."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

LANGS = ("zh", "en")
STRINGS_FILE = Path(__file__).with_name("strings.toml")


@lru_cache(maxsize=1)
def strings() -> dict[str, dict[str, str]]:
    return tomllib.loads(STRINGS_FILE.read_text(encoding="utf-8"))


def t(key: str, lang: str = "zh", **fields) -> str:
    entry = strings()[key]  # a missing key is a bug: fail loudly, tests catch it
    text = entry.get(lang) or entry["zh"]
    return text.format(**fields) if fields else text
