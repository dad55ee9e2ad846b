"""The importer's checks, applied to a round: the only module of the rounds package that reads the
importer's insides (read_source, validate_source, check_problems), so that a change there is met
here once. A submission is read and validated as an import is; the whole candidate (the newest
snapshot with the submitting units' rows replaced) then passes the same data checks."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from uniondash.data import checks
from uniondash.data.importer import Problem, SourceFile
from uniondash.data.importer.contract import specs
from uniondash.data.importer.read import read_source
from uniondash.data.importer.sources import Source
from uniondash.data.importer.validate import check_problems, validate_source
from uniondash.data.schema import TABLES
from uniondash.data.snapshots import Snapshot
from uniondash.text.i18n import t

NEW_ID = "\u2063new-"  # a provisional id for a new station while its rows are checked (never stored)


def problem(file: str, key: str, rule: str, sheet=None, row=None, column=None, value=None, table=None, **fields):
    """A problem in both languages (words in strings_rounds.toml)."""
    return Problem(
        file=file,
        sheet=sheet,
        row=row,
        column=column,
        value=value,
        expected_zh=t(key, "zh", **fields),
        expected_en=t(key, "en", **fields),
        rule=rule,
        table=table,
        column_key="adcode" if rule == "scope" else None,
    )


def read_files(files: list[SourceFile], max_mb: float) -> tuple[list[Source], list[Problem]]:
    sources, problems = [], []
    for file in files:
        found, trouble = read_source(file, max_mb)
        sources += found
        problems += trouble
    return sources, problems


def split(problems: list[Problem]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings and notes): the importer's severities; warnings never block."""
    return [p for p in problems if p.blocks], [p for p in problems if not p.blocks]


def fill_new_ids(source: Source) -> None:
    """Blank station_id cells (new stations) get a provisional id, so that the contract's
    "required" check passes for them; the id is taken off again before the rows are stored."""
    if source.table != "stations" or "station_id" not in source.raw.columns:
        return
    ids = source.raw["station_id"]
    blank = ids.isna() | ids.astype("string").str.strip().fillna("").eq("")
    if blank.any():
        raw = source.raw.copy()
        raw["station_id"] = raw["station_id"].astype(object)
        raw.loc[blank, "station_id"] = [f"{NEW_ID}{row}" for row in raw.index[blank]]
        source.raw = raw


def validate(source: Source) -> tuple[pd.DataFrame, list[Problem]]:
    return validate_source(source)


def arrow_rows(table: str, frame: pd.DataFrame, rows) -> pa.Table:
    """The frame in the contract's exact types plus `_row` (a spreadsheet row, or minus the
    carried snapshot's file row for rows that came from it)."""
    schema = TABLES[table]
    arrow = pa.Table.from_pandas(frame[schema.names].reset_index(drop=True), schema=schema, preserve_index=False)
    return arrow.append_column("_row", pa.array(list(rows), type=pa.int64()))


def base_frame(base: Snapshot, table: str) -> pd.DataFrame:
    """A table of the snapshot, with `_base_row` = the row as the data checks number a parquet file."""
    frame = pq.read_table(base.table_path(table)).to_pandas()
    frame["_base_row"] = range(2, len(frame) + 2)
    return frame


def candidate_problems(
    base: Snapshot,
    as_of: str,
    region: str,
    tables: dict[str, pa.Table],
    origin: dict[str, Source | str],
    costs: tuple[str, ...] = ("cheap", "full"),
) -> list[Problem]:
    """The data checks on the candidate: `tables` replace the snapshot's (other tables are read from
    it). A problem on a carried row (negative `_row`) is named in the snapshot's file at its row."""
    con = checks.connect()
    try:
        attached: dict = {}
        for table in TABLES:
            attached[table] = tables[table] if table in tables else base.table_path(table)
        checks.attach(con, attached)
        found = check_problems(con, checks.snapshot_params(as_of, region), origin, costs)
    finally:
        con.close()
    out = []
    for p in found:
        if p.row is not None and p.row < 0 and p.table:
            out.append(
                replace(p, file=f"{base.as_of}/{base.manifest['tables'][p.table]['file']}", sheet=None, row=-p.row)
            )
        else:
            out.append(p)
    return out


def table_label(table: str, lang: str) -> str:
    return specs()[table].label(lang)


def template_name(table: str) -> str:
    """The file an import template of the table is named (服务站点.xlsx …)."""
    from uniondash.data.importer.templates import file_stem

    return f"{file_stem(specs()[table])}.xlsx"


def write_workbook(table: str, frame: pd.DataFrame, target) -> None:
    """A table's rows as the import template holds them (headers, drop-downs, 说明 sheet)."""
    from uniondash.data.importer.templates import write_xlsx

    write_xlsx(specs()[table], target, frame)
