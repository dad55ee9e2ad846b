"""The query layer: one DuckDB connection over every good snapshot, and named .sql queries.

Each table is a view over all snapshots' parquet files with an `as_of` column, so a query
reads one snapshot (`as_of = $as_of`) or a trend across all of them with the same SQL.
Values reach SQL only as bound parameters; view and table names come from the contract's
allow-list. No extension is installed or loaded: parquet support is built in.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from uniondash.access.data_scope import SCOPE_EXCEPTIONS, DataScope, mask_names, restrict_params, restrict_rows
from uniondash.config import QUERIES_DIR
from uniondash.data.schema import TABLES
from uniondash.data.snapshots import Snapshot, list_snapshots
from uniondash.data.sql_files import connect, param_names, parse_header, sql_literal
from uniondash.errors import DataMissingError, SnapshotError


@dataclass(frozen=True)
class NamedQuery:
    name: str
    sql: str
    title: str
    description: str
    grain: str
    params: tuple[str, ...]


@cache
def load_query(name: str, queries_dir: Path = QUERIES_DIR) -> NamedQuery:
    """Read queries/<name>.sql and its header; the name must be a plain file name."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"invalid query name {name!r}")
    path = queries_dir / f"{name}.sql"
    if not path.exists():
        raise FileNotFoundError(f"no query named {name!r} ({path})")
    sql = path.read_text(encoding="utf-8")
    header = parse_header(sql)
    params = param_names(sql)
    return NamedQuery(
        name, sql, header.get("title", ""), header.get("description", ""), header.get("grain", ""), params
    )


def all_queries(queries_dir: Path = QUERIES_DIR) -> list[NamedQuery]:
    """Every named query (queries/*.sql; the macros/ folder holds shared views and table macros, not queries)."""
    return [load_query(p.stem, queries_dir) for p in sorted(queries_dir.glob("*.sql"))]


def _view_ddl(table: str, snapshots: list[Snapshot]) -> str:
    """A view of one table over every snapshot, with an as_of column.

    View DDL cannot take parameters: the paths come from verified manifests and are quoted as
    literals; the table name comes from the contract's allow-list (schema.TABLES)."""
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}")
    selects = [
        f"select cast({sql_literal(s.as_of)} as date) as as_of, * from read_parquet({sql_literal(str(s.table_path(table)))})"  # noqa: S608, E501
        for s in snapshots
    ]
    return f"create view {table} as " + " union all by name ".join(selects)


class Warehouse:
    """Views over the good snapshots of a data folder; refused snapshots are listed in `refused`."""

    def __init__(self, snapshots_dir: Path, verify: bool = True):
        self.snapshots_dir = Path(snapshots_dir)
        # UNIONDASH_QUERY_LOG=FILE: one line per named query executed (not served from a cache),
        # for diagnosing caches; tests/test_guard.py counts executions with it
        self.query_log = os.environ.get("UNIONDASH_QUERY_LOG") or None
        found = list_snapshots(self.snapshots_dir, verify=verify)
        self.snapshots: list[Snapshot] = [s for s in found if s.ok]
        self.refused: list[Snapshot] = [s for s in found if not s.ok]
        if not self.snapshots:
            if self.refused:
                detail = "; ".join(f"{s.as_of}: {s.problems[0]}" for s in self.refused)
                raise SnapshotError(
                    f"没有可用的快照（{detail}）。请运行 make data 重建演示数据或重新导入。"
                    f" / No usable snapshot ({detail}). Run `make data` or re-import."
                )
            raise DataMissingError(
                f"数据目录 {self.snapshots_dir} 中没有快照。请运行 make data 生成演示数据，或用"
                f" python -m uniondash import 导入。/ No snapshots in {self.snapshots_dir}: run `make data`."
            )
        self.con = connect()
        for table in TABLES:
            self.con.execute(_view_ddl(table, self.snapshots))
        for macro in sorted((QUERIES_DIR / "macros").glob("*.sql")):  # shared views and table macros, our own files
            self.con.execute(macro.read_text(encoding="utf-8"))

    @property
    def as_ofs(self) -> list[str]:
        return [s.as_of for s in self.snapshots]

    @property
    def latest(self) -> Snapshot:
        return self.snapshots[-1]

    def snapshot(self, as_of: str) -> Snapshot:
        for s in self.snapshots:
            if s.as_of == as_of:
                return s
        raise SnapshotError(f"快照 {as_of} 不存在或未通过校验。/ Snapshot {as_of} is not available.")

    def run(self, name: str, data_scope: DataScope | None = None, names_shown: bool = True, **params) -> pd.DataFrame:
        """The query gateway: a named query with bound parameters (every $param of the SQL must be
        given), then the session's rules, applied here and nowhere else
        (uniondash/access/data_scope.py): with a data_scope (a planner's session) the query reads only
        the scope's units whatever the parameters say, and without names_shown every person's name
        is masked, so no page, export or cache holds a name the session may not see."""
        query = load_query(name)
        missing = set(query.params) - set(params)
        extra = set(params) - set(query.params)
        if missing or extra:
            raise ValueError(f"query {name}: missing params {sorted(missing)}, unexpected {sorted(extra)}")
        scoped = data_scope is not None and name not in SCOPE_EXCEPTIONS
        narrowed = restrict_params(params, data_scope) if scoped else params
        cur = self.con.cursor()
        try:
            result = cur.execute(query.sql, {k: _bindable(v) for k, v in narrowed.items()}).df()
        finally:
            cur.close()
        if self.query_log:
            with open(self.query_log, "a", encoding="utf-8") as log:
                log.write(name + "\n")
        if scoped:
            result = restrict_rows(name, result, params, data_scope)
        return result if names_shown else mask_names(result)


def _bindable(value):
    """DuckDB binds a list as LIST and a dict as STRUCT (the stations filters travel as one)."""
    if isinstance(value, dict):
        return {k: _bindable(v) for k, v in value.items()}
    return list(value) if isinstance(value, tuple) else value
