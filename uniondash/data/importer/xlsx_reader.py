"""Reading an XLSX workbook (python-calamine): which sheet holds which table, each sheet's rows,
and the cells holding a formula, found by scanning the sheet XML inside the zip (calamine gives
only a formula's cached value), so that a formula is refused rather than imported as its value."""

from __future__ import annotations

import re
import zipfile

from uniondash.data.importer.contract import EXPLANATION_SHEET, normalise, table_named
from uniondash.data.importer.problems import Problem, file_problem
from uniondash.data.importer.sources import Source, SourceFile, header_map, named_table, rows_frame, table_names

FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
CELL_RE = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]+)(\d+)"')


def read_xlsx(file: SourceFile) -> tuple[list[Source], list[Problem]]:
    """The tables of a workbook's data sheets; a sheet holding a formula is refused, cell by cell."""
    import python_calamine

    try:
        with file.open() as fh:
            book = python_calamine.CalamineWorkbook.from_filelike(fh)
            formulas = formula_cells(file)
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


def formula_cells(file: SourceFile) -> dict[str, list[str]]:
    """Sheet name → cells holding a formula, from the sheet XML's <f> elements (calamine returns a
    formula's cached value only, often empty for a file saved by a program). The XML is streamed:
    a 820,000-row sheet is about 300 MB unpacked."""
    out: dict[str, list[str]] = {}
    with file.open() as fh, zipfile.ZipFile(fh) as zf:
        for sheet, target in _sheet_targets(zf).items():
            cells: list[str] = []
            with zf.open(target) as xml:
                tail = b""
                while chunk := xml.read(1 << 22):
                    block = tail + chunk
                    if b"<f" in block or b":f" in block:  # a plain search first: most sheets hold no formula
                        cells += [_cell_before(block, m.start()) for m in FORMULA_RE.finditer(block)]
                    tail = block[-4096:]  # an element cut by the chunk boundary is seen whole next time
            found = [c for c in dict.fromkeys(cells) if c]
            if found:
                out[sheet] = found
    return out


def _cell_before(block: bytes, pos: int) -> str:
    """The reference (B7) of the <c> element that encloses position pos."""
    start = max(block.rfind(b"<c ", 0, pos), block.rfind(b":c ", 0, pos))
    m = CELL_RE.match(block, start if block[start : start + 1] == b"<" else start - 1) if start >= 0 else None
    if m is None and start >= 0:
        m = CELL_RE.search(block, max(0, start - 16), pos)
    return (m.group(1) + m.group(2)).decode() if m else ""


def _sheet_targets(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part, from workbook.xml and its relationships."""
    workbook = zf.read("xl/workbook.xml").decode("utf-8")
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    targets = {}
    for rid, target in re.findall(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels):
        targets[rid] = target
    for target, rid in re.findall(r'<Relationship\b[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels):
        targets.setdefault(rid, target)
    out = {}
    for tag in re.findall(r"<(?:\w+:)?sheet\b[^>]*/?>", workbook):
        name = re.search(r'\bname="([^"]*)"', tag)
        rid = re.search(r'\br:id="([^"]*)"', tag) or re.search(r'\bid="([^"]*)"', tag)
        if name and rid and rid.group(1) in targets:
            target = targets[rid.group(1)].lstrip("/")
            path = target if target.startswith("xl/") else "xl/" + target
            out[_xml_unescape(name.group(1))] = path
    return out


def _xml_unescape(text: str) -> str:
    return (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&apos;", "'")
        .replace("&amp;", "&")
    )
