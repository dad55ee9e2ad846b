"""Exports a planner can hand on: XLSX with numbers stored as numbers under number formats, a
header block (organisation, snapshot, compare snapshot, scope, filters, 演示数据), a frozen header
row and sized columns; CSV in UTF-8 with BOM (Excel and WPS on Chinese Windows open it without
mojibake). No text cell can start a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
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


@dataclass(frozen=True)
class Sheet:
    """A table to export: `frame` holds the headers as shown (in the UI's language) and raw values;
    `formats` gives a column's kind (see XLSX_FORMATS), a whole column's or one per row;
    `context` is the header block, (label, value) pairs written above the table."""

    frame: pd.DataFrame
    formats: dict[str, str | Sequence[str]] = field(default_factory=dict)
    context: tuple[tuple[str, str], ...] = ()


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


def to_csv_bytes(data: Sheet | pd.DataFrame) -> bytes:
    """UTF-8 with BOM; the header block first, a blank line, then the table."""
    sheet = data if isinstance(data, Sheet) else Sheet(data)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for label, value in sheet.context:
        writer.writerow([guard(label), guard(value)])
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
    columns = list(sheet.frame.columns)
    for i, width in enumerate(column_widths(sheet)):
        ws.set_column(i, i, width)
    row = 0
    for label, value in sheet.context:
        ws.write_string(row, 0, guard(label), bold)
        ws.write_string(row, 1, guard(value))
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
