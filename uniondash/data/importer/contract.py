"""The import view of the data contract: every table's Chinese name, every column's Chinese header,
unit, meaning, example and kind of value (templates.toml beside this file, checked against
uniondash/data/schema.py when loaded)."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa

from uniondash.data.schema import ACCEPTED_VALUES, PRIMARY_KEYS, TABLES

TEMPLATES_FILE = Path(__file__).with_name("templates.toml")
ADCODE_COLUMNS = ("adcode", "parent_adcode")
EXPLANATION_SHEET = "说明"  # the templates' explanation sheet: skipped by the importer by this name


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    header_zh: str
    unit: str
    note: str
    note_en: str
    example: str
    optional: bool
    kind: str  # text | adcode | int | float | date | bool
    accepted: tuple[str, ...] | None

    def header(self, lang: str) -> str:
        return self.name if lang == "en" else self.header_zh


@dataclass(frozen=True)
class TableSpec:
    name: str
    name_zh: str
    name_en: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]
    csv_only: bool = False

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    def label(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    def headers(self) -> dict[str, str]:
        """Normalised header (contract name or Chinese header) → column name."""
        return _headers(self.columns)


@cache
def _headers(columns: tuple[ColumnSpec, ...]) -> dict[str, str]:
    out = {}
    for c in columns:
        out[normalise(c.name)] = c.name
        out[normalise(c.header_zh)] = c.name
    return out


def normalise(text) -> str:
    """Header or file name as compared: NFKC (full-width → half-width), without any whitespace
    (a header broken over two lines in its cell, 站点 名称), ASCII lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)).replace("\ufeff", "")).lower()


def _kind(column: str, arrow_type: pa.DataType) -> str:
    if column in ADCODE_COLUMNS:
        return "adcode"
    if pa.types.is_boolean(arrow_type):
        return "bool"
    if pa.types.is_integer(arrow_type):
        return "int"
    if pa.types.is_floating(arrow_type):
        return "float"
    if pa.types.is_date(arrow_type):
        return "date"
    return "text"


@cache
def specs() -> dict[str, TableSpec]:
    raw = tomllib.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))
    if set(raw) != set(TABLES):
        raise ValueError(f"templates.toml tables {sorted(raw)} differ from the contract's {sorted(TABLES)}")
    out = {}
    for table, schema in TABLES.items():
        entry = raw[table]
        cols = entry["columns"]
        if list(cols) != schema.names:
            raise ValueError(f"templates.toml [{table}] columns differ from the contract's (same order)")
        columns = tuple(
            ColumnSpec(
                name=name,
                header_zh=cols[name]["zh"],
                unit=cols[name]["unit"],
                note=cols[name]["note"],
                note_en=cols[name]["note_en"],
                example=cols[name]["example"],
                optional=cols[name].get("optional", False),
                kind=_kind(name, schema.field(name).type),
                accepted=ACCEPTED_VALUES.get((table, name)),
            )
            for name in schema.names
        )
        out[table] = TableSpec(
            table, entry["name_zh"], entry["name_en"], columns, PRIMARY_KEYS[table], entry.get("csv_only", False)
        )
    return out


def table_named(name: str) -> str | None:
    """The table a file or sheet name names: the contract's name or the template's Chinese name."""
    key = normalise(name)
    for spec in specs().values():
        if key in (normalise(spec.name), normalise(spec.name_zh)):
            return spec.name
    return None
