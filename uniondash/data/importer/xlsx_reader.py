"""Reading a workbook (python-calamine): .xlsx and .xlsm after their sheet XML was scanned
(uniondash.data.importer.xlsx_scan: a sheet too wide or too large is refused by its farthest cell
before calamine sizes it, and a formula rather than imported as its cached value), and Excel 97–2003
.xls (BIFF: calamine gives no formulas there, so cells are taken at their cached values). A file is
told by its first bytes, not its suffix: a ".xls" that is a zip is read as the workbook it is, and one
that is really a web page (HTML) or an XML Spreadsheet 2003 is refused with how to re-save it.

Each sheet's table is told by its header row, found in its first rows (uniondash.data.importer
.detect); the sheet or file name is only a hint. Rows keep Excel's numbers."""

from __future__ import annotations

import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from uniondash.data.importer.contract import EXPLANATION_SHEET, normalise, table_named
from uniondash.data.importer.detect import HEADER_ROWS, Detection, best_words, detect
from uniondash.data.importer.problems import Problem, file_problem
from uniondash.data.importer.sources import Source, SourceFile, header_map, named_table, rows_frame
from uniondash.data.importer.xlsx_scan import MAX_CELLS, MAX_COLUMNS, SheetScan, scan_sheets

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound document: Excel 97–2003 (BIFF)
XML2003 = b"urn:schemas-microsoft-com:office:spreadsheet"


def sniff(file: SourceFile) -> str:
    """What a workbook file really is by its first bytes: zip (xlsx/xlsm), ole2 (xls), html,
    xml2003, or unknown."""
    with file.open() as fh:
        head = fh.read(4096)
    if head.startswith(b"PK"):
        return "zip"
    if head.startswith(OLE2):
        return "ole2"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if XML2003 in head or (text.startswith(b"<?xml") and b"<workbook" in text):
        return "xml2003"
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<body")) or b"<table" in text:
        return "html"
    if b"\xff\xfe<\x00" in head[:4] or b"<\x00h\x00t\x00m\x00l" in text:  # UTF-16 web pages
        return "html"
    return "unknown"


def read_workbook(file: SourceFile) -> tuple[list[Source], list[Problem]]:
    """The tables of a .xlsx, .xlsm or .xls file, whichever it really is."""
    kind = sniff(file)
    suffix = Path(file.name).suffix.lower()
    if kind in ("html", "xml2003"):
        return [], [file_problem(file.name, f"import.err_xls_{kind}", "format", suffix=suffix)]
    if kind == "ole2":
        return read_xls(file)
    if kind == "unknown" and suffix == ".xls":
        return _text_as_xls(file)
    return read_xlsx(file)


def _text_as_xls(file: SourceFile) -> tuple[list[Source], list[Problem]]:
    """A ".xls" that is plain text (systems export tab-separated text under that name): read as the
    CSV it is, with a note saying so; if it is not that either, calamine says what it found."""
    from uniondash.data.importer.csv_reader import read_csv

    sources, problems = read_csv(file)
    if not sources:
        return read_xls(file)
    note = file_problem(file.name, "import.info_xls_text", "format", None, "info", suffix=Path(file.name).suffix)
    return sources, [note, *problems]


def read_xls(file: SourceFile) -> tuple[list[Source], list[Problem]]:
    """An Excel 97–2003 workbook: every cell at its cached value (BIFF keeps one for each formula)."""
    import python_calamine

    try:
        with file.open() as fh:
            book = python_calamine.CalamineWorkbook.from_filelike(fh)
    except (python_calamine.CalamineError, OSError, ValueError) as exc:
        return [], [file_problem(file.name, "import.err_xls", "file", detail=str(exc).splitlines()[0][:200])]
    return _book_sources(file, book, {}, check_size=True)


def read_xlsx(file: SourceFile) -> tuple[list[Source], list[Problem]]:
    """The tables of a workbook's data sheets; a formula in an imported cell is refused, cell by
    cell, named by its column's header."""
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
        book = _open_book(file)
    except (python_calamine.CalamineError, zipfile.BadZipFile, KeyError, OSError) as exc:
        return [], [file_problem(file.name, "import.err_xlsx", "file", detail=str(exc).splitlines()[0][:200])]
    return _book_sources(file, book, formulas)


def _open_book(file: SourceFile):
    """The zip workbook for calamine, from its path when its name says .xlsx or .xlsm (calamine
    picks the reader by the suffix there; from a file object it first copies the whole file into
    memory: 85 MB for the scale-100 stations workbook). A workbook it cannot open that way is
    opened from a file object, so that the error is the one it has always been."""
    import python_calamine

    if file.path is not None and file.path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            return python_calamine.CalamineWorkbook.from_path(file.path)
        except python_calamine.CalamineError:
            pass
    with file.open() as fh:
        return python_calamine.CalamineWorkbook.from_filelike(fh)


def _blank(rows: Iterable[list]) -> bool:
    return all(c is None or c == "" for r in rows for c in r)


def _sheet_rows(ws) -> Iterator[list]:
    """A sheet's rows one at a time, as to_python(skip_empty_area=False) lists them (from A1, the
    empty rows and columns before the first cell included) without holding them all as Python
    lists: iter_rows starts its rows at the first cell's column, so they are padded to A. Once the
    last row is read the generator ends and calamine's cells go with it (0.8 GB for 870,000 rows ×
    20), before the rows' columns are joined."""
    start = ws.start
    pad = [""] * start[1] if start else []
    for row in ws.iter_rows():
        yield pad + row if pad else row


def _book_sources(file: SourceFile, book, formulas: dict[str, list[str]], check_size: bool = False):
    """Each data sheet's table by its header row. With one data sheet the file name is its hint;
    with several each sheet's own name is. An empty sheet is skipped; so is a sheet that matches at
    most one header of any table when another sheet holds a table (a warning names it)."""
    sheets = [s for s in book.sheet_names if normalise(s) != normalise(EXPLANATION_SHEET)]
    if not sheets:
        return [], [file_problem(file.name, "import.err_no_rows", "file")]
    single = len(sheets) == 1
    sources: list[Source] = []
    problems: list[Problem] = []
    unfit: list[Detection] = []
    digest = file.sha256()
    for sheet in sheets:
        rows = ws = None  # the last sheet's cells (calamine's: 0.8 GB for 870,000 rows × 20) go first
        ws = book.get_sheet_by_name(sheet)
        if check_size:
            scan = SheetScan(rows=ws.total_height, columns=ws.total_width)
            scan.farthest = f"{_letters(ws.total_width)}{ws.total_height}"
            too_big = _size_problems(file, sheet, scan)
            if too_big:
                problems += too_big
                continue
        rows, ws = _sheet_rows(ws), None  # the rows hold the sheet's cells now, and let them go once read
        head = list(itertools.islice(rows, HEADER_ROWS))  # the header row is among these (detect)
        if _blank(head) and _blank(rows):
            if single:
                problems.append(file_problem(file.name, "import.err_no_rows", "file", sheet))
            else:
                problems.append(file_problem(file.name, "import.info_empty_sheet", "sheet", sheet, "info"))
            continue
        hint = table_named(sheet) or (named_table(file) if single else None)
        found = detect(head, hint, file.name, sheet)
        if found.table is None:
            if not single and found.score <= 1:
                unfit.append(found)
                problems.append(
                    file_problem(file.name, "import.warn_sheet_skipped", "sheet", sheet, "warning", **best_words(found))
                )
            else:
                problems += found.problems
            continue
        problems += found.problems
        header_row = found.header + 1  # as Excel numbers it
        header = head[found.header]
        positions, mapped = header_map(found.table, header, file.name, sheet, header_row)
        problems += mapped
        headers = {col: str(header[i]).strip() for i, col in positions.items()}
        if formulas.get(sheet):
            problems += _formula_problems(file, sheet, formulas[sheet], header_row, positions, headers)
        frame = rows_frame(itertools.chain(head[found.header + 1 :], rows), positions, first_row=header_row + 1)
        if frame.empty and not any(p.blocks for p in mapped):
            problems.append(file_problem(file.name, "import.err_no_rows", "file", sheet))
        sources.append(Source(found.table, file.name, sheet, frame, headers, digest))
    if not sources and not any(p.blocks for p in problems):  # no sheet holds a table: that is an error
        problems += [p for found in unfit for p in found.problems]
    return sources, problems


def _letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _formula_problems(
    file: SourceFile,
    sheet: str,
    cells: list[str],
    header_row: int,
    positions: dict[int, str],
    headers: dict[str, str],
    shown: int = 50,
) -> list[Problem]:
    """A formula in an imported cell (below the header, in a column of the table), named by its
    cell and its column's header; formulas in skipped rows or ignored columns are not imported."""
    imported = []
    for cell in cells:
        row, letters = int(re.sub(r"[A-Z]+", "", cell)), re.sub(r"\d+", "", cell)
        column = positions.get(_column_index(letters))
        if row > header_row and column is not None:
            imported.append((cell, row, column))
    out = [
        file_problem(
            file.name,
            "import.err_formula",
            "formula",
            sheet,
            column_key=column,
            row=row,
            column=headers.get(column, column),
            cell=cell,
        )
        for cell, row, column in imported[:shown]
    ]
    if len(imported) > shown:
        out.append(file_problem(file.name, "import.err_formula_more", "formula", sheet, n=len(imported) - shown))
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
