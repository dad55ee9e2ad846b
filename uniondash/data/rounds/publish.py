"""Publishing a round: one new snapshot, written atomically like an import, holding the accepted
submissions and, for every other unit, its rows carried from the newest snapshot (recorded per
table and unit in the manifest). Publishing twice makes one snapshot; a killed publish leaves no
partial snapshot and the round as it was (its state is read from the snapshot itself)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from uniondash import clock
from uniondash.data.rounds import audit_log
from uniondash.data.rounds.checking import arrow_rows, base_frame, candidate_problems
from uniondash.data.rounds.merge import replaced
from uniondash.data.rounds.model import Round, RoundError, RoundStore, UnitState, bilingual
from uniondash.data.rounds.units import county_units
from uniondash.data.schema import TABLES
from uniondash.data.snapshot_writer import cleanup_stale, write_snapshot
from uniondash.data.snapshots import Snapshot
from uniondash.errors import SnapshotError


@dataclass
class PublishResult:
    path: Path | None = None
    missing: list[str] = field(default_factory=list)  # units without an accepted submission (carried)
    already: bool = False  # the round had published this snapshot before
    needs_confirmation: bool = False


def accepted_tables(store: RoundStore, rnd: Round, unit: str, state: UnitState) -> dict[str, pd.DataFrame]:
    """The accepted version's rows, new stations with the ids given on accept."""
    version = state.accepted_version
    tables = store.version_tables(rnd, unit, version)
    if "stations" in tables and state.new_ids:
        frame = tables["stations"]
        ids = [state.new_ids.get(f"{version}:{row}") for row in frame._row]
        frame["station_id"] = [sid if sid is not None else old for sid, old in zip(ids, frame.station_id)]
    return tables


def round_tables(store: RoundStore, rnd: Round, base: Snapshot) -> tuple[dict[str, pd.DataFrame], dict[str, list[str]]]:
    """Each round table with the accepted units' rows in place (`_row` kept), and per table the
    units carried from the base."""
    units = list(county_units(base).unit)
    accepted = {}
    for unit in units:
        state = store.unit(rnd, unit)
        if state.state == "accepted":
            accepted[unit] = accepted_tables(store, rnd, unit, state)
    out, carried = {}, {}
    for table in rnd.tables:
        given = {u: tabs[table] for u, tabs in accepted.items() if table in tabs}
        rows = (
            pd.concat(given.values(), ignore_index=True)
            if given
            else pd.DataFrame(columns=[*TABLES[table].names, "_row"])
        )
        out[table] = replaced(table, base_frame(base, table), given.keys(), rows)
        carried[table] = [u for u in units if u not in given]
    return out, carried


def publish(
    store: RoundStore, user: str, region: str, yes: bool = False, accounts_file=None, address: str = ""
) -> PublishResult:
    rnd = store.current()
    done = store.published(rnd)
    if done is not None:
        return PublishResult(done.path, already=True)
    base = store.base(rnd)
    units = list(county_units(base).unit)
    missing = [u for u in units if store.unit(rnd, u).state != "accepted"]
    if missing and not yes:
        return PublishResult(missing=missing, needs_confirmation=True)
    today = clock.today(store.timezone).isoformat()
    if rnd.as_of > today:
        raise RoundError(
            bilingual(
                f"轮次日期 {rnd.as_of} 晚于今天 {today}，还不能发布",
                f"the round's as-of {rnd.as_of} is after today {today}",
            )
        )
    tables, carried = round_tables(store, rnd, base)
    arrows = {t: arrow_rows(t, f, f["_row"].to_numpy()) for t, f in tables.items()}
    origin = {t: f"{rnd.id} {t}" for t in tables}
    problems = candidate_problems(base, rnd.as_of, region, arrows, origin)
    if problems:
        lines = "\n".join(p.line("zh") + " | " + p.line("en") for p in problems[:20])
        raise RoundError(
            bilingual(
                f"发布前的检查发现 {len(problems)} 个问题",
                f"the checks before publishing found {len(problems)} problems",
            )
            + "\n"
            + lines
        )
    extra = {
        "region_adcode": base.manifest.get("region_adcode", region),
        "boundaries": base.manifest.get("boundaries"),
        "round": {
            "id": rnd.id,
            "tables": list(rnd.tables),
            "base": base.as_of,
            "accepted": {t: [u for u in units if u not in carried[t]] for t in rnd.tables},
            "carried": {t: {"from": base.as_of, "units": carried[t]} for t in rnd.tables},
        },
    }
    copies = {t: base.table_path(t) for t in TABLES if t not in tables}
    cleanup_stale(store.snapshots_dir)
    try:
        path = write_snapshot(
            store.snapshots_dir,
            rnd.as_of,
            {t: a.drop_columns(["_row"]) for t, a in arrows.items()},
            source="round",
            extra=extra,
            copies=copies,
        )
    except (SnapshotError, OSError):
        done = store.published(rnd)  # another publish of this round got there first: one snapshot
        if done is None:
            raise
        return PublishResult(done.path, already=True)
    audit_log.record(
        "publish",
        user,
        rnd.id,
        accounts_file,
        address,
        snapshot=rnd.as_of,
        missing=len(missing),
        carried={t: len(u) for t, u in carried.items()},
    )
    return PublishResult(path, missing=missing)


def carried_units(snapshot: Snapshot) -> dict[str, dict[str, str]]:
    """unit → {table: the as-of its rows were carried from} for a snapshot a round published
    (empty for any other): what "沿用 2023-12-31" marks on the county profile and export headers."""
    rnd = snapshot.manifest.get("round") or {}
    out: dict[str, dict[str, str]] = {}
    for table, entry in (rnd.get("carried") or {}).items():
        for unit in entry.get("units", []):
            out.setdefault(unit, {})[table] = entry.get("from", "")
    return out


def carried_from(snapshot: Snapshot, units) -> str | None:
    """The as-of the units' rows were carried from when every one of them was carried in every
    round table (so the figures shown for them are the older ones), else None."""
    marks = carried_units(snapshot)
    tables = (snapshot.manifest.get("round") or {}).get("tables") or []
    units = list(units)
    if not units or not tables:
        return None
    froms = {marks.get(u, {}).get(t) for u in units for t in tables}
    return froms.pop() if len(froms) == 1 and None not in froms else None
