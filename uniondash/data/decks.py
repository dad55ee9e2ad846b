"""Saved agendas (decks) for presentation mode: an ordered list of views, one small JSON file per
deck in the data folder's decks/ (shared by every worker, since they share the data folder).

A deck's name is its file name, so names are limited to letters, digits and '-' (no path can be
formed from one); files are written beside and renamed into place, so a reader never sees half
a deck. One namespace: `<data>/decks/NAME.json` is opened by `/present?deck=NAME`, whoever owns it.

The file, version 2 (what save_deck always writes):

    {"version": 2, "name": "weekly-1", "owner": "li",
     "items": [{"kind": "headline", "page": "overview", "snapshot": null, "compare": null,
                "city": ["420500"], "county": [], "each": null},
               {"kind": "county", "page": "present", "snapshot": null, "compare": null,
                "city": [], "county": [], "each": "county"}]}

owner: the account name of whoever saved it, or ADMIN_OWNER. each: null, or "county" for a step
shown once per county of the viewer's scope (expand_each); such a step names no city or county.
Version 1 files (no "version", no "owner": written before owners existed) are read as owned by
ADMIN_OWNER, the administrators as a role. A file that is neither is refused, naming the file and
the field.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from uniondash.errors import UserFacingError

NAME_RE = re.compile(r"^[A-Za-z0-9-]{1,40}$")
AS_OF_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ADCODE_RE = re.compile(r"^\d{6}$")
SLIDE_KINDS = ("headline", "coverage_map", "stations_map", "competitions", "changes", "behind", "county")
PAGES = ("overview", "coverage", "stations", "competitions", "county", "present")
MAX_ITEMS = 40
MAX_BYTES = 64_000
VERSION = 2  # the deck file version save_deck writes; load_deck reads 1 and 2
# The owner of a deck saved before decks had owners (version 1), and of one saved where no account
# is signed in (demo mode): the administrators as a role, not an account. It starts with "@",
# which no account name may (uniondash.access.accounts.NAME_RE), so no account is mistaken for it.
ADMIN_OWNER = "@admin"
MAX_OWNER = 256
EACH = ("county",)  # what a step may be repeated for: once per county of the viewer's scope


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
    each: str | None = None  # "county": this step once per county of the viewer's scope (expand_each)

    def __post_init__(self) -> None:
        if self.each is not None:
            check_each(self.each, self.city, self.county)

    @classmethod
    def parse(cls, raw: dict) -> DeckItem:
        """A validated item; anything unexpected is refused with its reason naming the field (never
        half-used)."""
        if not isinstance(raw, dict):
            raise DeckError(f"议程条目应为对象 / a deck item must be an object: {raw!r:.60}")
        kind, page = raw.get("kind"), raw.get("page", "present")
        if kind not in SLIDE_KINDS:
            raise DeckError(f"kind：未知的幻灯片类型 / kind: unknown slide kind: {kind!r:.40}")
        if page not in PAGES:
            raise DeckError(f"page：未知的页面 / page: unknown page: {page!r:.40}")
        for key in ("snapshot", "compare"):
            d = raw.get(key)
            if d is not None and not (isinstance(d, str) and AS_OF_RE.match(d)):
                raise DeckError(f"{key}：快照日期无效 / {key}: invalid snapshot date {d!r:.40}")
        codes = {k: raw.get(k) or [] for k in ("city", "county")}
        for key, v in codes.items():
            if not isinstance(v, list) or not all(isinstance(c, str) and ADCODE_RE.match(c) for c in v):
                raise DeckError(f"{key}：区划代码无效 / {key}: invalid adcode in {v!r:.60}")
        each = raw.get("each")
        if each is not None:
            check_each(each, codes["city"], codes["county"])
        return cls(
            kind, page, raw.get("snapshot"), raw.get("compare"), tuple(codes["city"]), tuple(codes["county"]), each
        )

    def to_json(self) -> dict:
        out = asdict(self)
        out["city"], out["county"] = list(self.city), list(self.county)
        return out


def check_each(each: object, city: Sequence[str], county: Sequence[str]) -> str:
    """A step's "each": one of EACH, on a step naming no city or county (its counties are the
    viewer's, filled in by expand_each)."""
    if each not in EACH:
        raise DeckError(f"each：应为 {'|'.join(EACH)} / each: must be {'|'.join(EACH)}, not {each!r:.40}")
    if city or county:
        raise DeckError("each：逐县重复的条目不能指定市县 / each: a step repeated per county names no city or county")
    return each


def expand_each(items: Iterable[DeckItem], counties: Iterable[str]) -> tuple[DeckItem, ...]:
    """The steps with every "each": "county" step repeated once per county, in the order given
    (duplicates once), the county filled in and "each" cleared; other steps unchanged, in place.
    With no counties such a step is left out. Pure: the caller passes the viewer's counties."""
    ordered = tuple(dict.fromkeys(counties))
    out: list[DeckItem] = []
    for item in items:
        if item.each == "county":
            out += [replace(item, county=(c,), each=None) for c in ordered]
        else:
            out.append(item)
    return tuple(out)


@dataclass(frozen=True)
class Deck:
    """A saved agenda. owner: the account name of whoever saved it (ADMIN_OWNER: the
    administrators, for decks saved before owners existed or without an account)."""

    name: str
    items: tuple[DeckItem, ...] = field(default_factory=tuple)
    owner: str = ADMIN_OWNER


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


def owner_ok(owner: object) -> bool:
    """An owner as stored: an account name or ADMIN_OWNER (a printable string, 1-256 characters)."""
    return isinstance(owner, str) and 0 < len(owner) <= MAX_OWNER and owner.isprintable()


def _owner_reason(owner: object) -> str:
    return f"应为账号名 / must be an account name, not {owner!r:.40}"


def save_deck(data_dir: Path, deck: Deck) -> Path:
    """Write the deck atomically (temporary file beside it, then rename), always as version 2."""
    path = deck_path(data_dir, deck.name)
    if not deck.items:
        raise DeckError("议程为空 / the deck has no slides")
    if len(deck.items) > MAX_ITEMS:
        raise DeckError(f"议程最多 {MAX_ITEMS} 页 / a deck has at most {MAX_ITEMS} slides")
    if not owner_ok(deck.owner):
        raise DeckError(f"owner：{_owner_reason(deck.owner)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(
        {"version": VERSION, "name": deck.name, "owner": deck.owner, "items": [i.to_json() for i in deck.items]},
        ensure_ascii=False,
        indent=1,
    )
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
    return parse_deck(name, raw, path.name)


def parse_deck(name: str, raw: object, where: str) -> Deck:
    """A deck from a file's JSON (version 1 or 2); refused naming the file (where) and the field."""

    def malformed(field_name: str, reason: str) -> DeckError:
        return DeckError(f"议程文件格式不对 / deck file malformed: {where}: {field_name}: {reason}")

    if not isinstance(raw, dict):
        raise malformed("(top)", "应为对象 / must be an object")
    version = raw.get("version", 1)
    if type(version) is not int or version not in (1, VERSION):
        raise malformed("version", f"应为 1 或 {VERSION} / must be 1 or {VERSION}, not {version!r:.20}")
    if version == 1:
        if "owner" in raw:
            raise malformed("owner", f"需要 version {VERSION} / needs version {VERSION}")
        owner = ADMIN_OWNER
    else:
        owner = raw.get("owner")
        if not owner_ok(owner):
            raise malformed("owner", _owner_reason(owner))
    items = raw.get("items")
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
        raise malformed("items", f"应为 1–{MAX_ITEMS} 个条目的列表 / must be a list of 1-{MAX_ITEMS} steps")
    parsed = []
    for n, item in enumerate(items):
        try:
            parsed.append(DeckItem.parse(item))
        except DeckError as exc:
            raise malformed(f"items[{n}]", str(exc)) from None
    return Deck(name, tuple(parsed), owner)


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
    return replace(deck, items=kept), len(deck.items) - len(kept)
