"""The demo's collection round, so that /data's board is not empty on a fresh `make run`: round
2024-06-30 (stations and coverage, due 2024-07-15) opened on 2024-07-01, with submissions from the
region's first four counties (one accepted, two waiting for review, one returned with its reason)
and every other county not started, hence overdue. Every time is fixed (through the clock's
UNIONDASH_NOW), so the files are the same on every build. Its audit lines go to
<data>/rounds/audit.jsonl, never to the accounts' log."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq

from uniondash import clock
from uniondash.data import rounds as R
from uniondash.data.importer import SourceFile
from uniondash.data.rounds.checking import template_name, write_workbook
from uniondash.data.rounds.units import county_units

AS_OF, DUE, OPENED = "2024-06-30", "2024-07-15", "2024-07-01T09:00:00+08:00"
NOTE = "2024 年中数据更新（演示）"
BY = "demo"


@contextlib.contextmanager
def at(moment: str):
    """Everything inside happens at this moment by the one clock."""
    before = os.environ.get(clock.ENV)
    os.environ[clock.ENV] = moment
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(clock.ENV, None)
        else:
            os.environ[clock.ENV] = before


def _clear_demo_round(store: R.RoundStore) -> bool:
    """Remove an earlier demo round (opened by "demo"); False when another round is in the way."""
    for rnd in store.rounds():
        if rnd.opened_by == BY and rnd.id == AS_OF and store.published(rnd) is None:
            shutil.rmtree(store.round_dir(rnd.as_of))
        elif rnd.is_open or rnd.id == AS_OF:
            return False
    return not (store.snapshots_dir / AS_OF).exists()


def _upload(store: R.RoundStore, unit: str, edit) -> list[SourceFile]:
    """The unit's prefilled workbooks with an edit applied to the frames."""
    base = store.base()
    files = []
    for table in ("stations", "coverage"):
        frame = pq.read_table(base.table_path(table), filters=[("adcode", "=", unit)]).to_pandas()
        frame = edit(table, frame.sort_values(frame.columns[0]).reset_index(drop=True))
        buffer = io.BytesIO()
        write_workbook(table, frame, buffer)
        files.append(SourceFile(template_name(table), data=buffer.getvalue()))
    return files


def _more_members(table, frame):
    if table == "coverage":
        frame["members"] = (frame.members + frame.employees // 100).clip(upper=frame.employees)
    return frame


def _renamed_station(table, frame):
    if table == "stations" and len(frame):
        frame.loc[0, "name"] = frame.loc[0, "name"] + "（迁址）"
    return frame


def _as_is(table, frame):
    return frame


def build_demo_round(data_dir: Path, timezone: str = clock.REGION_TZ) -> Path | None:
    """Create the demo round; None when a round of the user's own is open or took its date."""
    store = R.RoundStore(data_dir, timezone)
    if not _clear_demo_round(store):
        return None
    log = store.root / "demo-accounts.toml"  # the audit log beside it: <data>/rounds/audit.jsonl
    region = store.base().manifest.get("region_adcode", "")
    units = list(county_units(store.base()).unit[:4])
    with at(OPENED):
        R.open_round(store, AS_OF, ["stations", "coverage"], DUE, NOTE, BY, log)
    steps = [
        (units[0], _more_members, "2024-07-03T10:00:00+08:00"),
        (units[1], _renamed_station, "2024-07-04T15:30:00+08:00"),
        (units[2], _as_is, "2024-07-05T09:10:00+08:00"),
        (units[3], _more_members, "2024-07-08T11:00:00+08:00"),
    ]
    for unit, edit, moment in steps:
        with at(moment):
            result = R.submit(store, _upload(store, unit, edit), f"{BY}.{unit}", (unit,), region, accounts_file=log)
        if not result.ok:
            raise R.RoundError("demo round: " + "; ".join(p.line("en") for p in result.problems))
    with at("2024-07-06T16:00:00+08:00"):
        R.accept(store, units[0], BY, log)
    with at("2024-07-09T10:00:00+08:00"):
        R.return_unit(store, units[3], "会员人数与上年差异较大，请核实后重报（演示）", BY, log)
    return store.round_dir(AS_OF)
