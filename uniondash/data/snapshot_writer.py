"""Writing snapshots atomically: a new snapshot, a replacement of one, or a whole set swapped in.

A snapshot is written to a hidden temporary folder (`.tmp-<label>-<pid>-<hex>`) and renamed into
place, so a killed build or import never leaves a partial snapshot; the next writer removes the
temporary folders of processes that are gone. `import --replace` sets the old snapshot aside
(data/replaced/) once the new one is in place; `demo --force` swaps a complete staging set in.
Times (created_at, the set-aside folder's stamp) come from uniondash.clock.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from uniondash import clock
from uniondash.data.schema import SCHEMA_VERSION, TABLES
from uniondash.data.snapshots import MANIFEST, is_as_of, sha256_file, validate_as_of
from uniondash.errors import SnapshotError

TMP_PREFIX = ".tmp-"
SWAP_READY = "SWAP_READY"  # in a staging folder: its snapshots are complete and may replace the old ones
REPLACED_DIR = "replaced"  # beside snapshots/: old snapshots set aside by `import --replace`


def fault_point(name: str) -> None:
    """Tests kill a writer at named moments (UNIONDASH_FAULT_AT=name): SIGKILL, as a power cut would."""
    if os.environ.get("UNIONDASH_FAULT_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def write_table(df: pd.DataFrame | pa.Table, schema: pa.Schema, path: Path) -> None:
    """Write with the contract's exact types; deterministic bytes for the same frame."""
    if isinstance(df, pa.Table):
        table = df.select(schema.names).cast(schema)
    else:
        table = pa.Table.from_pandas(df[schema.names], schema=schema, preserve_index=False)
    table = table.replace_schema_metadata(None)  # no pandas metadata: bytes depend on data only
    pq.write_table(table, path, compression="zstd", row_group_size=256_000)


def tmp_dir(parent: Path, label: str) -> Path:
    """A hidden working folder named for this process, so that cleanup knows when it is stale."""
    return parent / f"{TMP_PREFIX}{label}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _tmp_owner(path: Path) -> int | None:
    m = re.fullmatch(re.escape(TMP_PREFIX) + r".*-(\d+)-[0-9a-f]{8}", path.name)
    return int(m.group(1)) if m else None


def cleanup_stale(snapshots_dir: Path) -> list[Path]:
    """Remove the temporary folders of writers that are gone (ours only: `.tmp-…-<pid>-<hex>`).

    A staging folder marked SWAP_READY holds a complete set that a killed `demo --force` was
    swapping in: the swap is finished instead (so the set is the old one or the new one)."""
    removed: list[Path] = []
    if not snapshots_dir.is_dir():
        return removed
    for path in sorted(snapshots_dir.iterdir()):
        pid = _tmp_owner(path)
        if pid is None or not path.is_dir() or (pid != os.getpid() and _pid_alive(pid)):
            continue
        aside = _old_half_of_a_replace(snapshots_dir, path)
        if (path / SWAP_READY).exists():
            swap_in(snapshots_dir, path)
        elif aside is not None:
            os.rename(path, aside)
        else:
            shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _read_manifest(folder: Path) -> dict:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _old_half_of_a_replace(snapshots_dir: Path, tmp: Path) -> Path | None:
    """Where an interrupted replace meant to set this folder aside, if it holds the old snapshot."""
    mine = _read_manifest(tmp)
    as_of = mine.get("as_of")
    if not isinstance(as_of, str) or not is_as_of(as_of):
        return None
    served = _read_manifest(snapshots_dir / as_of)
    target = served.get("replaced_path")
    if target and not Path(target).exists() and served.get("created_at") != mine.get("created_at"):
        return Path(target)
    return None


def write_snapshot(
    snapshots_dir: Path,
    as_of: str,
    tables: dict[str, pd.DataFrame | pa.Table],
    source: str,
    extra: dict | None = None,
    copies: dict[str, Path] | None = None,
    replace: bool = False,
    on_table=None,
) -> Path:
    """Write all tables of one snapshot atomically; refuse to overwrite an existing one.

    `copies` are tables carried unchanged from another snapshot (their parquet file is copied
    byte for byte). With `replace`, an existing snapshot of that date is set aside (see
    `replaced_path` in the new manifest) after the new one is complete."""
    validate_as_of(as_of)
    copies = copies or {}
    final = snapshots_dir / as_of
    if final.exists() and not replace:
        raise SnapshotError(
            f"快照 {as_of} 已存在，快照不可修改；更正数据请用新的日期导入，或加 --replace（旧快照会保留在"
            f" {snapshots_dir.parent / REPLACED_DIR}）。/ Snapshot {as_of} exists and is immutable; pass --replace"
            " to set it aside."
        )
    missing = sorted(set(TABLES) - set(tables) - set(copies))
    if missing:
        raise SnapshotError(f"快照 {as_of} 缺少数据表：{', '.join(missing)} / snapshot lacks tables: {missing}")
    snapshots_dir.mkdir(parents=True, exist_ok=True)
    tmp = tmp_dir(snapshots_dir, as_of)
    tmp.mkdir()
    try:
        entries = {}
        for name, schema in TABLES.items():
            file = f"{name}.parquet"
            if name in copies:
                shutil.copyfile(copies[name], tmp / file)
                rows = pq.ParquetFile(tmp / file).metadata.num_rows
            else:
                write_table(tables[name], schema, tmp / file)
                rows = len(tables[name]) if not isinstance(tables[name], pa.Table) else tables[name].num_rows
            entries[name] = {"file": file, "rows": int(rows), "sha256": sha256_file(tmp / file)}
            fault_point(f"after_table:{name}")
            if on_table:
                on_table(name)
        manifest = {
            "schema_version": SCHEMA_VERSION,
            "as_of": as_of,
            "source": source,
            "created_at": clock.utc_now().isoformat(timespec="seconds"),
            "coordinate_system": "GCJ-02",
            **(extra or {}),
            "tables": entries,
        }
        if final.exists():
            manifest["replaced_path"] = str(_aside_path(snapshots_dir, as_of))
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        _fsync_tree(tmp)
        fault_point("before_rename")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if "replaced_path" in manifest:
        _publish_replacing(tmp, final, Path(manifest["replaced_path"]))
    else:
        os.rename(tmp, final)  # fails, leaving tmp for cleanup, if another writer took the date meanwhile
    fault_point("after_rename")
    return final


def _aside_path(snapshots_dir: Path, as_of: str) -> Path:
    stamp = clock.utc_now().strftime("%Y%m%dT%H%M%S%fZ")
    return snapshots_dir.parent / REPLACED_DIR / f"{as_of}-replaced-{stamp}"


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _publish_replacing(tmp: Path, final: Path, aside: Path) -> None:
    """The new snapshot takes the old one's place in one step; the old one then moves aside.

    Killed between the two steps, the old snapshot waits in the temporary folder and
    cleanup_stale moves it to `aside` (the new manifest's replaced_path) instead of deleting it."""
    aside.parent.mkdir(parents=True, exist_ok=True)
    if _exchange(tmp, final):
        fault_point("after_exchange")
        os.rename(tmp, aside)
    else:
        os.rename(final, aside)
        os.rename(tmp, final)


def _fsync_tree(folder: Path) -> None:
    """Flush the files before the rename publishes them (a power cut must not publish empty files)."""
    for p in folder.iterdir():
        with p.open("rb") as fh:
            os.fsync(fh.fileno())


def swap_in(snapshots_dir: Path, staging: Path) -> list[Path]:
    """Move a complete staging set (marked SWAP_READY) into place; the old snapshots of those dates
    are removed once the new ones are in. Idempotent, so an interrupted swap is finished later."""
    (staging / SWAP_READY).touch()
    moved = []
    for new in sorted(p for p in staging.iterdir() if p.is_dir() and is_as_of(p.name)):
        final = snapshots_dir / new.name
        if final.exists():
            old = staging / f"old-{new.name}"
            if old.exists():
                shutil.rmtree(old)
            os.rename(final, old)
        os.rename(new, final)
        moved.append(final)
    shutil.rmtree(staging, ignore_errors=True)
    return moved
