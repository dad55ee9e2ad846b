"""data/README.md documents every table and column of the contract."""

from __future__ import annotations

from pathlib import Path

from uniondash.data.schema import TABLES

DOC = (Path(__file__).resolve().parent.parent / "data" / "README.md").read_text(encoding="utf-8")


def test_every_table_and_column_is_documented():
    for table, schema in TABLES.items():
        section = DOC.split(f"## {table} ")[1].split("\n## ")[0]
        for column in schema.names:
            assert column in section, f"data/README.md: {table}.{column} is undocumented"
