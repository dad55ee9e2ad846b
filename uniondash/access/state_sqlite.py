"""The embedded backend of the shared state: access.sqlite and audit.jsonl beside the accounts
file, for one machine (several workers on it share the file; SQLite's locking holds there, not on
a network filesystem). Nothing to install; the behaviour of the versions before issue 24."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from uniondash import clock
from uniondash.access.state import SCHEMA_VERSION, SharedState, newer_schema

SCHEMA = """
create table if not exists sessions (
    sid text primary key, user text not null, source text not null,
    created real not null, last_seen real not null, revoked integer not null default 0);
create table if not exists tickets (ticket text primary key, sid text not null, expires real not null);
create table if not exists failures (kind text not null, key text not null, at real not null);
create index if not exists failures_key on failures (kind, key, at);
create table if not exists records (
    kind text not null, key text not null, doc text not null, updated real not null, primary key (kind, key));
create table if not exists schema_version (component text primary key, version integer not null);
"""


class _Cursor:
    """sqlite3 with the other backend's habit: every result fully read before the commit."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def execute(self, sql: str, params=()) -> _Rows:
        return _Rows(self.db.execute(sql, params).fetchall())


class _Rows:
    def __init__(self, rows: list):
        self._rows = rows

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list:
        return self._rows


class SqliteState(SharedState):
    kind = "sqlite"

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / "access.sqlite"
        self._ready = False  # the file is made at the first use of a table (the audit log needs none)

    def _ensure(self) -> None:
        if self._ready:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.executescript(SCHEMA)  # executescript commits by itself: outside _tx's transaction
            got = db.execute("select version from schema_version where component = 'access'").fetchone()
            if got is None:  # a new file, or one made before the version table (the same tables): version 1
                db.execute("insert or ignore into schema_version values ('access', ?)", (SCHEMA_VERSION,))
                db.commit()
                got = db.execute("select version from schema_version where component = 'access'").fetchone()
            (found,) = got
        finally:
            db.close()
        os.chmod(self.path, 0o600)
        if found > SCHEMA_VERSION:
            raise newer_schema(str(self.path), found)
        self._ready = True

    @contextlib.contextmanager
    def _tx(self) -> Iterator[_Cursor]:
        self._ensure()
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.execute("begin immediate")
            yield _Cursor(db)
            db.execute("commit")
        except BaseException:
            db.execute("rollback")
            raise
        finally:
            db.close()

    def _db_now(self, db) -> float:
        return clock.timestamp()

    # audit.jsonl: one line per entry, written with a single append (workers' lines never interleave)
    @property
    def audit_path(self) -> Path:
        return self.folder / "audit.jsonl"

    def audit_append(self, entry: dict) -> None:
        entry = {"time": clock.utc_now().isoformat(timespec="seconds"), **entry}
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.audit_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    def audit_read(self) -> list[dict]:
        if not self.audit_path.exists():
            return []
        text = self.audit_path.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]
