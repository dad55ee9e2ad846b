"""A filler's prefilled workbooks: for each table of the round, their own units' rows from the
newest snapshot, in the import template's form and file name (服务站点.xlsx …), so that they
correct rather than retype. Another unit's rows never go in."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow.parquet as pq

from uniondash.data.rounds.checking import template_name, write_workbook
from uniondash.data.rounds.model import Round, RoundStore
from uniondash.data.rounds.units import scope_counties


def prefilled(store: RoundStore, rnd: Round, scope: tuple[str, ...]) -> dict[str, bytes]:
    """File name → XLSX bytes, one per table of the round, holding only the scope's counties' rows."""
    base = store.base(rnd)
    counties = list(scope_counties(base, scope))
    out = {}
    for table in rnd.tables:
        frame = pq.read_table(base.table_path(table), filters=[("adcode", "in", counties)]).to_pandas()
        frame = frame.sort_values([c for c in ("adcode", "station_id", "worker_group") if c in frame.columns])
        buffer = io.BytesIO()
        write_workbook(table, frame, buffer)
        out[template_name(table)] = buffer.getvalue()
    return out


def write_prefilled(store: RoundStore, rnd: Round, scope: tuple[str, ...], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in prefilled(store, rnd, scope).items():
        (out / name).write_bytes(data)
        written.append(out / name)
    return written
