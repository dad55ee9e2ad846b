"""The sheet XML of an XLSX workbook scanned before any reader library sees it: the cells that
hold a formula (calamine gives only a formula's cached value), and the extent of the cells that
hold a value (calamine sizes a sheet by its farthest cell: one value typed at XFD1048576 asked for
512 GB and aborted the server). Streamed in blocks, with plain searches for sheets as programs
write them (a 300 MB sheet in seconds) and cell by cell for anything else."""

from __future__ import annotations

import functools
import re
import zipfile
from dataclasses import dataclass, field

from uniondash.data.importer.sources import SourceFile

FORMULA_RE = re.compile(rb"<(?:\w+:)?f[\s>/]")
# A sheet wider or larger than this is refused before a reader sizes it (calamine allocates rows ×
# columns of its farthest cell: one value at XFD1048576 asked for 512 GB). For scale, the stations
# table at demo scale 100 is 20 columns × 870,000 rows (17.4 million cells).
MAX_COLUMNS = 64
MAX_CELLS = 25_000_000
# Unpacked size of a workbook's parts: sharedStrings is read whole when the workbook opens.
PART_LIMITS = {"xl/sharedStrings.xml": 512 * 2**20, "*": 2048 * 2**20}
ROW_BYTES_MAX = 64 * 2**20  # a row element longer than this is scanned in pieces
ROW_RE = re.compile(rb"<(?:\w+:)?row\b(?:[^>]*?\br=\"(\d+)\")?[^>]*?(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
NAMESPACED_RE = re.compile(rb":(?:c|row)[ >/]")  # <x:c …>: a prefixed sheet
ROW_NUMBER_RE = re.compile(rb'<row r="(\d+)"')
# a cell (its column letters, if r= is given) and, when it holds a value, the value's tag
VALUED_CELL_RE = re.compile(
    rb"<(?:\w+:)?c\b(?:[^>]*?\br=\"([A-Z]{1,3})\d+\")?[^>]*?(?:/>|>\s*(?:<(?:\w+:)?f\b.*?</(?:\w+:)?f>\s*|<(?:\w+:)?f\b[^>]*/>\s*)?(<(?:\w+:)?(?:v|is)\b)?)",
    re.S,
)
CELL_RE = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]+)(\d+)"')


@dataclass
class SheetScan:
    """What one pass over a sheet's XML finds before a reader library sees it: the cells holding a
    formula, and the extent of the cells holding a value (<v> or <is>; a styled empty cell does
    not count, nor does <dimension>, which a file may set to anything)."""

    formulas: list[str] = field(default_factory=list)
    rows: int = 0  # the farthest row holding a value
    columns: int = 0  # the farthest column holding a value
    farthest: str = ""  # the reference of a cell at the farthest column, else row

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def scan_sheets(file: SourceFile) -> dict[str, SheetScan]:
    """Sheet name → SheetScan, streaming each sheet's XML in blocks (a 820,000-row sheet is about
    300 MB unpacked), after refusing a workbook whose parts unpack past PART_LIMITS."""
    out: dict[str, SheetScan] = {}
    with file.open() as fh, zipfile.ZipFile(fh) as zf:
        for info in zf.infolist():
            limit = PART_LIMITS.get(info.filename, PART_LIMITS["*"])
            if info.file_size > limit:
                raise OSError(
                    f"{info.filename} unpacks to {info.file_size / 2**20:,.0f} MB (limit {limit // 2**20} MB)"
                )
        for sheet, target in _sheet_targets(zf).items():
            scan = SheetScan()
            with zf.open(target) as xml:
                _scan_xml(xml, scan)
            scan.formulas = [c for c in dict.fromkeys(scan.formulas) if c]
            out[sheet] = scan
    return out


def _scan_xml(xml, scan: SheetScan) -> None:
    tail, last_row = b"", 0
    while chunk := xml.read(1 << 22):
        block = tail + chunk
        cut = block.rfind(b"</row>")  # whole rows only: the rest waits for the next block
        if cut < 0 and len(block) < ROW_BYTES_MAX:
            tail = block
            continue
        done, tail = (block[: cut + 6], block[cut + 6 :]) if cut >= 0 else (block, b"")
        if b"<f" in done or b":f" in done:  # a plain search first: most sheets hold no formula
            scan.formulas += [_cell_before(done, m.start()) for m in FORMULA_RE.finditer(done)]
        last_row = _extent(done, scan, last_row)
    if tail:
        _extent(tail, scan, last_row)


def _extent(block: bytes, scan: SheetScan, last_row: int) -> int:
    """Grow scan.rows and scan.columns by the rows of block that hold a value. Returns the last
    row number seen (a row without r= is the one after it)."""
    if _plain(block):
        done = _extent_plain(block, scan, last_row)
        if done is not None:
            return done
    for m in ROW_RE.finditer(block):  # cell by cell: anything a program would not write
        last_row = int(m.group(1)) if m.group(1) else last_row + 1
        column = _row_extent(m.group(2) or b"")
        if column:
            _grow(scan, last_row, column)
    return last_row


def _plain(block: bytes) -> bool:
    """Written as every program writes a sheet: no namespace prefixes, every row and every cell
    opening with its r=. Such a block is read with a few plain searches (a 300 MB sheet in
    seconds); any other is read cell by cell."""
    cells = block.count(b"<c ") + block.count(b"<c>")
    rows = block.count(b"<row ") + block.count(b"<row>")
    return cells == block.count(b'<c r="') and rows == block.count(b'<row r="') and not NAMESPACED_RE.search(block)


def _extent_plain(block: bytes, scan: SheetScan, last_row: int) -> int | None:
    """The same for a plain block in three searches: the highest row number (rows come in order,
    so it is the last row, which must hold a value), then any valued cell past the farthest column
    so far (in a well-formed sheet one search finds none). None: not so simple, look cell by cell."""
    numbers = ROW_NUMBER_RE.findall(block)
    if not numbers:
        return last_row
    last = block.rfind(b'<row r="')
    row = int(numbers[-1])
    if max(map(int, numbers)) != row or row <= last_row and last_row:
        return None  # rows out of order
    column = _last_valued_column(block, last, len(block))
    if not column:
        return None  # the last row holds no value: find the farthest one that does, row by row
    _grow(scan, row, column)
    pos = 0
    while m := _beyond(scan.columns).search(block, pos):
        pos = m.end()
        if _valued_at(block, m.start()):
            _grow(scan, _row_at(block, m.start()), _column(m.group(1)))
    return row


def _row_at(block: bytes, pos: int) -> int:
    start = block.rfind(b'<row r="', 0, pos) + 8
    return int(block[start : block.find(b'"', start)])


def _last_valued_column(block: bytes, start: int, end: int) -> int:
    """The column of the last cell holding a value between start and end (one row), or 0."""
    last = max(block.rfind(b"</v>", start, end), block.rfind(b"</is>", start, end))
    if last < 0:
        return 0
    cell = block.rfind(b'<c r="', start, last) + 6
    stop = cell
    while 65 <= block[stop] <= 90:
        stop += 1
    return _column(block[cell:stop])


def _valued_at(block: bytes, ref: int) -> bool:
    """Whether the cell whose ` r="` is at ref holds a value (a styled empty cell does not)."""
    tag_end = block.find(b">", ref)
    if tag_end < 0 or block[tag_end - 1 : tag_end] == b"/":
        return False
    end = block.find(b"</c>", tag_end)
    content = block[tag_end + 1 : end if end >= 0 else len(block)]
    return b"<v" in content or b"<is" in content


@functools.lru_cache(maxsize=128)
def _beyond(columns: int) -> re.Pattern:
    """A reference ( r="X…") to a column past `columns`, capturing its letters."""
    if columns >= 16384:
        return re.compile(rb"(?!)")
    parts = [rb"[A-Z]{4,}"]  # never a real column, but never let one through unseen
    letters = _letters(columns) if columns else ""
    if len(letters) <= 1:
        above = chr(ord(letters) + 1) if letters else "A"
        if above <= "Z":
            parts.append(f"[{above}-Z]".encode())
        parts += [rb"[A-Z]{2,3}"]
    elif len(letters) == 2:
        a, b = letters
        if b < "Z":
            parts.append(f"{a}[{chr(ord(b) + 1)}-Z]".encode())
        if a < "Z":
            parts.append(f"[{chr(ord(a) + 1)}-Z][A-Z]".encode())
        parts.append(rb"[A-Z]{3}")
    else:
        parts.append(rb"[A-Z]{3}")  # past ZZ: every three-letter reference is checked
    return re.compile(rb' r="(' + rb"|".join(parts) + rb")[0-9]")


def _grow(scan: SheetScan, row: int, column: int) -> None:
    if row > scan.rows or column > scan.columns:
        scan.rows, scan.columns = max(scan.rows, row), max(scan.columns, column)
        scan.farthest = f"{_letters(column)}{row}"


def _row_extent(body: bytes) -> int:
    """The farthest column of a row's cells that hold a value (0 if none), cell by cell; a cell
    without r= is the one after the previous."""
    farthest, position = 0, 0
    for m in VALUED_CELL_RE.finditer(body):
        ref = m.group(1)
        position = _column(ref) if ref else position + 1
        if m.group(2) is not None:
            farthest = max(farthest, position)
    return farthest


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
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
