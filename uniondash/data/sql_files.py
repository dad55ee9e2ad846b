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


# DuckDB's own memory limit in this process, when set (limit_memory): by default it takes 80 % of
# the machine's memory, more than an import child's address-space limit allows; within a share of
# that limit DuckDB spills or refuses instead of the process failing an allocation.
_MEMORY_LIMIT: list[str] = []
DUCKDB_SHARE_OF_LIMIT = 0.4  # the rest: Python, pandas, pyarrow and the readers' own copies


def limit_memory(address_space_mb: float) -> None:
    """Keep every later connection of this process within a share of its address-space limit."""
    _MEMORY_LIMIT[:] = [f"{int(address_space_mb * DUCKDB_SHARE_OF_LIMIT)}MB"]


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory connection that never installs or loads an extension."""
    config = dict(DUCKDB_CONFIG)
    if _MEMORY_LIMIT:
        config["memory_limit"] = _MEMORY_LIMIT[0]
    return duckdb.connect(":memory:", config=config)
