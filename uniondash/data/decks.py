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

Who may change a deck (save_deck and delete_deck take the acting account and its role, so the rule
holds whatever the caller): a deck is overwritten or deleted only by its owner or an admin (an
admin's overwrite keeps the owner); a read-only visitor (role "viewer": demo mode served to the
network) saves and deletes nothing; an owner keeps at most MAX_DECKS_PER_OWNER decks. Each save,
delete and refusal is a line of the audit log (uniondash.access.audit: deck_save, deck_delete,
deck_refused) when the caller names the accounts file. Checks and writes hold a lock on the decks
folder, so two workers cannot both pass the check and then both write.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from uniondash.access import audit
from uniondash.access.roles import ROLES
from uniondash.errors import UserFacingError
from uniondash.text.i18n import LANGS, t

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
MAX_DECKS_PER_OWNER = 50  # decks one owner may keep: saving a new one beyond it is refused
# The roles that may save and delete decks: every account's role. "viewer" (the read-only demo
# visitor) and anything unknown may not.
DECK_ROLES = ROLES


class DeckError(UserFacingError):
    pass


class DeckRefused(DeckError):
    """A save or delete the acting account may not make. reason: read_only | not_owner | cap; the
    message is the catalogue's words (uniondash/text/strings_present.toml), "zh / en" as str()
    and one language by text(lang)."""

    KEYS = {"read_only": "deck.refused_read_only", "not_owner": "deck.refused_owner", "cap": "deck.refused_cap"}

    def __init__(self, reason: str, **fields) -> None:
        self.reason, self.fields = reason, fields
        super().__init__(" / ".join(self.text(lang) for lang in LANGS))

    def text(self, lang: str) -> str:
        return t(self.KEYS[self.reason], lang, **self.fields)


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


def may_change(owner: str | None, actor: str, role: str) -> bool:
    """Whether `actor` (an account name, or ADMIN_OWNER for demo mode on this computer) with `role`
    may overwrite or delete a deck owned by `owner` (None: a file whose owner cannot be read, which
    only an admin may replace). Pure."""
    if role not in DECK_ROLES or not owner_ok(actor):
        return False
    return role == "admin" or (owner is not None and owner == actor)


@lru_cache(maxsize=4096)
def _file_owner(path: str, _version: tuple[int, int, int, int]) -> str | None:
    """The owner of a deck file (None when it cannot be read), cached per version of the file
    (inode, size, modification and change times: a save renames a new file into place)."""
    p = Path(path)
    try:
        if _version[1] > MAX_BYTES:
            return None
        return parse_deck(p.stem, json.loads(p.read_text(encoding="utf-8")), p.name).owner
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, DeckError):
        return None


def deck_owners(data_dir: Path) -> dict[str, str | None]:
    """Every saved deck's owner by name (None for a file that cannot be read), in name order."""
    out: dict[str, str | None] = {}
    for name in list_decks(data_dir):
        path = decks_dir(data_dir) / f"{name}.json"
        try:
            st = path.stat()
        except OSError:
            continue  # deleted meanwhile
        out[name] = _file_owner(str(path), (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns))
    return out


def changeable_decks(data_dir: Path, actor: str, role: str) -> list[str]:
    """The decks `actor` may overwrite or delete: their own, or every deck for an admin."""
    return [name for name, owner in deck_owners(data_dir).items() if may_change(owner, actor, role)]


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the decks folder itself (no lock file beside the decks) while a change
    is checked and made: workers share the folder, and a check must still hold when the file is
    written."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _audit(audit_file: Path | None, actor: str, action: str, address: str, **detail) -> None:
    if audit_file is not None:
        audit.record(audit_file, actor, action, address, **detail)


def _refuse(
    audit_file: Path | None,
    actor: str,
    role: str | None,
    address: str,
    attempt: str,
    deck: str,
    owner,
    reason: str,
    **fields,
) -> DeckRefused:
    """The refusal to raise, written to the audit log first."""
    extra = {"cap": fields["cap"]} if reason == "cap" else {}
    _audit(
        audit_file,
        actor,
        "deck_refused",
        address,
        deck=deck,
        owner=owner,
        role=role,
        attempt=attempt,
        reason=reason,
        **extra,
    )
    return DeckRefused(reason, **fields)


def save_deck(
    data_dir: Path,
    deck: Deck,
    *,
    actor: str | None = None,
    role: str | None = None,
    audit_file: Path | None = None,
    address: str = "",
) -> Path:
    """Write the deck atomically (temporary file beside it, then rename), always as version 2.

    actor, role: who saves it (the session's account name, ADMIN_OWNER in demo mode, and its role).
    A new deck is then owned by the actor; an existing one may be overwritten only by its owner or
    an admin, and keeps its owner. A read-only role saves nothing; an owner's deck beyond
    MAX_DECKS_PER_OWNER is refused. Without an actor (the command line, tests: no session) the call
    acts as deck.owner, under the same ownership rule and cap. audit_file: the accounts file whose
    audit log records the save or the refusal (None: no log, as in demo mode)."""
    path = deck_path(data_dir, deck.name)
    if not deck.items:
        raise DeckError("议程为空 / the deck has no slides")
    if len(deck.items) > MAX_ITEMS:
        raise DeckError(f"议程最多 {MAX_ITEMS} 页 / a deck has at most {MAX_ITEMS} slides")
    who, as_role = (deck.owner, None) if actor is None else (actor, role)

    def refuse(reason: str, owner, **fields) -> DeckRefused:
        return _refuse(audit_file, who, as_role, address, "save", deck.name, owner, reason, **fields)

    if actor is not None and role not in DECK_ROLES:
        raise refuse("read_only", None)
    deck = replace(deck, owner=who)
    if not owner_ok(deck.owner):
        raise DeckError(f"owner：{_owner_reason(deck.owner)}")
    with _locked(path.parent):
        owners = deck_owners(data_dir)
        replaced = deck.name in owners
        if replaced:
            owner = owners[deck.name]
            if not (may_change(owner, who, role) if actor is not None else owner == who):
                raise refuse("not_owner", owner, name=deck.name)
            deck = replace(deck, owner=owner or deck.owner)  # an admin's overwrite keeps the owner
        else:
            n = sum(1 for o in owners.values() if o == deck.owner)
            if n >= MAX_DECKS_PER_OWNER:
                raise refuse("cap", deck.owner, cap=MAX_DECKS_PER_OWNER, n=n)
        _write(path, deck)
    _audit(
        audit_file,
        who,
        "deck_save",
        address,
        deck=deck.name,
        owner=deck.owner,
        role=as_role,
        slides=len(deck.items),
        replaced=replaced,
    )
    return path


def _write(path: Path, deck: Deck) -> None:
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


def delete_deck(
    data_dir: Path, name: str, *, actor: str, role: str, audit_file: Path | None = None, address: str = ""
) -> None:
    """Delete a saved deck: only its owner or an admin may; a read-only role deletes nothing. The
    deletion or the refusal is written to the audit log of audit_file (None: no log)."""
    path = deck_path(data_dir, name)

    def refuse(reason: str, owner, **fields) -> DeckRefused:
        return _refuse(audit_file, actor, role, address, "delete", name, owner, reason, **fields)

    if role not in DECK_ROLES:
        raise refuse("read_only", None)
    if not path.is_file():
        raise DeckError(f"没有名为“{name}”的议程 / no deck named '{name}'")
    with _locked(path.parent):
        owners = deck_owners(data_dir)
        if name not in owners:
            raise DeckError(f"没有名为“{name}”的议程 / no deck named '{name}'")
        owner = owners[name]
        if not may_change(owner, actor, role):
            raise refuse("not_owner", owner, name=name)
        path.unlink()
    _audit(audit_file, actor, "deck_delete", address, deck=name, owner=owner, role=role)


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
