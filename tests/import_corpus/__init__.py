"""The import test corpus: good files exported from the hand-made fixture, and bad variants of
them, one per kind of error, written on demand into a test's folder (no binary files committed).

Every bad file differs from a good one by one thing, so each test can say exactly which file,
spreadsheet row (header = row 1) and column the importer must name."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pandas as pd

from uniondash.config import load_settings
from uniondash.data.importer.contract import specs
from uniondash.data.importer.templates import export_snapshot
from uniondash.data.snapshots import list_snapshots

REGION = "990000"


def settings_for(data_dir: Path, **changes):
    """Settings for the fixture's region and a data folder (and any other change, e.g. the size limit)."""
    return dataclasses.replace(load_settings(), data_dir=Path(data_dir), region_adcode=REGION, **changes)


def export_fixture(snapshots: Path, out: Path, as_of: str = "2023-12-31") -> Path:
    """The fixture's snapshot as filled-in templates (XLSX per table, region_shapes CSV)."""
    snap = next(s for s in list_snapshots(snapshots) if s.as_of == as_of)
    export_snapshot(snap, out)
    return out


def frame(table: str, snapshots: Path, as_of: str = "2023-12-31") -> pd.DataFrame:
    """A table of the fixture with the template's Chinese headers, every cell as text."""
    import pyarrow.parquet as pq

    snap = next(s for s in list_snapshots(snapshots) if s.as_of == as_of)
    df = pq.read_table(snap.table_path(table)).to_pandas()
    spec = specs()[table]
    out = pd.DataFrame({c.header_zh: df[c.name] for c in spec.columns})
    for col in out.columns:
        out[col] = out[col].map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else _text(v))
    return out


def _text(v) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def write_csv(df: pd.DataFrame, path: Path, encoding: str = "utf-8") -> Path:
    path.write_bytes(df.to_csv(index=False).encode(encoding))
    return path


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file and folder under `folder` with the sha256 of its bytes: equal means byte-identical."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def stations_rows(snapshots: Path, copies: int) -> pd.DataFrame:
    """The fixture's stations, each repeated `copies` times under new ids (S1-0001 …): a larger
    table with the same values, every copy inside its county."""
    base = frame("stations", snapshots)
    parts = []
    for k in range(copies):
        part = base.copy()
        part["站点编号"] = [f"{sid}-{k:04d}" for sid in base["站点编号"]]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def english(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """The same table headed by the contract's English column names."""
    names = {c.header_zh: c.name for c in specs()[table].columns}
    return df.rename(columns=names)
