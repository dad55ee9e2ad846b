"""Validation before anything is written: per table with pandera (lazy=True, so every failure is
reported with its row and column), then the whole candidate snapshot with the data checks of
queries/checks/ (unique keys, accepted values, members ≤ employees, stations inside their county …),
the same checks the tests and the snapshot reader run."""

from __future__ import annotations

import dataclasses
import json
import warnings

import numpy as np
import pandas as pd
import pandera.pandas as pa

from uniondash.data import checks
from uniondash.data.importer.coerce import coerce, expected_type
from uniondash.data.importer.contract import ColumnSpec, TableSpec, specs
from uniondash.data.importer.problems import Problem
from uniondash.data.importer.sources import Source
from uniondash.data.schema import TABLES
from uniondash.text.i18n import t

# Ranges the contract implies: coordinates inside China, stars 1–5, plausible years, counts ≥ 0.
RANGES: dict[str, tuple[float, float]] = {
    "lon": (73.0, 136.0),
    "lat": (3.0, 54.0),
    "star": (1, 5),
    "year": (1949, 2100),
}
SIGNED = ("value", "target")  # long-format figures may be negative (a change); every other number is ≥ 0


def _geojson_ok(text) -> bool:
    try:
        geometry = json.loads(text)
    except (TypeError, ValueError):
        return False
    return isinstance(geometry, dict) and geometry.get("type") in ("Polygon", "MultiPolygon")


def _int_max(table: str, column: str) -> int:
    return int(np.iinfo(TABLES[table].field(column).type.to_pandas_dtype()).max)


def _checks(table: str, col: ColumnSpec, unreadable: np.ndarray) -> list[pa.Check]:
    out = [pa.Check(lambda s, bad=unreadable: pd.Series(~bad, index=s.index), name="readable", ignore_na=False)]
    if col.kind == "adcode":
        out.append(pa.Check(lambda s: s.str.fullmatch(r"\d{6}"), name="adcode"))
    if col.name in RANGES:
        low, high = RANGES[col.name]
        out.append(pa.Check(lambda s, lo=low, hi=high: s.between(lo, hi), name=f"range:{low:g}:{high:g}"))
    elif col.kind == "int":  # ≥ 0 and within the contract's integer width (monthly_visits is int32)
        high = _int_max(table, col.name)
        out.append(pa.Check(lambda s, hi=high: s.between(0, hi), name=f"range:0:{high}"))
    elif col.kind == "float" and col.name not in SIGNED:
        out.append(pa.Check(lambda s: s >= 0, name="non_negative"))
    if col.name == "geojson":
        out.append(pa.Check(_geojson_ok, element_wise=True, name="geojson"))
    return out


def table_schema(spec: TableSpec, unreadable: dict[str, np.ndarray]) -> pa.DataFrameSchema:
    columns = {
        c.name: pa.Column(nullable=c.optional, checks=_checks(spec.name, c, unreadable[c.name])) for c in spec.columns
    }
    return pa.DataFrameSchema(columns, strict=False)


def _expected(check: str, col: ColumnSpec, lang: str) -> str:
    if check == "readable":
        return expected_type(col, lang)
    if check == "not_nullable":
        return t("import.exp_required", lang)
    if check.startswith("range:"):
        _, low, high = check.split(":")
        return t("import.exp_range", lang, low=low, high=high)
    return t(f"import.exp_{check}", lang)


TOTAL_WORDS = {"合计": "合计", "小计": "小计", "总计": "总计", "总合计": "合计", "total": "合计", "subtotal": "小计"}
TOTAL_RE = r"^(?:总?合\s*计|小\s*计|总\s*计|(?:sub|grand\s*)?total)\s*[:：]?$"


def _name_columns(spec: TableSpec) -> list[str]:
    """The key columns and the name columns: where a total row says it is one."""
    names = [c.name for c in spec.columns if c.name == "name" or c.name.endswith("_name")]
    return list(dict.fromkeys([*spec.key, *names]))


def total_rows(source: Source) -> list[Problem]:
    """Rows whose key or name cell reads 合计, 小计 or 总计 (or Total): a total row at its row,
    not an unknown code."""
    spec = specs()[source.table]
    raw = source.raw
    found: dict[int, Problem] = {}
    for column in _name_columns(spec):
        if column not in raw.columns or raw.empty:
            continue
        cells = raw[column]
        text = cells.astype("str") if not isinstance(cells.dtype, pd.StringDtype) else cells
        maybe = text.str.contains("计", regex=False, na=False) | text.str.contains("total", case=False, na=False)
        if not maybe.any():
            continue
        hits = text[maybe].str.strip().str.fullmatch(TOTAL_RE, case=False, na=False)
        for row, value in text[maybe][hits].items():
            if row in found:
                continue
            value = str(value).strip()
            word = TOTAL_WORDS.get(value.replace(" ", "").rstrip(":：").lower().replace("grand", ""), "合计")
            header = source.headers.get(column, column)
            found[row] = Problem(
                file=source.file,
                sheet=source.sheet,
                row=int(row),
                column=header,
                value=value,
                expected_zh=t("import.err_total_row", "zh", row=row, word=word, header=header, value=value),
                expected_en=t("import.err_total_row", "en", row=row, word=word, header=header, value=value),
                rule="total_row",
                table=source.table,
                column_key=column,
            )
    return [found[r] for r in sorted(found)]


def validate_source(source: Source) -> tuple[pd.DataFrame, list[Problem]]:
    """The typed frame of one source and every problem pandera finds in it. A total row (合计 …)
    is named as such at its row, and its cells are not checked further."""
    spec = specs()[source.table]
    totals = total_rows(source)
    checked = source
    if totals:
        checked = dataclasses.replace(source, raw=source.raw.drop(index=[p.row for p in totals]))
    typed, unreadable = coerce(spec, checked.raw)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table_schema(spec, unreadable).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return typed, totals + _problems(checked, spec, exc.failure_cases, unreadable)
    return typed, totals


def _problems(source: Source, spec: TableSpec, cases: pd.DataFrame, unreadable: dict) -> list[Problem]:
    cases = cases[cases["index"].notna() & cases["column"].notna()]
    unread_cells = {(row, col) for col, mask in unreadable.items() for row in source.raw.index[mask]}
    out = []
    for case in cases.to_dict("records"):
        row, column, check = int(case["index"]), case["column"], str(case["check"])
        if check == "not_nullable" and (row, column) in unread_cells:
            continue  # already named as unreadable
        col = spec.column(column)
        raw = source.raw.at[row, column] if column in source.raw.columns else None
        out.append(
            Problem(
                file=source.file,
                sheet=source.sheet,
                row=row,
                column=source.headers.get(column, column),
                value=None if raw is None or (isinstance(raw, float) and np.isnan(raw)) else str(raw),
                expected_zh=_expected(check, col, "zh"),
                expected_en=_expected(check, col, "en"),
                rule=check,
                table=source.table,
                column_key=column,
            )
        )
    return sorted(
        out,
        key=lambda p: (
            p.row,
            list(source.raw.columns).index(p.column_key) if p.column_key in source.raw.columns else 0,
        ),
    )


def check_problems(
    con, params: dict, origin: dict[str, Source | str], costs: tuple[str, ...] = ("cheap", "full")
) -> list[Problem]:
    """The data checks on the attached candidate; each violation named in its source file (or in
    the carried snapshot's parquet file)."""
    found = checks.run_checks(con, params, costs)
    out = []
    for v in found.to_dict("records"):
        table = v["table_name"]
        source = origin.get(table)
        columns = str(v["column_name"]).split(", ")
        if isinstance(source, Source):
            file, sheet = source.file, source.sheet
            shown = ", ".join(source.headers.get(c, c) for c in columns)
        else:
            file, sheet = source or table, None
            shown = v["column_name"]
        out.append(
            Problem(
                file=file,
                sheet=sheet,
                row=None if pd.isna(v["_row"]) else int(v["_row"]),
                column=shown,
                value=None
                if v["value"] is None or (isinstance(v["value"], float) and np.isnan(v["value"]))
                else str(v["value"]),
                expected_zh=_column_words(v["expected_zh"], table, "zh", source),
                expected_en=_column_words(v["expected_en"], table, "en", source),
                rule=v["check"],
                table=table,
                column_key=v["column_name"],
            )
        )
    return out


def _column_words(text: str, table: str, lang: str, source) -> str:
    """A column named in an expectation ("at most employees") as the file headed it."""
    for col in specs()[table].columns:
        header = source.headers.get(col.name) if isinstance(source, Source) else None
        label = header or col.header(lang)
        text = text.replace(f"的 {col.name}（", f"的“{label}”（").replace(f"row's {col.name} (", f"row's {label} (")
    return text
