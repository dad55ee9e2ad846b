"""Immutable snapshots: data/snapshots/<as_of>/*.parquet + manifest.json, listed and verified.

Reading verifies every folder against the contract (name, manifest, file paths, sha256, dates,
cheap data checks); a snapshot that fails is listed with its reasons and never served. Writing
(atomically, so that no partial snapshot is ever seen) is uniondash.data.snapshot_writer's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from uniondash import clock
from uniondash.data.schema import SCHEMA_VERSION, TABLES
from uniondash.errors import SnapshotError

AS_OF_RE = re.compile(r"\d{4}-\d{2}-\d{2}")  # always fullmatch: `$` would accept a trailing newline
FILE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.parquet")  # a plain file name inside the folder
SHA_RE = re.compile(r"[0-9a-f]{64}")
MANIFEST = "manifest.json"
DEFAULT_TZ = "Asia/Shanghai"


@dataclass(frozen=True)
class Snapshot:
    as_of: str
    path: Path
    manifest: dict = field(hash=False, compare=False)
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def is_demo(self) -> bool:
        return self.manifest.get("source") == "demo"

    @property
    def rows(self) -> int:
        """Rows of every table, as the manifest records them (0 for an entry that records none)."""
        tables = self.manifest.get("tables", {})
        return sum(e["rows"] for e in tables.values() if isinstance(e, dict) and isinstance(e.get("rows"), int))

    def table_path(self, table: str) -> Path:
        return self.path / self.manifest["tables"][table]["file"]


def is_as_of(name: str) -> bool:
    """A real calendar date written YYYY-MM-DD, nothing before or after it."""
    if not isinstance(name, str) or not AS_OF_RE.fullmatch(name):
        return False
    try:
        dt.date.fromisoformat(name)
    except ValueError:
        return False
    return True


def validate_as_of(as_of: str) -> str:
    if not isinstance(as_of, str) or not AS_OF_RE.fullmatch(as_of):
        raise SnapshotError(f"快照日期 {as_of!r} 格式应为 YYYY-MM-DD。/ Snapshot date {as_of!r} must be YYYY-MM-DD.")
    if not is_as_of(as_of):
        raise SnapshotError(f"快照日期 '{as_of}' 不是有效日期。/ '{as_of}' is not a valid date.")
    return as_of


def region_today(tz: str = DEFAULT_TZ) -> dt.date:
    """Today in the region's time zone: an import at 07:00 Beijing time is already 'today' there."""
    return clock.today(tz)


def local_date(timestamp: str, tz: str = DEFAULT_TZ) -> dt.date:
    """The date of an ISO timestamp (UTC when it names no offset) in the region's time zone."""
    moment = dt.datetime.fromisoformat(timestamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(tz)).date()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest_problems(name: str, manifest: dict, tz: str) -> list[str]:
    problems = []
    if manifest.get("schema_version") != SCHEMA_VERSION:
        problems.append(f"schema_version {manifest.get('schema_version')!r} ≠ {SCHEMA_VERSION}")
    if manifest.get("as_of") != name:
        problems.append(
            f"清单日期 {manifest.get('as_of')!r} 与文件夹 {name} 不符 / manifest as_of differs from the folder"
        )
    created = manifest.get("created_at")
    try:
        created_on = local_date(created, tz)
    except (TypeError, ValueError):
        problems.append(f"created_at {created!r} 不是时间 / created_at is not a timestamp")
    else:
        if name > created_on.isoformat():
            problems.append(
                f"快照日期 {name} 晚于创建日期 {created_on}（{tz}）/ as-of is later than the manifest's created_at"
            )
    return problems


def _table_problems(path: Path, tables: dict, verify: bool) -> list[str]:
    problems = []
    for name in TABLES:
        entry = tables.get(name)
        if entry is None:
            problems.append(f"清单缺少表 {name} / manifest lacks table {name}")
            continue
        file = entry.get("file") if isinstance(entry, dict) else None
        if not isinstance(file, str):
            problems.append(f"清单中表 {name} 没有 file / table {name} has no file entry")
            continue
        if not FILE_RE.fullmatch(file):
            problems.append(f"表 {name} 的文件 {file!r} 不在快照文件夹内 / file leaves the snapshot folder")
            continue
        if not isinstance(entry.get("sha256"), str) or not SHA_RE.fullmatch(entry["sha256"]):
            problems.append(f"表 {name} 没有有效的 sha256 / table {name} has no valid sha256")
            continue
        target = path / file
        if not target.is_file() or target.is_symlink():
            problems.append(f"{target} 不存在 / file missing")
        elif verify and sha256_file(target) != entry["sha256"]:
            problems.append(f"{target} 校验和不符（文件被修改或损坏）/ sha256 mismatch")
    return problems


def _check(path: Path, verify: bool, tz: str, data_checks: bool) -> Snapshot:
    name = path.name
    shown = name.encode("unicode_escape").decode("ascii")
    if not is_as_of(name):
        return Snapshot(
            shown, path, {}, (f"文件夹名 {name!r} 不是 YYYY-MM-DD 日期 / folder name is not a YYYY-MM-DD date",)
        )
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Snapshot(name, path, {}, (f"{path / MANIFEST} 不存在 / manifest missing",))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return Snapshot(name, path, {}, (f"{path / MANIFEST} 无法解析：{exc} / manifest unreadable",))
    if not isinstance(manifest, dict) or not isinstance(manifest.get("tables"), dict):
        return Snapshot(name, path, {}, (f"{path / MANIFEST} 不是快照清单（缺少 tables）/ not a snapshot manifest",))
    problems = _manifest_problems(name, manifest, tz) + _table_problems(path, manifest["tables"], verify)
    snap = Snapshot(name, path, manifest, tuple(problems))
    if verify and data_checks and not problems:
        from uniondash.data.checks import open_problems  # cheap data checks: an unknown kind is refused here

        problems += open_problems(snap)
        snap = Snapshot(name, path, manifest, tuple(problems))
    return snap


def list_snapshots(
    snapshots_dir: Path, verify: bool = True, tz: str | None = None, data_checks: bool = True
) -> list[Snapshot]:
    """Every snapshot folder, oldest first, each with the problems found (none when good).

    Every visible folder counts: one whose name is not a date is listed as refused, not skipped.
    Hidden folders (`.tmp-…`) are writers' work in progress and never listed."""
    if not snapshots_dir.is_dir():
        return []
    if tz is None:
        from uniondash.config import load_settings

        tz = load_settings().timezone
    found = [p for p in snapshots_dir.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return [_check(p, verify, tz, data_checks) for p in sorted(found, key=lambda p: p.name)]
