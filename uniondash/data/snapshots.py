"""Immutable snapshots: data/snapshots/<as_of>/*.parquet + manifest.json, written atomically.

A snapshot is written to a hidden temporary folder and renamed into place, so a killed build
or import never leaves a partial snapshot. Reading verifies each file's sha256 against the
manifest; a snapshot that fails is reported and skipped, never silently used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from uniondash.errors import SnapshotError
from uniondash.data.schema import SCHEMA_VERSION, TABLES

AS_OF_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MANIFEST = "manifest.json"


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

    def table_path(self, table: str) -> Path:
        return self.path / self.manifest["tables"][table]["file"]


def validate_as_of(as_of: str) -> str:
    if not AS_OF_RE.match(as_of or ""):
        raise SnapshotError(f"快照日期 '{as_of}' 格式应为 YYYY-MM-DD。/ Snapshot date '{as_of}' must be YYYY-MM-DD.")
    try:
        dt.date.fromisoformat(as_of)
    except ValueError as exc:
        raise SnapshotError(f"快照日期 '{as_of}' 不是有效日期。/ '{as_of}' is not a valid date.") from exc
    return as_of


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_table(df: pd.DataFrame, schema: pa.Schema, path: Path) -> None:
    """Write with the contract's exact types; deterministic bytes for the same frame."""
    table = pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)
    table = table.replace_schema_metadata(None)  # no pandas metadata: bytes depend on data only
    pq.write_table(table, path, compression="zstd", row_group_size=256_000)


def write_snapshot(
    snapshots_dir: Path, as_of: str, tables: dict[str, pd.DataFrame], source: str, extra: dict | None = None
) -> Path:
    """Write all tables of one snapshot atomically; refuse to overwrite an existing one."""
    validate_as_of(as_of)
    final = snapshots_dir / as_of
    if final.exists():
        raise SnapshotError(
            f"快照 {as_of} 已存在，快照不可修改；更正数据请用新的日期导入。/ Snapshot {as_of} exists and is immutable."
        )
    missing = sorted(set(TABLES) - set(tables))
    if missing:
        raise SnapshotError(f"快照 {as_of} 缺少数据表：{', '.join(missing)} / snapshot lacks tables: {missing}")
    snapshots_dir.mkdir(parents=True, exist_ok=True)
    tmp = snapshots_dir / f".tmp-{as_of}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        entries = {}
        for name, schema in TABLES.items():
            file = f"{name}.parquet"
            write_table(tables[name], schema, tmp / file)
            entries[name] = {"file": file, "rows": int(len(tables[name])), "sha256": sha256_file(tmp / file)}
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "as_of": as_of,
            "source": source,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "coordinate_system": "GCJ-02",
            **(extra or {}),
            "tables": entries,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final


def _check(path: Path, verify: bool) -> Snapshot:
    as_of = path.name
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Snapshot(as_of, path, {}, (f"{path / MANIFEST} 不存在 / manifest missing",))
    except json.JSONDecodeError as exc:
        return Snapshot(as_of, path, {}, (f"{path / MANIFEST} 无法解析：{exc} / manifest unreadable",))
    problems = []
    if manifest.get("schema_version") != SCHEMA_VERSION:
        problems.append(f"schema_version {manifest.get('schema_version')} ≠ {SCHEMA_VERSION}")
    tables = manifest.get("tables", {})
    for name in TABLES:
        entry = tables.get(name)
        if entry is None:
            problems.append(f"清单缺少表 {name} / manifest lacks table {name}")
            continue
        file = path / entry["file"]
        if not file.exists():
            problems.append(f"{file} 不存在 / file missing")
        elif verify and sha256_file(file) != entry["sha256"]:
            problems.append(f"{file} 校验和不符（文件被修改或损坏）/ sha256 mismatch")
    return Snapshot(as_of, path, manifest, tuple(problems))


def list_snapshots(snapshots_dir: Path, verify: bool = True) -> list[Snapshot]:
    """Every snapshot folder, oldest first, each with the problems found (none when good)."""
    if not snapshots_dir.is_dir():
        return []
    found = [p for p in snapshots_dir.iterdir() if p.is_dir() and AS_OF_RE.match(p.name)]
    return [_check(p, verify) for p in sorted(found, key=lambda p: p.name)]
