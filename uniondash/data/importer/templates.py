"""The import templates and the export of a snapshot as filled-in templates (the round trip).

Every table gets an XLSX (Chinese headers in row 1, data from row 2, drop-downs on the enumerated
and yes/no columns, a `说明` sheet with the contract's column names, units, accepted values and an
example row) and a CSV (UTF-8 with BOM, header only). region_shapes is CSV only: one boundary
exceeds Excel's 32,767 characters a cell. Text is written as text: no cell becomes a formula, and a
text that would start one gets the apostrophe that the importer takes off again."""

from __future__ import annotations

import csv
import io
import math
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from uniondash.data.importer.coerce import FORMULA_START
from uniondash.data.importer.contract import EXPLANATION_SHEET, TableSpec, specs

XLSX_ROWS = 1_048_576
BOOL_CHOICES = ["TRUE", "FALSE"]
EXPLANATION_HEADERS = [
    "列名 column",
    "中文表头 header",
    "单位 unit",
    "说明",
    "meaning",
    "可选值 accepted",
    "必填 required",
    "示例 example",
]


def file_stem(spec: TableSpec) -> str:
    return spec.name_zh


def _cell(value):
    """A value as the workbook should hold it: numbers and booleans as such, dates as ISO text,
    missing as empty, text that would start a formula escaped with an apostrophe."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


def write_xlsx(spec: TableSpec, target, frame: pd.DataFrame | None = None) -> None:
    """One table's template (frame None) or its filled-in export, to a path or a file object."""
    import xlsxwriter

    on_disk = isinstance(target, str | Path)
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    options |= {"constant_memory": True} if on_disk else {"in_memory": True}  # rows streamed to disk
    book = xlsxwriter.Workbook(str(target) if on_disk else target, options)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    sheet = book.add_worksheet(spec.name_zh)
    for j, col in enumerate(spec.columns):
        sheet.write(0, j, col.header_zh, head)
        sheet.set_column(j, j, max(10, len(col.header_zh) * 2 + 2))
    sheet.freeze_panes(1, 0)
    if frame is not None:
        columns = [frame[c.name].tolist() for c in spec.columns]
        for i, row in enumerate(zip(*columns), start=1):
            sheet.write_row(i, 0, [_cell(v) for v in row])
    for j, col in enumerate(spec.columns):
        choices = list(col.accepted) if col.accepted else (BOOL_CHOICES if col.kind == "bool" else None)
        if choices:
            sheet.data_validation(
                1,
                j,
                XLSX_ROWS - 1,
                j,
                {
                    "validate": "list",
                    "source": choices,
                    "error_title": col.header_zh,
                    "error_message": "、".join(choices),
                },
            )
    _explanation(book, spec, head)
    book.close()


def _explanation(book, spec: TableSpec, head) -> None:
    sheet = book.add_worksheet(EXPLANATION_SHEET)
    sheet.write(0, 0, f"{spec.name_zh}（{spec.name}）：第 1 行为表头，第 2 行起为数据；表头可用中文表头或列名。", head)
    for j, name in enumerate(EXPLANATION_HEADERS):
        sheet.write(2, j, name, head)
    for i, col in enumerate(spec.columns, start=3):
        accepted = "、".join(col.accepted) if col.accepted else ("TRUE、FALSE（是、否）" if col.kind == "bool" else "")
        sheet.write_row(
            i,
            0,
            [
                col.name,
                col.header_zh,
                col.unit,
                col.note,
                col.note_en,
                accepted,
                "否 optional" if col.optional else "是 required",
                col.example,
            ],
        )
    example = 4 + len(spec.columns)
    sheet.write(example, 0, "示例行 example row", head)
    for j, col in enumerate(spec.columns):
        sheet.write(example + 1, j, col.header_zh, head)
        sheet.write(example + 2, j, col.example)
    for j, width in enumerate((22, 18, 14, 40, 30, 40, 12, 24)):
        sheet.set_column(j, j, width)


def write_csv(spec: TableSpec, target: Path | io.StringIO, frame: pd.DataFrame | None = None) -> None:
    """UTF-8 with BOM (Excel opens it as UTF-8), Chinese headers, data as text."""
    out = frame[[c.name for c in spec.columns]].copy() if frame is not None else None
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.header_zh for c in spec.columns])
    if out is not None:
        for row in zip(*[out[c].tolist() for c in out.columns]):
            writer.writerow(
                [
                    "" if (v := _cell(x)) is None else ("TRUE" if v is True else "FALSE" if v is False else v)
                    for x in row
                ]
            )
    text = "\ufeff" + buffer.getvalue()
    if isinstance(target, Path):
        target.write_text(text, encoding="utf-8", newline="")
    else:
        target.write(text)


def template_files() -> dict[str, bytes]:
    """File name → bytes of every template (XLSX and CSV; region_shapes CSV only)."""
    out = {}
    for spec in specs().values():
        if not spec.csv_only:
            buffer = io.BytesIO()
            write_xlsx(spec, buffer)
            out[f"{file_stem(spec)}.xlsx"] = buffer.getvalue()
        text = io.StringIO()
        write_csv(spec, text)
        out[f"{file_stem(spec)}.csv"] = text.getvalue().encode("utf-8")
    return out


def templates_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in template_files().items():
            zf.writestr(name, data)
    return buffer.getvalue()


def write_templates(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in template_files().items():
        (out / name).write_bytes(data)
        written.append(out / name)
    return written


def export_snapshot(snapshot, out: Path, progress=None) -> list[Path]:
    """A snapshot as filled-in templates: XLSX per table (region_shapes CSV), importable as they are."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for spec in specs().values():
        frame = pq.read_table(snapshot.table_path(spec.name)).to_pandas()
        if spec.csv_only or len(frame) >= XLSX_ROWS:
            path = out / f"{file_stem(spec)}.csv"
            write_csv(spec, path, frame)
        else:
            path = out / f"{file_stem(spec)}.xlsx"
            write_xlsx(spec, str(path), frame)
        written.append(path)
        if progress:
            progress(spec.name)
    return written
