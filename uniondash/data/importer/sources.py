"""What the readers hand on: a file to import (SourceFile) and one table's rows read from it
(Source), with the helpers every format shares: the file or sheet name that names a table, the
header row mapped to the contract's columns, and data rows turned into a frame indexed by
spreadsheet row number (header = row 1, first data row = row 2)."""

from __future__ import annotations

import hashlib
import io
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from uniondash.data.importer.contract import normalise, specs, table_named
from uniondash.data.importer.problems import Problem, file_problem


@dataclass
class SourceFile:
    """One file to import: a path on disk, or bytes uploaded through the page."""

    name: str
    path: Path | None = None
    data: bytes | None = None

    def size(self) -> int:
        return self.path.stat().st_size if self.path is not None else len(self.data or b"")

    def open(self):
        return self.path.open("rb") if self.path is not None else io.BytesIO(self.data or b"")

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.open() as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()


@dataclass
class Source:
    """One table's rows as read from a file or a sheet."""

    table: str
    file: str
    sheet: str | None
    raw: pd.DataFrame  # columns: contract names; index: spreadsheet row numbers
    headers: dict[str, str] = field(default_factory=dict)  # contract column → header as written
    sha256: str = ""
    encoding: str | None = None


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def named_table(file: SourceFile) -> str | None:
    return table_named(Path(file.name).stem)


def table_names() -> str:
    return "、".join(f"{s.name}（{s.name_zh}）" for s in specs().values())


def header_map(
    table: str, header: list, file: str, sheet: str | None, header_row: int = 1
) -> tuple[dict[int, str], list[Problem]]:
    """Position → contract column for the header row (spreadsheet row `header_row`). A column
    outside the contract (备注, 序号 …) is ignored and named in a warning; a doubled column is an
    error, and so is a missing one, suggesting the closest header the file has."""
    known = specs()[table].headers()
    spec = specs()[table]
    positions: dict[int, str] = {}
    problems = []
    unknown: list[str] = []
    for i, cell in enumerate(header):
        text = "" if cell is None else str(cell).strip().lstrip("\ufeff")
        if not normalise(text):
            continue
        column = known.get(normalise(text))
        letter = column_letter(i)
        if column is None:
            unknown.append(text)
            problems.append(
                file_problem(
                    file,
                    "import.warn_unknown_column",
                    "unknown_column",
                    sheet,
                    "warning",
                    row=header_row,
                    column=f"{letter} {text}",
                    text=text,
                    table=spec.label("zh"),
                    table_en=spec.label("en"),
                )
            )
        elif column in positions.values():
            problems.append(
                file_problem(
                    file,
                    "import.err_double_column",
                    "columns",
                    sheet,
                    row=header_row,
                    column=f"{letter} {text}",
                    value=text,
                    name=column,
                )
            )
        else:
            positions[i] = column
    for col in spec.columns:
        if col.name not in positions.values():
            near = closest_header(col, unknown)
            problems.append(
                file_problem(
                    file,
                    "import.err_missing_column_near" if near else "import.err_missing_column",
                    "columns",
                    sheet,
                    row=header_row,
                    column=col.header_zh,
                    header=col.header_zh,
                    name=col.name,
                    near=near,
                )
            )
    return positions, problems


def closest_header(col, seen: list[str]) -> str | None:
    """The header among `seen` closest to a missing column's Chinese header or contract name
    (difflib, ratio ≥ 0.6): 站点名 for 站点名称."""
    import difflib

    by_key = {normalise(s): s for s in seen}
    for target in (col.header_zh, col.name):
        near = difflib.get_close_matches(normalise(target), list(by_key), n=1, cutoff=0.6)
        if near:
            return by_key[near[0]]
    return None


def recognised(header: list, table: str | None) -> int:
    tables = [table] if table else list(specs())
    return max(sum(normalise(h) in specs()[t].headers() for h in header if h is not None) for t in tables)


CHUNK_ROWS = 65_536  # rows turned into column pieces at a time (rows_frame)


def rows_frame(rows: Iterable[list], positions: dict[int, str], first_row: int = 2) -> pd.DataFrame:
    """Data rows → frame of the recognised columns, indexed by spreadsheet row; empty rows dropped.

    A column of text only becomes pandas' string type, so that it is checked as fast as a CSV's.
    Rows may come one at a time (a workbook sheet's): they are taken CHUNK_ROWS at a time and each
    piece's columns made at once (text as arrow strings), so a sheet's 870,000 rows are never all
    held as Python lists of every cell."""
    width = max(positions, default=-1) + 1
    pieces: dict[str, list] = {col: [] for col in positions.values()}
    index: list[np.ndarray] = []
    rows, done = iter(rows), 0
    while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
        keep = [i for i, r in enumerate(chunk) if r.count("") + r.count(None) < len(r)]  # list.count: C speed
        kept = [chunk[i] + [None] * (width - len(chunk[i])) if len(chunk[i]) < width else chunk[i] for i in keep]
        index.append(np.asarray(keep, dtype="int64") + (first_row + done))
        done += len(chunk)
        del chunk
        for i, col in positions.items():
            values = [r[i] for r in kept]
            pieces[col].append(_piece(values))
        del kept
    data = {col: _joined(parts) for col, parts in pieces.items()}
    at = pd.Index(np.concatenate(index) if index else np.empty(0, dtype="int64"), dtype="int64")
    return pd.DataFrame(data, index=at)


def _piece(values: list):
    """A piece of a column: pandas' string type if it is text only, else the values as read."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    if infer_dtype(out, skipna=False) in ("string", "empty"):  # every value a str (None is not)
        return pd.array(out, dtype="str")
    return out


def _joined(parts: list):
    """One column from its pieces: pandas' string type if every piece is text only, else objects
    (the values as read, text included), as if the column had been made in one go."""
    if not parts:
        return pd.array([], dtype="str")
    if not any(isinstance(p, np.ndarray) for p in parts):
        if len(parts) == 1:
            return parts[0]
        return pd.concat([pd.Series(p, copy=False) for p in parts], ignore_index=True).array
    objects = [p if isinstance(p, np.ndarray) else p.to_numpy(dtype=object) for p in parts]
    return pd.array(np.concatenate(objects), dtype=object)
