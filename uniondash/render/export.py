"""Exports a planner can hand on: XLSX with numbers stored as numbers under number formats, a
header block (organisation, snapshot, compare snapshot, scope, filters, 演示数据, rows: a number
cell), a frozen header row and sized columns; CSV in UTF-8 with BOM (Excel and WPS on Chinese
Windows open it without mojibake). No text cell can start a formula. File names carry the scope
and are safe on every desktop (safe_file_stem)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

# A cell starting with one of these is read as a formula by Excel, WPS or LibreOffice (the
# full-width forms too, and "|" for DDE); leading spaces do not protect it.
FORMULA_START = ("=", "+", "-", "@", "|", "\t", "\r", "\n", "＝", "＋", "－", "＠", "｜")
# Number formats by kind: "int" counts, "percent" shares (stored as fractions), "decimal1" and
# "decimal2" measures, "number" counts or measures (whole numbers without decimals), "date", "text".
XLSX_FORMATS = {
    "int": "#,##0",
    "number": "#,##0.0#",  # whole numbers get "int" (see _cell_format): never "5." for 5
    "decimal1": "#,##0.0",
    "decimal2": "#,##0.00",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
}
XLSX_MAX_ROWS = 1_048_576  # Excel's sheet limit, header block included
MAX_WIDTH = 60
# A file name: characters Windows refuses (and the path separators), device names it reserves, and
# room for the suffix within 255 bytes (ext4 counts bytes: a Chinese character is 3 of them).
REFUSED_IN_FILE_NAMES = set('<>:"/\\|?*')
RESERVED_FILE_NAMES = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10)}
FILE_STEM_MAX_BYTES = 200
FILE_SCOPE_MAX_BYTES = 120  # a long list of names is cut here, the table's name and period kept


@dataclass(frozen=True)
class Sheet:
    """A table to export: `frame` holds the headers as shown (in the UI's language) and raw values;
    `formats` gives a column's kind (see XLSX_FORMATS), a whole column's or one per row;
    `context` is the header block, (label, value) pairs written above the table (a number value,
    such as the row count, is written as a number); `scope` names the scope in a few words, for
    the file name (see file_stem)."""

    frame: pd.DataFrame
    formats: dict[str, str | Sequence[str]] = field(default_factory=dict)
    context: tuple[tuple[str, str | int | float], ...] = ()
    scope: str = ""


# A name's trailing period: a snapshot date, a year or "all" (years); the scope goes before it.
_PERIOD_TAIL = re.compile(r"^(?P<head>.+?)-(?P<tail>\d{4}(?:-\d{2}-\d{2})?|all)$")


def _clean(text: str, max_bytes: int) -> str:
    """Text with every character Windows refuses in a name (and control characters) as "_",
    whitespace as "_", no leading or trailing dots, spaces or "_", at most max_bytes in UTF-8."""
    text = unicodedata.normalize("NFC", str(text))
    kept = "".join("_" if ch in REFUSED_IN_FILE_NAMES or unicodedata.category(ch)[0] == "C" else ch for ch in text)
    out = re.sub(r"\s+", "_", kept).strip(" ._")
    while len(out.encode("utf-8")) > max_bytes:
        out = out[:-1].rstrip(" ._")
    return out


def safe_file_stem(text: str) -> str:
    """A file name's stem any desktop accepts, Chinese kept: no path separators, no characters
    Windows refuses (<>:"/\\|?* and control characters) nor a name it reserves (CON, NUL, COM1 …),
    no leading or trailing dots or spaces, whitespace as "_", at most FILE_STEM_MAX_BYTES bytes."""
    stem = _clean(text, FILE_STEM_MAX_BYTES)
    if stem.split(".")[0].upper() in RESERVED_FILE_NAMES:
        stem = "_" + stem
    return stem or "export"


def file_stem(name: str, scope: str = "") -> str:
    """The download's name without its suffix: the table's name with the scope before its period
    (`stations-2023-12-31` in 枣阳市 → `stations-枣阳市-2023-12-31`; `trades-all` → `trades-枣阳市-all`;
    a name without a period gets the scope at its end), made safe (safe_file_stem). A long scope
    is cut, never the period."""
    scope = _clean(scope, FILE_SCOPE_MAX_BYTES)
    if not scope:
        return safe_file_stem(name)
    match = _PERIOD_TAIL.match(name)
    if match:
        return safe_file_stem(f"{match['head']}-{scope}-{match['tail']}")
    return safe_file_stem(f"{name}-{scope}")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.lstrip(" \u3000").startswith(FORMULA_START)


def guard(value):
    """A text cell that would start a formula gets a leading apostrophe; anything else is kept."""
    return "'" + value if is_formula_like(value) else value


def formula_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells that would start a formula get a leading apostrophe; numbers stay numbers."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(guard)
    return out


def _kind(sheet: Sheet, col: str, row: int) -> str:
    kind = sheet.formats.get(col, "")
    if isinstance(kind, str):
        return kind
    return kind[row] if row < len(kind) else ""


def _missing(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _plain(value):
    """numpy and pandas scalars → Python ones (xlsxwriter and csv take these)."""
    if _missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _csv_cell(value, kind: str):
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"  # Excel and WPS read these as logical values
    if isinstance(value, int | float):
        if kind == "percent":
            return f"{value * 100:.1f}%"  # Excel and WPS read "76.9%" as the number 0.769
        if kind == "decimal1":
            return f"{value:.1f}"
        if kind == "decimal2":
            return f"{value:.2f}"
        if kind == "int" or (isinstance(value, float) and value.is_integer()):
            return str(int(round(value)))
        return f"{value:.6g}"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return guard(str(value))


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _context_csv(value) -> str:
    """A header block value in the CSV: a number as Excel reads one (no thousands separator)."""
    if _is_number(value):
        return _csv_cell(value, "int" if float(value).is_integer() else "")
    return guard(str(value))


def to_csv_bytes(data: Sheet | pd.DataFrame) -> bytes:
    """UTF-8 with BOM; the header block first, a blank line, then the table."""
    sheet = data if isinstance(data, Sheet) else Sheet(data)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for label, value in sheet.context:
        writer.writerow([guard(label), _context_csv(value)])
    if sheet.context:
        writer.writerow([])
    columns = list(sheet.frame.columns)
    writer.writerow([guard(str(c)) for c in columns])
    values = sheet.frame.to_numpy(dtype=object)
    for i, row in enumerate(values):
        writer.writerow([_csv_cell(v, _kind(sheet, c, i)) for c, v in zip(columns, row)])
    return buffer.getvalue().encode("utf-8-sig")


def _text_width(text: str) -> int:
    """Display width in Excel's character units: a CJK character counts as two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def column_widths(sheet: Sheet, sample: int = 500) -> list[int]:
    """Each column as wide as its header or its widest value among the first rows, within limits."""
    widths = []
    for col in sheet.frame.columns:
        head = sheet.frame[col].head(sample)
        kind = sheet.formats.get(col, "")
        if isinstance(kind, str) and kind in ("int", "number", "decimal1", "decimal2"):
            cells = [f"{v:,.2f}" for v in pd.to_numeric(head, errors="coerce").dropna()]
        elif kind == "percent":
            cells = ["100.0%"]
        else:
            cells = [str(v) for v in head if not _missing(v)]
        widest = max([_text_width(str(col)), *(_text_width(c) for c in cells)], default=8)
        widths.append(min(MAX_WIDTH, max(8, widest + 2)))
    return widths


def to_xlsx_bytes(data: Sheet | pd.DataFrame, sheet_name: str = "data") -> bytes:
    """The header block, a blank row, the table with a frozen header row; numbers as numbers."""
    import xlsxwriter

    sheet = data if isinstance(data, Sheet) else Sheet(data)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    ws = book.add_worksheet(sheet_name[:31])
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "bg_color": "#DDE6F0", "border": 1, "text_wrap": True})
    formats = {kind: book.add_format({"num_format": f}) for kind, f in XLSX_FORMATS.items()}
    # a number in the header block (the row count) is left-aligned like the text values beside it
    block_numbers = {k: book.add_format({"num_format": XLSX_FORMATS[k], "align": "left"}) for k in ("int", "number")}
    columns = list(sheet.frame.columns)
    for i, width in enumerate(column_widths(sheet)):
        ws.set_column(i, i, width)
    row = 0
    for label, value in sheet.context:
        ws.write_string(row, 0, guard(label), bold)
        if _is_number(value):  # the row count: a number cell, not text
            ws.write_number(row, 1, value, block_numbers["int" if float(value).is_integer() else "number"])
        else:
            ws.write_string(row, 1, guard(str(value)))
        row += 1
    if sheet.context:
        row += 1
    for i, col in enumerate(columns):
        ws.write_string(row, i, guard(str(col)), header)
    ws.freeze_panes(row + 1, 0)
    if len(columns):
        ws.autofilter(row, 0, row + len(sheet.frame), len(columns) - 1)
    room = XLSX_MAX_ROWS - row - 1
    for r, values in enumerate(sheet.frame.head(room).to_numpy(dtype=object)):
        for c, (col, value) in enumerate(zip(columns, values)):
            value = _plain(value)
            _write_cell(ws, row + 1 + r, c, value, formats.get(_cell_format(_kind(sheet, col, r), value)))
    book.close()
    return buffer.getvalue()


def _cell_format(kind: str, value) -> str:
    if not kind and isinstance(value, dt.date):
        return "date"
    if kind == "number" and isinstance(value, int | float) and float(value).is_integer():
        return "int"
    return kind


def _write_cell(ws, r: int, c: int, value, fmt) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value, fmt)
    elif isinstance(value, dt.datetime | dt.date):
        ws.write_datetime(r, c, value, fmt)
    else:
        ws.write_string(r, c, guard(str(value)))
