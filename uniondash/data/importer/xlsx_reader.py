"""Reading an XLSX workbook (python-calamine): which sheet holds which table and each sheet's rows,
after the sheet XML was scanned (uniondash.data.importer.xlsx_scan): a sheet too wide or too large
is refused by its farthest cell before calamine sizes it, and a formula rather than imported as
its cached value."""

from __future__ import annotations

import re
import zipfile

from uniondash.data.importer.contract import EXPLANATION_SHEET, normalise, table_named
from uniondash.data.importer.problems import Problem, file_problem
from uniondash.data.importer.sources import Source, SourceFile, header_map, named_table, rows_frame, table_names
from uniondash.data.importer.xlsx_scan import MAX_CELLS, MAX_COLUMNS, SheetScan, scan_sheets


def read_xlsx(file: SourceFile) -> tuple[list[Source], list[Problem]]:
    """The tables of a workbook's data sheets; a sheet holding a formula is refused, cell by cell."""
    import python_calamine

    try:
        scans = scan_sheets(file)  # before calamine sees the file: it sizes a sheet by its farthest cell
    except (zipfile.BadZipFile, KeyError, OSError, UnicodeDecodeError) as exc:
        return [], [file_problem(file.name, "import.err_xlsx", "file", detail=str(exc).splitlines()[0][:200])]
    too_big = [p for sheet, scan in scans.items() for p in _size_problems(file, sheet, scan)]
    if too_big:
        return [], too_big
    formulas = {sheet: scan.formulas for sheet, scan in scans.items() if scan.formulas}
    try:
        with file.open() as fh:
            book = python_calamine.CalamineWorkbook.from_filelike(fh)
    except (python_calamine.CalamineError, zipfile.BadZipFile, KeyError, OSError) as exc:
        return [], [file_problem(file.name, "import.err_xlsx", "file", detail=str(exc).splitlines()[0][:200])]
    plan, problems = _sheet_plan(file, book.sheet_names)
    sources = []
    digest = file.sha256()
    for sheet, table in plan:
        if formulas.get(sheet):
            problems += _formula_problems(file, sheet, formulas[sheet])
            continue
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        header = rows[0] if rows else []
        positions, found = header_map(table, header, file.name, sheet) if rows else ({}, [])
        problems += found
        frame = rows_frame(rows[1:], positions)
        if frame.empty and not found:
            problems.append(file_problem(file.name, "import.err_no_rows", "file", sheet))
        headers = {col: str(header[i]).strip() for i, col in positions.items()}
        sources.append(Source(table, file.name, sheet, frame, headers, digest))
    return sources, problems


def _sheet_plan(file: SourceFile, names: list[str]) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(sheet, table) for each data sheet: one sheet takes the file's table, several name their own."""
    sheets = [s for s in names if normalise(s) != normalise(EXPLANATION_SHEET)]
    named = named_table(file)
    if not sheets:
        return [], [file_problem(file.name, "import.err_no_rows", "file")]
    if len(sheets) == 1 and named:
        by_sheet = table_named(sheets[0])
        if by_sheet and by_sheet != named:
            conflict = file_problem(
                file.name, "import.err_sheet_conflict", "file", sheets[0], table=named, other=by_sheet
            )
            return [], [conflict]
        return [(sheets[0], named)], []
    plan, problems = [], []
    for sheet in sheets:
        table = table_named(sheet)
        if table is None:
            problems.append(file_problem(file.name, "import.err_sheet_name", "file", sheet, tables=table_names()))
        else:
            plan.append((sheet, table))
    return plan, problems


def _formula_problems(file: SourceFile, sheet: str, cells: list[str], shown: int = 50) -> list[Problem]:
    out = [
        file_problem(
            file.name,
            "import.err_formula",
            "formula",
            sheet,
            row=int(re.sub(r"[A-Z]+", "", cell)),
            column=re.sub(r"\d+", "", cell),
            cell=cell,
        )
        for cell in cells[:shown]
    ]
    if len(cells) > shown:
        out.append(file_problem(file.name, "import.err_formula_more", "formula", sheet, n=len(cells) - shown))
    return out


def _size_problems(file: SourceFile, sheet: str, scan: SheetScan) -> list[Problem]:
    """A sheet too wide or too large to read: refused by its farthest cell before any reader
    allocates rows × columns for it."""
    if scan.columns > MAX_COLUMNS:
        return [
            file_problem(
                file.name, "import.err_too_wide", "size", sheet, cell=scan.farthest, n=scan.columns, limit=MAX_COLUMNS
            )
        ]
    if scan.cells > MAX_CELLS:
        return [
            file_problem(
                file.name,
                "import.err_too_many_cells",
                "size",
                sheet,
                cell=scan.farthest,
                rows=f"{scan.rows:,}",
                columns=scan.columns,
                limit=f"{MAX_CELLS:,}",
            )
        ]
    return []
