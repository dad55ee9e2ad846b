"""What an import found wrong: each problem names the file, sheet, spreadsheet row (header = row
1), column, the value and what was expected, in Chinese or English; as a table, as lines for the
command line, and as an XLSX with the offending cells highlighted."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pandas as pd

from uniondash.text.i18n import t

MAX_PER_KIND = 200  # problems listed per file, column and rule; the rest are counted in one line
HIGHLIGHT_ALL_ROWS = 100_000  # above this the error workbook holds only the rows with problems


@dataclass(frozen=True)
class Problem:
    file: str
    expected_zh: str
    expected_en: str
    rule: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # as the file wrote it (Chinese header or contract name)
    value: str | None = None
    table: str | None = None
    column_key: str | None = None  # the contract's column name(s), for highlighting
    severity: str = "error"  # error (blocks the import) | warning (ignored part of a file) | info (what was done)

    @property
    def blocks(self) -> bool:
        """Only errors stop an import; warnings and notes are shown beside its outcome."""
        return self.severity == "error"

    def expected(self, lang: str) -> str:
        return self.expected_en if lang == "en" else self.expected_zh

    def shown_column(self, lang: str) -> str:
        """The column as the file headed it; in English with the contract's name beside a Chinese header."""
        if lang == "en" and self.column_key and self.column and self.column != self.column_key:
            return f"{self.column} ({self.column_key})"
        return self.column or ""

    def line(self, lang: str = "zh") -> str:
        where = [self.file + (f" [{self.sheet}]" if self.sheet else "")]
        if self.row is not None:
            where.append(t("import.where_row", lang, row=self.row))
        if self.column:
            where.append(t("import.where_column", lang, column=self.shown_column(lang)))
        text = t("import.sep", lang).join(where)
        if self.severity != "error":
            text = t(f"import.severity_{self.severity}", lang) + t("import.sep", lang) + text
        if self.value is not None:
            text += t("import.line_value", lang, value=_short(self.value))
        if not self.blocks:
            return text + t("import.line_note", lang, note=self.expected(lang))
        return text + t("import.line_expected", lang, expected=self.expected(lang))


def _short(value, limit: int = 80) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def file_problem(
    file: str,
    key: str,
    rule: str,
    sheet: str | None = None,
    severity: str = "error",
    column_key: str | None = None,
    **fields,
) -> Problem:
    """A problem with a whole file or sheet (encoding, size, names, formulas …)."""
    return Problem(
        file=file,
        sheet=sheet,
        expected_zh=t(key, "zh", **fields),
        expected_en=t(key, "en", **fields),
        rule=rule,
        row=fields.get("row"),
        column=fields.get("column"),
        value=fields.get("value"),
        severity=severity,
        column_key=column_key,
    )


def split(problems: list[Problem]) -> tuple[list[Problem], list[Problem]]:
    """(errors, warnings and notes)."""
    return [p for p in problems if p.blocks], [p for p in problems if not p.blocks]


def capped(problems: list[Problem]) -> list[Problem]:
    """At most MAX_PER_KIND problems per file, column and rule, then one line counting the rest."""
    seen: dict[tuple, int] = {}
    out: list[Problem] = []
    for p in problems:
        kind = (p.file, p.sheet, p.column, p.rule, p.severity)
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= MAX_PER_KIND:
            out.append(p)
    for kind, n in seen.items():
        if n > MAX_PER_KIND:
            file, sheet, column, rule, severity = kind
            more = n - MAX_PER_KIND
            out.append(
                Problem(
                    file=file,
                    sheet=sheet,
                    column=column,
                    rule=rule,
                    severity=severity,
                    expected_zh=t("import.more_of_kind", "zh", n=more),
                    expected_en=t("import.more_of_kind", "en", n=more),
                )
            )
    return out


COLUMNS = ("file", "sheet", "row", "column", "value", "expected")


def to_frame(problems: list[Problem], lang: str = "zh", severity: bool = False) -> pd.DataFrame:
    """The problems as a table with headers in the user's language; with severity=True a last
    column says which are errors and which warnings or notes (the error workbook, /data)."""
    rows = [
        {
            t("import.col_severity", lang): t(f"import.severity_{p.severity}", lang),
            t("import.col_file", lang): p.file,
            t("import.col_sheet", lang): p.sheet or "",
            t("import.col_row", lang): p.row,
            t("import.col_column", lang): p.shown_column(lang),
            t("import.col_value", lang): "" if p.value is None else _short(p.value, 200),
            t("import.col_expected", lang): p.expected(lang),
        }
        for p in problems
    ]
    columns = [t(f"import.col_{c}", lang) for c in COLUMNS + (("severity",) if severity else ())]
    frame = pd.DataFrame(rows, columns=[*columns[: len(COLUMNS)], t("import.col_severity", lang)])[columns]
    frame[t("import.col_row", lang)] = frame[t("import.col_row", lang)].astype("Int64")
    return frame


def error_workbook(problems: list[Problem], sources: list, lang: str = "zh") -> bytes:
    """An XLSX: the list of problems, then each file's rows with the offending cells highlighted
    (and the expectation as the cell's comment). Text is written as text: no cell becomes a formula."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "bg_color": "#DDDDDD"})
    bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "bold": True})
    listing = book.add_worksheet(t("import.errors_sheet", lang)[:31])
    problems = sorted(problems, key=lambda p: not p.blocks)  # errors first, then warnings and notes
    frame = to_frame(problems, lang, severity=True)
    for j, name in enumerate(frame.columns):
        listing.write(0, j, name, bold)
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, value in enumerate(row):
            listing.write(i, j, "" if pd.isna(value) else value)
    listing.set_column(0, 1, 18)
    listing.set_column(3, 4, 18)
    listing.set_column(5, 5, 60)
    listing.set_column(6, 6, 8)
    for source in sources:
        _highlighted_sheet(
            book,
            source,
            [p for p in problems if p.file == source.file and p.sheet == source.sheet and p.blocks],
            bold,
            bad,
            lang,
        )
    book.close()
    return buffer.getvalue()


def _highlighted_sheet(book, source, problems: list[Problem], bold, bad, lang: str) -> None:
    if not problems or source.raw is None:
        return
    name = re.sub(r"[\[\]:*?/\\]", "_", source.sheet or source.file)[:28]  # characters Excel refuses in a sheet name
    used = {ws.get_name() for ws in book.worksheets()}
    while name in used:
        name = name[:26] + "_" + str(len(used))
    sheet = book.add_worksheet(name)
    raw = source.raw
    flagged: dict[tuple[int, str], str] = {}
    for p in problems:
        if p.row is None or not p.column_key or not p.blocks:
            continue
        for col in p.column_key.split(", "):
            flagged[(p.row, col)] = p.expected(lang)
    rows = raw.index if len(raw) <= HIGHLIGHT_ALL_ROWS else sorted({r for r, _ in flagged})
    columns = list(raw.columns)
    offset = 0 if len(raw) <= HIGHLIGHT_ALL_ROWS else 1
    if offset:
        sheet.write(0, 0, t("import.col_row", lang), bold)
    for j, col in enumerate(columns):
        sheet.write(0, j + offset, source.headers.get(col, col), bold)
    for i, row in enumerate(rows, start=1):
        out_row = row - 1 if not offset else i
        if offset:
            sheet.write(out_row, 0, row)
        values = raw.loc[row] if row in raw.index else None
        for j, col in enumerate(columns):
            value = "" if values is None else values[col]
            value = "" if value is None or (isinstance(value, float) and pd.isna(value)) else value
            if (row, col) in flagged:
                sheet.write(out_row, j + offset, str(value), bad)
                sheet.write_comment(out_row, j + offset, flagged[(row, col)])
            else:
                sheet.write(out_row, j + offset, value if isinstance(value, int | float | bool) else str(value))
