"""One import, from files to a new snapshot or to the full list of problems (never half of either).

Order: the as-of date, every file read, every table validated (pandera), the whole candidate
checked (queries/checks/), and only then written, atomically, beside the other snapshots. Tables
not given are carried byte for byte from the newest good snapshot; the manifest records what was
imported (file, sheet, sha256 of the source file) and what was carried from where."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from uniondash.config import Settings
from uniondash.data import checks
from uniondash.data.importer.contract import specs
from uniondash.data.importer.problems import Problem, capped, file_problem, split
from uniondash.data.importer.read import read_source
from uniondash.data.importer.sources import Source, SourceFile
from uniondash.data.importer.validate import check_problems, validate_source
from uniondash.data.schema import TABLES
from uniondash.data.snapshot_writer import REPLACED_DIR, cleanup_stale, fault_point, write_snapshot
from uniondash.data.snapshots import Snapshot, is_as_of, list_snapshots, region_today

Progress = Callable[..., None]  # progress(string key, **fields): one call per step


@dataclass
class ImportResult:
    as_of: str
    problems: list[Problem] = field(default_factory=list)  # errors: any one stops the import
    sources: list[Source] = field(default_factory=list)
    path: Path | None = None
    imported: dict[str, dict] = field(default_factory=dict)
    carried: dict[str, dict] = field(default_factory=dict)
    replaced: Path | None = None
    warnings: list[Problem] = field(default_factory=list)  # warnings and notes: shown, never blocking

    @property
    def ok(self) -> bool:
        return not self.problems and self.path is not None


def steps_total(files: list[SourceFile]) -> int:
    """Steps reported to `progress`: each file read, each table validated, the checks, each table written."""
    return len(files) + 2 * len(TABLES) + 1


def _as_of_problems(as_of: str, settings: Settings, replace: bool) -> list[Problem]:
    where = "--as-of"
    if not is_as_of(as_of):
        return [file_problem(where, "import.err_as_of_format", "as_of", value=as_of)]
    today = region_today(settings.timezone)
    if as_of > today.isoformat():
        return [file_problem(where, "import.err_as_of_future", "as_of", value=as_of, today=today, tz=settings.timezone)]
    if (settings.snapshots_dir / as_of).exists() and not replace:
        aside = settings.data_dir / REPLACED_DIR
        return [file_problem(where, "import.err_as_of_exists", "as_of", value=as_of, as_of=as_of, aside=aside)]
    return []


def _by_table(sources: list[Source]) -> tuple[dict[str, Source], list[Problem]]:
    chosen: dict[str, Source] = {}
    problems = []
    for src in sources:
        if src.table in chosen:
            other = chosen[src.table]
            problems.append(
                file_problem(
                    src.file,
                    "import.err_two_sources",
                    "file",
                    src.sheet,
                    table=src.table,
                    other=other.file + (f" [{other.sheet}]" if other.sheet else ""),
                )
            )
        else:
            chosen[src.table] = src
    return chosen, problems


def _arrow(table: str, frame) -> pa.Table:
    """The typed frame in the contract's exact types, with the spreadsheet row as `_row` for the checks."""
    schema = TABLES[table]
    frame = frame[schema.names].copy()
    for f in schema:  # a value too wide for its column is already a problem; null here, not a crash
        if pa.types.is_integer(f.type):
            info = np.iinfo(f.type.to_pandas_dtype())
            frame[f.name] = frame[f.name].where(frame[f.name].between(info.min, info.max))
    arrow = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    return arrow.append_column("_row", pa.array(frame.index.to_numpy(dtype="int64")))


def import_files(
    files: list[SourceFile],
    as_of: str,
    settings: Settings,
    replace: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Validate the files and, if nothing is wrong, write snapshot `as_of`; else change nothing.
    Warnings and notes (ignored columns, skipped title rows, a table told by its headers) are in
    result.warnings either way and never stop the import."""
    step = progress or (lambda key, **fields: None)
    result = ImportResult(as_of)
    problems = _as_of_problems(as_of, settings, replace)
    if not files:
        problems.append(file_problem("—", "import.err_nothing", "file"))
    unreadable: set[str] = set()
    for file in files:
        step("import.step_read", file=file.name)
        found, read_problems = read_source(file, settings.import_max_mb)
        result.sources += found
        problems += read_problems
        if not found:
            unreadable.add(file.name)
    fault_point("after_read")
    chosen, doubled = _by_table(result.sources)
    problems += doubled
    base = _newest_good(settings.snapshots_dir)
    if base is None and not unreadable:
        missing = [t for t in TABLES if t not in chosen]
        if missing:
            names = "、".join(f"{t}（{specs()[t].name_zh}）" for t in missing)
            problems.append(file_problem("—", "import.err_missing_tables", "tables", tables=names))
    typed = {}
    for table, src in chosen.items():
        step("import.step_validate", **_names(table), rows=len(src.raw))
        typed[table], found = validate_source(src)
        problems += found
    step("import.step_checks")
    arrows = {t: _arrow(t, typed[t]) for t in chosen}  # the contract's types, once for checks and writing
    complete = not unreadable and (base is not None or set(chosen) == set(TABLES))
    if complete and is_as_of(as_of):
        problems += _candidate_problems(as_of, settings, chosen, arrows, base)
    fault_point("after_checks")
    problems, warnings = split(problems)
    result.warnings = capped(sorted(warnings, key=_where))
    if problems:
        result.problems = capped(sorted(problems, key=_where))
        return result
    return _write(result, settings, chosen, arrows, base, replace, step)


def _names(table: str) -> dict[str, str]:
    """A table's name for the progress lines, in both languages (the caller picks one)."""
    return {"table": specs()[table].label("zh"), "table_en": specs()[table].label("en")}


def _where(p: Problem) -> tuple:
    return (p.file != "--as-of", p.file, p.sheet or "", p.row or 0)


def _newest_good(snapshots_dir: Path) -> Snapshot | None:
    good = [s for s in list_snapshots(snapshots_dir, verify=True) if s.ok]
    return good[-1] if good else None


def _candidate_problems(as_of, settings, chosen, arrows, base) -> list[Problem]:
    con = checks.connect()
    try:
        tables: dict = {}
        origin: dict = {}
        for table in TABLES:
            if table in chosen:
                tables[table] = arrows[table]
                origin[table] = chosen[table]
            else:
                tables[table] = base.table_path(table)
                origin[table] = f"{base.as_of}/{base.manifest['tables'][table]['file']}"
        checks.attach(con, tables)
        return check_problems(con, checks.snapshot_params(as_of, settings.region_adcode), origin)
    finally:
        con.close()


def _write(result: ImportResult, settings, chosen, arrows, base, replace, step) -> ImportResult:
    result.imported = {
        t: {"file": s.file, "sheet": s.sheet, "sha256": s.sha256, "rows": arrows[t].num_rows} for t, s in chosen.items()
    }
    copies = {t: base.table_path(t) for t in TABLES if t not in chosen} if base else {}
    result.carried = {t: {"from": base.as_of, "sha256": base.manifest["tables"][t]["sha256"]} for t in copies}
    boundaries = (
        f"import: {chosen['region_shapes'].file}"
        if "region_shapes" in chosen
        else (base.manifest.get("boundaries") if base else None)
    )
    extra = {
        "region_adcode": settings.region_adcode,
        "boundaries": boundaries,
        "import": {"imported": result.imported, "carried": result.carried},
    }
    fault_point("before_write")
    cleanup_stale(settings.snapshots_dir)
    tables = {t: arrows[t].drop_columns(["_row"]) for t in chosen}
    result.path = write_snapshot(
        settings.snapshots_dir,
        result.as_of,
        tables,
        source="import",
        extra=extra,
        copies=copies,
        replace=replace,
        on_table=lambda name: step("import.step_write", **_names(name)),
    )
    manifest = json.loads((result.path / "manifest.json").read_text(encoding="utf-8"))
    result.replaced = Path(manifest["replaced_path"]) if manifest.get("replaced_path") else None
    return result
