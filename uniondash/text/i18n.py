"""The string catalogue: t(key, lang, **fields). Words live in uniondash/text/strings*.toml, one file
per feature (strings.toml for the pages, strings_<feature>.toml beside it); a key defined twice fails."""

from __future__ import annotations

import tomllib
from functools import lru_cache
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


def t(key: str, lang: str = "zh", **fields) -> str:
    entry = strings()[key]  # a missing key is a bug: fail loudly, tests catch it
    text = entry.get(lang) or entry["zh"]
    return text.format(**fields) if fields else text
