"""Values as read → the contract's types, vectorised, with a mask of the cells that cannot be read.

Text from CSV and the workbook's own numbers, booleans and dates are both accepted: 420102.0 in
an adcode column is 420102; TRUE/FALSE, 是/否, 1/0 are booleans; dates as YYYY-MM-DD (or
YYYY/M/D) or the workbook's date cells. An unreadable cell becomes null and is named by the
validation (pandera), never silently dropped."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from uniondash.data.importer.contract import ColumnSpec, TableSpec

TRUE = {"true", "1", "1.0", "是", "y", "yes", "t", "√"}
FALSE = {"false", "0", "0.0", "否", "n", "no", "f", "×"}
# What pandas infers for an object column holding numbers only (no text, no booleans, no None):
# read as numbers in one go rather than cell by cell.
NUMBERS_ONLY = ("floating", "integer", "mixed-integer-float")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # as uniondash/render/export.py escapes them


def _is_text(series: pd.Series) -> bool:
    """A CSV column (pandas' string dtype): every step can be vectorised."""
    return isinstance(series.dtype, pd.StringDtype)


def _blank(series: pd.Series) -> np.ndarray:
    if _is_text(series):
        return series.str.strip().fillna("").eq("").to_numpy(dtype=bool)
    return (series.isna() | series.eq("")).to_numpy(dtype=bool)


def _as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a code typed as a number: 420102.0 → 420102
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    return str(value)


def text(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Trimmed text in pandas' string type (no Python object per cell); empty is null."""
    if _is_text(series):
        out = series.str.strip()
    else:
        out = series.map(lambda v: None if v is None or v is pd.NA else _as_text(v)).astype("str").str.strip()
    # Undo the export's formula escape ('=…): a round trip gives back the value that was exported.
    escaped = out.str.startswith("'", na=False) & out.str[1:2].isin(FORMULA_START)
    if escaped.any():
        out = out.mask(escaped, out.str[1:])
    out = out.where(out.fillna("").ne(""))
    return out, np.zeros(len(series), dtype=bool)


def _numbers(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    blank = _blank(series)
    values = series
    if _is_text(series):
        values = series.str.replace(",", "", regex=False).str.replace("，", "", regex=False).str.strip()
        bools = pd.Series(False, index=series.index)
    elif values.dtype == object and infer_dtype(values, skipna=False) in NUMBERS_ONLY:
        bools = pd.Series(False, index=series.index)  # a workbook's numbers: nothing to strip, no booleans
    elif values.dtype == object:
        as_str = values.map(lambda v: v.replace(",", "").replace("，", "").strip() if isinstance(v, str) else v)
        bools = as_str.map(lambda v: isinstance(v, bool))
        values = as_str.mask(bools, np.nan)
    else:
        bools = pd.Series(False, index=series.index)
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    numbers = numbers.where(np.isfinite(numbers))  # "inf" is no count
    unreadable = (numbers.isna().to_numpy() | bools.to_numpy()) & ~blank
    return numbers, unreadable


def integer(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    numbers, unreadable = _numbers(series)
    fractional = numbers.notna().to_numpy() & (numbers.to_numpy() % 1 != 0)
    unreadable = unreadable | fractional
    out = numbers.mask(fractional | unreadable).astype("Int64")
    return out, unreadable


def number(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    numbers, unreadable = _numbers(series)
    return numbers.mask(unreadable), unreadable


def boolean(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    blank = _blank(series)

    def read(v):
        if isinstance(v, bool):
            return v
        key = _as_text(v).strip().lower() if v is not None else ""
        if key in TRUE:
            return True
        if key in FALSE:
            return False
        return None

    if _is_text(series):
        keys = series.str.strip().str.lower()
        out = pd.Series(pd.NA, index=series.index, dtype="boolean")
        out[keys.isin(TRUE).to_numpy(dtype=bool)] = True
        out[keys.isin(FALSE).to_numpy(dtype=bool)] = False
    elif series.dtype == object and infer_dtype(series, skipna=False) == "boolean":
        out = series.astype("boolean")  # a workbook's TRUE/FALSE cells only: each is read as itself
    else:
        out = series.map(read).astype("boolean")
    unreadable = out.isna().to_numpy() & ~blank
    return out, unreadable


def date(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    blank = _blank(series)

    def read(v):
        if isinstance(v, dt.datetime):
            return v.date() if v.time() == dt.time(0) else None
        if isinstance(v, dt.date):
            return v
        if not isinstance(v, str):
            return None
        text = v.strip().replace("/", "-").replace(".", "-")
        try:
            return dt.date.fromisoformat(text) if len(text) == 10 else _loose_date(text)
        except ValueError:
            return None

    if _is_text(series):  # CSV: parse as a whole column, the common case, fast
        parsed = pd.to_datetime(series.str.strip(), format="%Y-%m-%d", errors="coerce")
        out = pd.Series(parsed.dt.date, index=series.index, dtype=object).where(parsed.notna(), None)
        retry = out.isna().to_numpy() & ~blank
        if retry.any():
            out[retry] = series[retry].map(read)
    else:
        out = series.map(read)
    unreadable = out.isna().to_numpy() & ~blank
    return out.astype(object).where(out.notna(), None), unreadable


def _loose_date(text: str) -> dt.date:
    """2021-3-1 → 2021-03-01; an impossible date (2023-02-30) raises ValueError."""
    parts = text.split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise ValueError(text)
    return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))


CONVERTERS = {"text": text, "adcode": text, "int": integer, "float": number, "bool": boolean, "date": date}


def coerce(spec: TableSpec, raw: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The typed frame (same index) and, per column, the cells that could not be read."""
    typed = {}
    unreadable = {}
    for col in spec.columns:
        if col.name not in raw.columns:
            typed[col.name] = pd.Series([None] * len(raw), index=raw.index, dtype=object)
            unreadable[col.name] = np.zeros(len(raw), dtype=bool)
            continue
        typed[col.name], unreadable[col.name] = CONVERTERS[col.kind](raw[col.name])
    return pd.DataFrame(typed, index=raw.index), unreadable


def expected_type(col: ColumnSpec, lang: str) -> str:
    from uniondash.text.i18n import t

    return t(f"import.type_{col.kind}", lang)
