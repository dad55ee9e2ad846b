"""Saved agendas (decks) for presentation mode: an ordered list of views, one small JSON file per
deck in the data folder's decks/ (shared by every worker, since they share the data folder).

A deck's name is its file name, so names are limited to letters, digits and '-' (no path can be
formed from one); files are written beside and renamed into place, so a reader never sees half
a deck.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from uniondash.errors import UserFacingError

NAME_RE = re.compile(r"^[A-Za-z0-9-]{1,40}$")
AS_OF_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ADCODE_RE = re.compile(r"^\d{6}$")
SLIDE_KINDS = ("headline", "coverage_map", "stations_map", "competitions", "changes", "behind", "county")
PAGES = ("overview", "coverage", "stations", "competitions", "county", "present")
MAX_ITEMS = 40
MAX_BYTES = 64_000


class DeckError(UserFacingError):
    pass


@dataclass(frozen=True)
class DeckItem:
    """One slide of an agenda: the view it came from (page, filters, snapshot) and its kind."""

    kind: str
    page: str = "present"
    snapshot: str | None = None  # None: the snapshot fixed when the deck opens
    compare: str | None = None
    city: tuple[str, ...] = ()
    county: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: dict) -> DeckItem:
        """A validated item; anything unexpected is refused with its reason (never half-used)."""
        if not isinstance(raw, dict):
            raise DeckError(f"议程条目应为对象 / a deck item must be an object: {raw!r:.60}")
        kind, page = raw.get("kind"), raw.get("page", "present")
        if kind not in SLIDE_KINDS:
            raise DeckError(f"未知的幻灯片类型 / unknown slide kind: {kind!r:.40}")
        if page not in PAGES:
            raise DeckError(f"未知的页面 / unknown page: {page!r:.40}")
        dates = [raw.get(k) for k in ("snapshot", "compare")]
        if any(d is not None and not (isinstance(d, str) and AS_OF_RE.match(d)) for d in dates):
            raise DeckError(f"快照日期无效 / invalid snapshot date in {raw!r:.80}")
        codes = {k: raw.get(k) or [] for k in ("city", "county")}
        if any(
            not isinstance(v, list) or not all(isinstance(c, str) and ADCODE_RE.match(c) for c in v)
            for v in codes.values()
        ):
            raise DeckError(f"区划代码无效 / invalid adcode in {raw!r:.80}")
        return cls(kind, page, dates[0], dates[1], tuple(codes["city"]), tuple(codes["county"]))

    def to_json(self) -> dict:
        out = asdict(self)
        out["city"], out["county"] = list(self.city), list(self.county)
        return out


@dataclass(frozen=True)
class Deck:
    name: str
    items: tuple[DeckItem, ...] = field(default_factory=tuple)


def check_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise DeckError(
            f"议程名称“{str(name)[:40]}”无效：只能用字母、数字和“-”，最多 40 个字符。"
            f" / Invalid deck name '{str(name)[:40]}': letters, digits and '-' only, up to 40 characters."
        )
    return name


def decks_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "decks"


def deck_path(data_dir: Path, name: str) -> Path:
    return decks_dir(data_dir) / f"{check_name(name)}.json"


def save_deck(data_dir: Path, deck: Deck) -> Path:
    """Write the deck atomically (temporary file beside it, then rename)."""
    path = deck_path(data_dir, deck.name)
    if not deck.items:
        raise DeckError("议程为空 / the deck has no slides")
    if len(deck.items) > MAX_ITEMS:
        raise DeckError(f"议程最多 {MAX_ITEMS} 页 / a deck has at most {MAX_ITEMS} slides")
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"name": deck.name, "items": [i.to_json() for i in deck.items]}, ensure_ascii=False, indent=1)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_deck(data_dir: Path, name: str) -> Deck:
    path = deck_path(data_dir, name)
    if not path.is_file():
        raise DeckError(f"没有名为“{name}”的议程 / no deck named '{name}'")
    if path.stat().st_size > MAX_BYTES:
        raise DeckError(f"议程文件过大 / deck file too large: {path.name}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DeckError(f"议程文件无法读取 / deck file unreadable: {path.name}: {exc}") from None
    items = raw.get("items") if isinstance(raw, dict) else None
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
        raise DeckError(f"议程文件格式不对 / deck file malformed: {path.name}")
    return Deck(name, tuple(DeckItem.parse(i) for i in items))


def list_decks(data_dir: Path) -> list[str]:
    folder = decks_dir(data_dir)
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.json") if NAME_RE.match(p.stem))


def default_deck(city: tuple[str, ...] = (), county: tuple[str, ...] = ()) -> Deck:
    """Every slide kind for one scope: the deck /present opens without ?deck=."""
    return Deck("default", tuple(DeckItem(k, "present", None, None, tuple(city), tuple(county)) for k in SLIDE_KINDS))


def restrict(deck: Deck, allowed_counties: set[str], parents: dict[str, str]) -> tuple[Deck, int]:
    """Only the items the viewer's scope allows: every county named (or every county of every city
    named) must be allowed. Returns the deck and how many items were dropped."""
    allowed_cities = {
        c for c in set(parents.values()) if all(a in allowed_counties for a, p in parents.items() if p == c)
    }
    kept = tuple(
        i
        for i in deck.items
        if set(i.county) <= allowed_counties
        and set(i.city) <= allowed_cities
        and (i.city or i.county or allowed_counties >= set(parents))
    )
    return Deck(deck.name, kept), len(deck.items) - len(kept)
