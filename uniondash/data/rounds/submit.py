"""A filler's upload → one submission per unit it covers (or every problem, and nothing stored).

Checks: the importer's (each file read, each table validated), then scope (a row of a unit outside
the filler's counties is an error naming the row and the unit), then the data checks on the newest
snapshot with the submitting units' rows replaced, so that unique station ids and the
cross-county checks still hold. A city-level filler's upload is split per county."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from uniondash.data.importer import Problem, SourceFile
from uniondash.data.rounds import audit_log
from uniondash.data.rounds.checking import (
    NEW_ID,
    arrow_rows,
    base_frame,
    candidate_problems,
    fill_new_ids,
    problem,
    read_files,
    split,
    table_label,
    validate,
)
from uniondash.data.rounds.merge import replaced
from uniondash.data.rounds.model import Round, RoundStore, now_text
from uniondash.data.rounds.units import scope_counties, unit_names
from uniondash.data.schema import TABLES


@dataclass
class SubmitResult:
    problems: list[Problem] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # the units a submission was stored for
    versions: dict[str, str] = field(default_factory=dict)  # unit → version stored
    rows: dict[str, dict[str, int]] = field(default_factory=dict)  # unit → table → rows
    warnings: list[Problem] = field(default_factory=list)  # the importer's warnings and notes: never blocking

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.units)


def _table_problems(sources, rnd: Round) -> list[Problem]:
    out, seen = [], {}
    for src in sources:
        if src.table not in rnd.tables:
            wanted = "、".join(table_label(t, "zh") for t in rnd.tables)
            wanted_en = ", ".join(table_label(t, "en") for t in rnd.tables)
            out.append(
                problem(
                    src.file,
                    "rounds.err_table",
                    "table",
                    src.sheet,
                    table=src.table,
                    name=table_label(src.table, "zh"),
                    name_en=table_label(src.table, "en"),
                    tables=wanted,
                    tables_en=wanted_en,
                )
            )
        elif src.table in seen:
            out.append(
                problem(src.file, "rounds.err_two_sources", "file", src.sheet, table=src.table, other=seen[src.table])
            )
        else:
            seen[src.table] = src.file + (f" [{src.sheet}]" if src.sheet else "")
    return out


def _scope_problems(src, typed: pd.DataFrame, counties: set[str], names: dict[str, str]) -> list[Problem]:
    out = []
    mine = "、".join(names.get(c, c) for c in sorted(counties))
    outside = typed[typed.adcode.notna() & ~typed.adcode.isin(counties)]
    for row, code in zip(outside.index, outside.adcode):
        out.append(
            problem(
                src.file,
                "rounds.err_scope",
                "scope",
                src.sheet,
                row=int(row),
                column=src.headers.get("adcode", "adcode"),
                value=str(code),
                table=src.table,
                unit=code,
                name=names.get(code, "?"),
                scope=mine,
            )
        )
    return out


def check_upload(
    store: RoundStore, rnd: Round, files: list[SourceFile], scope: tuple[str, ...], region: str, max_mb: float
):
    """(typed frames by table, the units covered, problems, warnings): nothing stored."""
    base = store.base(rnd)
    counties = set(scope_counties(base, scope))
    names = unit_names(base)
    sources, problems = read_files(files, max_mb)
    problems += _table_problems(sources, rnd)
    if not files:
        problems.append(problem("—", "rounds.err_nothing", "file"))
    chosen = {s.table: s for s in sources if s.table in rnd.tables}
    typed: dict[str, pd.DataFrame] = {}
    for table, src in chosen.items():
        fill_new_ids(src)
        frame, found = validate(src)
        problems += found
        frame = frame.copy()
        frame["_row"] = frame.index.to_numpy(dtype="int64")
        typed[table] = frame
        problems += _scope_problems(src, frame, counties, names)
    problems, warnings = split(problems)
    units = sorted({a for f in typed.values() for a in f.adcode.dropna()} & counties)
    if not problems and typed and not units:
        problems.append(problem(files[0].name if files else "—", "rounds.err_no_rows", "rows"))
    if problems:
        return typed, units, sorted(problems, key=_where), warnings
    candidate = {t: arrow_rows(t, *_split(replaced(t, base_frame(base, t), units, typed[t]))) for t in typed}
    origin = {t: chosen[t] for t in typed}
    problems, more = split(candidate_problems(base, rnd.as_of, region, candidate, origin))
    return typed, units, problems, warnings + more


def _where(p: Problem) -> tuple:
    return (p.file, p.sheet or "", p.row or 0)


def _split(frame: pd.DataFrame):
    return frame, frame["_row"].to_numpy()


def store_submission(store: RoundStore, rnd: Round, typed: dict[str, pd.DataFrame], units, user: str, files):
    """One new version per unit, under that unit's lock; a unit already accepted is refused."""
    result = SubmitResult()
    for unit in units:
        with store.unit_lock(rnd, unit):
            state = store.unit(rnd, unit)
            if state.state == "accepted":
                result.problems.append(problem(files[0], "rounds.err_accepted", "state", unit=unit))
                continue
            previous = store.version_tables(rnd, unit, state.latest["version"]) if state.latest else {}
            version = f"v{len(state.versions) + 1:03d}"
            folder = store.version_dir(rnd, unit, version)
            tmp = folder.with_name(f".{version}.tmp")
            tmp.mkdir(parents=True, exist_ok=True)
            rows = {}
            for table in rnd.tables:
                if table in typed:
                    frame = typed[table][typed[table].adcode == unit].copy()
                    if table == "stations":
                        new = frame.station_id.astype(str).str.startswith(NEW_ID)
                        frame["station_id"] = frame.station_id.where(~new, None)
                elif table in previous:
                    frame = previous[table]
                else:
                    continue
                schema = pa.schema([*TABLES[table], pa.field("_row", pa.int64())])
                arrow = pa.Table.from_pandas(
                    frame[schema.names].reset_index(drop=True), schema=schema, preserve_index=False
                )
                pq.write_table(arrow, tmp / f"{table}.parquet")
                rows[table] = len(frame)
            if folder.exists():  # left by a writer killed after its rename but before the state: superseded
                import shutil

                shutil.rmtree(folder)
            tmp.rename(folder)
            state.versions.append(
                {"version": version, "at": now_text(), "by": user, "files": list(files), "rows": rows}
            )
            state.state = "submitted"
            store.save_unit(rnd, state)
        result.units.append(unit)
        result.versions[unit] = version
        result.rows[unit] = rows
    return result


def submit(
    store: RoundStore,
    files: list[SourceFile],
    user: str,
    scope: tuple[str, ...],
    region: str,
    max_mb: float = 500.0,
    accounts_file=None,
    address: str = "",
) -> SubmitResult:
    """Check the files and, if nothing is wrong, store a submission for every unit they cover."""
    rnd = store.current()
    typed, units, problems, warnings = check_upload(store, rnd, files, scope, region, max_mb)
    if problems:
        return SubmitResult(problems=problems, warnings=warnings)
    result = store_submission(store, rnd, typed, units, user, [f.name for f in files])
    result.warnings = warnings
    for unit in result.units:
        audit_log.record(
            "submit",
            user,
            rnd.id,
            accounts_file,
            address,
            unit=unit,
            version=result.versions[unit],
            rows=result.rows[unit],
        )
    return result
