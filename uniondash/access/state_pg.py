"""The PostgreSQL backend of the shared state (UNIONDASH_STATE_URL=postgresql://…), through
psycopg 3: what several replicas share. One store per URL and process holds a few connections;
the tables are made on first use under an advisory lock (replicas starting together do not race),
and a schema made by a newer version is refused. "Now" is the database server's clock."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from typing import Any, ClassVar

from uniondash.access.state import SCHEMA_VERSION, SharedState, StateError, newer_schema, redact

MIGRATION_LOCK = 24_000_001  # pg_advisory_xact_lock key: one migration at a time, across replicas
IDLE_CONNECTIONS = 8  # kept open per process; more are opened under load and closed after use
CONNECT_TIMEOUT_S = 5
PING_AFTER_IDLE_S = 30.0  # a pooled connection idle this long is checked before use

MIGRATIONS = {
    1: """
create table if not exists sessions (
    sid text primary key, "user" text not null, source text not null,
    created double precision not null, last_seen double precision not null, revoked integer not null default 0);
create index if not exists sessions_user on sessions ("user");
create table if not exists tickets (ticket text primary key, sid text not null, expires double precision not null);
create table if not exists failures (kind text not null, key text not null, at double precision not null);
create index if not exists failures_key on failures (kind, key, at);
create table if not exists records (
    kind text not null, key text not null, doc text not null, updated double precision not null,
    primary key (kind, key));
create table if not exists audit (
    id bigserial primary key, at timestamptz not null default clock_timestamp(), entry jsonb not null);
create table if not exists accounts (name text primary key, entry text not null);
create table if not exists account_settings (id integer primary key check (id = 1), doc text not null);
""",
}


class _Cursor:
    """A psycopg cursor taking the `?` placeholders the shared session code is written with."""

    def __init__(self, cur):
        self.cur = cur

    def execute(self, sql: str, params=()):
        return self.cur.execute(sql.replace("?", "%s"), params)


class PostgresState(SharedState):
    kind = "postgresql"
    for_update = " for update"
    _stores: ClassVar[dict[str, PostgresState]] = {}
    _lock = threading.Lock()

    @classmethod
    def for_url(cls, url: str) -> PostgresState:
        with cls._lock:
            store = cls._stores.get(url)
            if store is None:
                store = cls._stores[url] = cls(url)
        return store

    def __init__(self, url: str):
        self.url = url
        self._idle: list[Any] = []
        self._pool_lock = threading.Lock()
        self._migrate()

    def _connect(self):
        import psycopg

        try:
            return psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True)
        except psycopg.OperationalError as exc:
            raise StateError(
                f"无法连接共享状态数据库 {redact(self.url)}：{exc}"
                f" / Cannot reach the shared-state database {redact(self.url)}: {exc}"
            ) from exc

    @contextlib.contextmanager
    def _conn(self) -> Iterator[Any]:
        import psycopg

        with self._pool_lock:
            conn, idle_since = self._idle.pop() if self._idle else (None, 0.0)
        if conn is not None and time.monotonic() - idle_since > PING_AFTER_IDLE_S:
            try:  # a connection idle for a while may have outlived a database restart
                conn.execute("select 1")
            except psycopg.Error:
                conn.close()
        if conn is None or conn.closed:
            conn = self._connect()
        ok = False
        try:
            yield conn
            ok = True
        finally:
            from psycopg.pq import TransactionStatus

            reusable = ok and not conn.closed and conn.info.transaction_status == TransactionStatus.IDLE
            with self._pool_lock:
                if reusable and len(self._idle) < IDLE_CONNECTIONS:
                    self._idle.append((conn, time.monotonic()))
                    conn = None
            if conn is not None:
                conn.close()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[_Cursor]:
        with self._conn() as conn, conn.transaction(), conn.cursor() as cur:
            yield _Cursor(cur)

    def _db_now(self, db) -> float:
        return float(db.execute("select extract(epoch from clock_timestamp())").fetchone()[0])

    def _migrate(self) -> None:
        with self._tx() as db:
            db.execute("select pg_advisory_xact_lock(?)", (MIGRATION_LOCK,))
            db.execute(
                "create table if not exists schema_version (component text primary key, version integer not null)"
            )
            got = db.execute("select version from schema_version where component = 'access'").fetchone()
            found = got[0] if got else 0
            if found > SCHEMA_VERSION:
                raise newer_schema(f"{redact(self.url)} (schema_version)", found)
            for version in range(found + 1, SCHEMA_VERSION + 1):
                db.cur.execute(MIGRATIONS[version])
            db.execute(
                "insert into schema_version values ('access', ?) on conflict (component) do update set version = ?",
                (SCHEMA_VERSION, SCHEMA_VERSION),
            )

    # the audit log: one row per entry, its time the database's
    def audit_append(self, entry: dict) -> None:
        from uniondash import clock

        with self._tx() as db:
            when = clock.utc_now().isoformat(timespec="seconds") if _clock_fixed() else None
            db.execute(
                "insert into audit (at, entry) values (coalesce(?::timestamptz, clock_timestamp()), ?::jsonb)",
                (when, json.dumps(entry, ensure_ascii=False)),
            )

    def audit_read(self) -> list[dict]:
        with self._tx() as db:
            rows = db.execute(
                "select to_char(at at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"'), entry::text"
                " from audit order by id"
            ).fetchall()
        return [{"time": at, **json.loads(entry)} for at, entry in rows]

    # accounts (uniondash.access.accounts_db reads and writes them)
    def account_rows(self) -> tuple[str | None, dict[str, str]]:
        with self._tx() as db:
            got = db.execute("select doc from account_settings where id = 1").fetchone()
            users = dict(db.execute("select name, entry from accounts order by name").fetchall())
        return (got[0] if got else None), users

    def write_accounts(self, settings: str, upserts: dict[str, str], deletes: list[str], seed: bool = False) -> bool:
        """One transaction: the settings (only when absent if `seed`), the changed users, the
        removed ones. With seed, nothing is written when settings exist already (False)."""
        with self._tx() as db:
            if seed:
                done = db.execute(
                    "insert into account_settings values (1, ?) on conflict (id) do nothing returning id", (settings,)
                ).fetchone()
                if done is None:
                    return False
            else:
                db.execute(
                    "insert into account_settings values (1, ?) on conflict (id) do update set doc = excluded.doc",
                    (settings,),
                )
            for name, entry in upserts.items():
                db.execute(
                    "insert into accounts values (?, ?) on conflict (name) do update set entry = excluded.entry",
                    (name, entry),
                )
            for name in deletes:
                db.execute("delete from accounts where name = ?", (name,))
        return True


def _clock_fixed() -> bool:
    import os

    from uniondash import clock

    return bool(os.environ.get(clock.ENV, "").strip())
