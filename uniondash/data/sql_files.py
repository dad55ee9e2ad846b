"""The plumbing of our .sql files, shared by the named queries (uniondash.data.warehouse) and the
data checks (uniondash.data.checks): a file's `-- key: value` header, the `$name` parameters it
binds, a string quoted as an SQL literal (only where DDL takes no parameters, for paths from
verified manifests), and the in-memory DuckDB connection that never installs or loads an
extension (parquet support is built in).
"""

from __future__ import annotations

import re

import duckdb

HEADER_RE = re.compile(r"^--\s*([a-z_]+):\s*(.*)$")
PARAM_RE = re.compile(r"\$([a-z_][a-z0-9_]*)")
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def parse_header(sql: str) -> dict[str, str]:
    """The `-- key: value` lines of the comments that open the file (up to its first SQL line)."""
    header: dict[str, str] = {}
    for line in sql.splitlines():
        m = HEADER_RE.match(line)
        if m:
            header[m.group(1)] = m.group(2).strip()
        elif line.strip() and not line.startswith("--"):
            break
    return header


def param_names(sql: str) -> tuple[str, ...]:
    """Every `$name` the SQL binds, sorted, each once."""
    return tuple(sorted(set(PARAM_RE.findall(sql))))


def sql_literal(text: str) -> str:
    """A string as an SQL literal, for DDL, which takes no bound parameters."""
    return "'" + text.replace("'", "''") + "'"


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory connection that never installs or loads an extension."""
    return duckdb.connect(":memory:", config=dict(DUCKDB_CONFIG))
