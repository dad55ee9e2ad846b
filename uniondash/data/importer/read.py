"""Reading import files: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030), XLSX (python-calamine) and
GeoJSON boundaries, each file or sheet named for its table, headers mapped to the contract.

Values stay as read (text, or the workbook's numbers, booleans and dates); uniondash.data.importer
.coerce gives them the contract's types. Every frame is indexed by the spreadsheet's row number
(header = row 1, first data row = row 2), so every later problem can say where it is."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from uniondash.data.importer.contract import EXPLANATION_SHEET, normalise, specs, table_named
from uniondash.data.importer.problems import Problem, file_problem

ENCODINGS = (("utf-8-sig", "UTF-8"), ("gb18030", "GB18030"))  # strict UTF-8 (BOM or not) first
SUFFIXES = (".csv", ".xlsx", ".geojson", ".json")
FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
CELL_RE = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]+)(\d+)"')


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


def expand(paths: list[Path]) -> list[SourceFile]:
    """Files as given, and the importable files of folders (sorted, not recursive)."""
    out = []
    for path in paths:
        if path.is_dir():
            out += [
                SourceFile(p.name, p)
                for p in sorted(path.iterdir())
                if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith((".", "~$"))
            ]
        else:
            out.append(SourceFile(path.name, path))
    return out


def read_source(file: SourceFile, max_mb: float) -> tuple[list[Source], list[Problem]]:
    """The tables of one file, or the problems that stop it being read."""
    size = file.size() if file.path is None or file.path.exists() else -1
    if size < 0:
        return [], [file_problem(file.name, "import.err_no_file", "file")]
    if size > max_mb * 2**20:
        return [], [file_problem(file.name, "import.err_too_large", "file", mb=f"{size / 2**20:.1f}", limit=max_mb)]
    if size == 0:
        return [], [file_problem(file.name, "import.err_empty", "file")]
    suffix = Path(file.name).suffix.lower()
    if suffix == ".csv":
        return _read_csv(file)
    if suffix == ".xlsx":
        return _read_xlsx(file)
    if suffix in (".geojson", ".json"):
        return _read_geojson(file)
    return [], [file_problem(file.name, "import.err_suffix", "file", suffixes=", ".join(SUFFIXES))]


def _named_table(file: SourceFile) -> str | None:
    return table_named(Path(file.name).stem)


def _header_map(table: str, header: list, file: str, sheet: str | None) -> tuple[dict[int, str], list[Problem]]:
    """Position → contract column for the header row; unknown, doubled and missing columns."""
    known = specs()[table].headers()
    spec = specs()[table]
    positions: dict[int, str] = {}
    problems = []
    for i, cell in enumerate(header):
        text = "" if cell is None else str(cell)
        if not normalise(text):
            continue
        column = known.get(normalise(text))
        letter = column_letter(i)
        if column is None:
            problems.append(
                file_problem(
                    file,
                    "import.err_unknown_column",
                    "columns",
                    sheet,
                    row=1,
                    column=f"{letter} {text}",
                    value=text,
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
                    row=1,
                    column=f"{letter} {text}",
                    value=text,
                    name=column,
                )
            )
        else:
            positions[i] = column
    for col in spec.columns:
        if col.name not in positions.values():
            problems.append(
                file_problem(
                    file,
                    "import.err_missing_column",
                    "columns",
                    sheet,
                    row=1,
                    column=col.header_zh,
                    header=col.header_zh,
                    name=col.name,
                )
            )
    return positions, problems


def _recognised(header: list, table: str | None) -> int:
    tables = [table] if table else list(specs())
    return max(sum(normalise(h) in specs()[t].headers() for h in header if h is not None) for t in tables)


def _frame(rows: list[list], positions: dict[int, str], first_row: int = 2) -> pd.DataFrame:
    """Data rows → frame of the recognised columns, indexed by spreadsheet row; empty rows dropped.

    A column of text only becomes pandas' string type, so that it is checked as fast as a CSV's."""
    width = max(positions, default=-1) + 1
    keep = [i for i, r in enumerate(rows) if r.count("") + r.count(None) < len(r)]  # list.count: C speed
    rows = [rows[i] + [None] * (width - len(rows[i])) if len(rows[i]) < width else rows[i] for i in keep]
    data = {}
    for i, col in positions.items():
        values = [r[i] for r in rows]
        if all(type(v) is str for v in values):
            data[col] = pd.array(values, dtype="str")
        else:
            data[col] = pd.array(values, dtype=object)
    index = pd.Index([first_row + i for i in keep], dtype="int64")
    return pd.DataFrame(data, index=index)


def _read_csv(file: SourceFile) -> tuple[list[Source], list[Problem]]:
    table = _named_table(file)
    if table is None:
        return [], [file_problem(file.name, "import.err_table_name", "file", tables=_table_names())]
    with file.open() as fh:
        head = fh.read(64 * 1024)
    tried = []
    for encoding, label in ENCODINGS:
        tried.append(label)
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the end of the sample
                continue
            text = head[: exc.start].decode(encoding)
        first = next(csv.reader(io.StringIO(text)), [])
        if _recognised(first, table) == 0:
            continue
        try:
            raw, ragged = _arrow_csv(file, encoding, len(first))
        except (UnicodeDecodeError, pa.ArrowInvalid) as exc:
            if isinstance(exc, UnicodeDecodeError) or "UTF8" in str(exc) or "decode" in str(exc).lower():
                continue  # not this encoding after all (a bad byte past the sample)
            return [], [file_problem(file.name, "import.err_csv", "file", detail=str(exc).splitlines()[0][:200])]
        return _csv_source(file, table, first, raw, label, ragged)
    return [], [file_problem(file.name, "import.err_encoding", "file", tried=", ".join(tried))]


def _arrow_csv(file: SourceFile, encoding: str, width: int) -> tuple[pd.DataFrame, list[tuple[int, int]]]:
    """Every cell as text, indexed by spreadsheet row (pyarrow's reader: a 180 MB file in about a
    second and 0.5 GB, where pandas' took 8 s and 1.9 GB). Rows with the wrong number of cells are
    left out and returned as (row, cells) to be named."""
    import pyarrow.csv as pcsv

    names = [f"c{i}" for i in range(width)]
    ragged: list[tuple[int | None, int]] = []

    def read(threads: bool) -> pa.Table:
        ragged.clear()

        def handler(row) -> str:
            ragged.append((row.number, row.actual_columns))
            return "skip"

        with file.open() as fh:
            return pcsv.read_csv(
                fh,
                read_options=pcsv.ReadOptions(
                    skip_rows=1,
                    column_names=names,
                    encoding="utf8" if encoding == "utf-8-sig" else encoding,  # the BOM is in the skipped header
                    use_threads=threads,
                ),
                parse_options=pcsv.ParseOptions(
                    ignore_empty_lines=False, newlines_in_values=True, invalid_row_handler=handler
                ),
                convert_options=pcsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )

    table = read(threads=True)
    if ragged:  # rare: read again on one thread, which knows the rows' numbers
        table = read(threads=False)
    skipped = {n for n, _ in ragged if n is not None}
    index = [r for r in range(2, 2 + table.num_rows + len(skipped)) if r not in skipped]
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    frame.columns = range(width)
    frame.index = pd.Index(index[: len(frame)], dtype="int64")
    return frame, [(n, cells) for n, cells in ragged]


def _csv_source(file: SourceFile, table: str, header: list, raw: pd.DataFrame, encoding: str, ragged=()):
    positions, problems = _header_map(table, header, file.name, None)
    for row, cells in ragged:
        problems.append(file_problem(file.name, "import.err_ragged", "file", row=row, cells=cells, width=len(header)))
    frame = raw[list(positions)].rename(columns=positions)
    if len(frame) and len(frame.columns):  # blank lines are not rows (the index keeps the others' numbers)
        empty = np.logical_and.reduce([frame[c].eq("").to_numpy(dtype=bool) for c in frame.columns])
        frame = frame[~empty]
    if frame.empty and not problems:
        problems.append(file_problem(file.name, "import.err_no_rows", "file"))
    headers = {col: str(header[i]).strip().lstrip("\ufeff") for i, col in positions.items()}
    return [Source(table, file.name, None, frame, headers, file.sha256(), encoding)], problems


def _table_names() -> str:
    return "、".join(f"{s.name}（{s.name_zh}）" for s in specs().values())


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


def _read_xlsx(file: SourceFile) -> tuple[list[Source], list[Problem]]:
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
        positions, found = _header_map(table, header, file.name, sheet) if rows else ({}, [])
        problems += found
        frame = _frame(rows[1:], positions)
        if frame.empty and not found:
            problems.append(file_problem(file.name, "import.err_no_rows", "file", sheet))
        headers = {col: str(header[i]).strip() for i, col in positions.items()}
        sources.append(Source(table, file.name, sheet, frame, headers, digest))
    return sources, problems


def _sheet_plan(file: SourceFile, names: list[str]) -> tuple[list[tuple[str, str]], list[Problem]]:
    """(sheet, table) for each data sheet: one sheet takes the file's table, several name their own."""
    sheets = [s for s in names if normalise(s) != normalise(EXPLANATION_SHEET)]
    named = _named_table(file)
    if not sheets:
        return [], [file_problem(file.name, "import.err_no_rows", "file")]
    if len(sheets) == 1 and named:
        by_sheet = table_named(sheets[0])
        if by_sheet and by_sheet != named:
            conflict = file_problem(file.name, "import.err_sheet_conflict", "file", sheets[0], table=named, other=by_sheet)
            return [], [conflict]
        return [(sheets[0], named)], []
    plan, problems = [], []
    for sheet in sheets:
        table = table_named(sheet)
        if table is None:
            problems.append(file_problem(file.name, "import.err_sheet_name", "file", sheet, tables=_table_names()))
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


def _read_geojson(file: SourceFile) -> tuple[list[Source], list[Problem]]:
    """Boundaries as a FeatureCollection: each feature's properties give adcode and level."""
    table = _named_table(file)
    if table != "region_shapes":
        return [], [file_problem(file.name, "import.err_geojson_table", "file")]
    try:
        with file.open() as fh:
            data = json.loads(fh.read().decode("utf-8-sig"))
        features = data["features"]
    except (ValueError, KeyError, TypeError) as exc:
        return [], [file_problem(file.name, "import.err_geojson", "file", detail=str(exc)[:200])]
    known = specs()[table].headers()
    rows = []
    for feature in features:
        props = {known.get(normalise(k), k): v for k, v in (feature.get("properties") or {}).items()}
        geometry = feature.get("geometry")
        rows.append([props.get("adcode"), props.get("level"), None if geometry is None else json.dumps(geometry)])
    frame = _frame(rows, {0: "adcode", 1: "level", 2: "geojson"})
    headers = {"adcode": "adcode", "level": "level", "geojson": "geometry"}
    return [Source(table, file.name, None, frame, headers, file.sha256())], []
