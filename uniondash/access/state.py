"""Shared state: one interface, two backends (issue 24).

What every worker and every replica must agree on lives here: sign-in sessions, one-time
hand-over tickets, failed sign-ins (the rate limits), the audit log, the accounts when they are in
the database, and small keyed JSON records that other features may keep (a collection round's
submission metadata, a briefing's sent log).

- SQLite (the default, nothing to install): access.sqlite, audit.jsonl and users.toml beside the
  accounts file, exactly as before. For one machine: SQLite's locking is not reliable on a
  network filesystem, so never put that folder on shared storage for several machines.
- PostgreSQL when UNIONDASH_STATE_URL=postgresql://… is set (psycopg 3): sessions, tickets,
  failures, the audit log, the accounts and the records in one database that every replica
  shares. The cookie secret still comes from UNIONDASH_COOKIE_SECRET (give every replica the same).

Tables are created on first start; a schema_version table names the version that made them, and
a database made by a newer version is refused with a message saying so (never half-used).

Time: every expiry and lockout window is computed from one clock. A `now` passed in wins; else
UNIONDASH_NOW (uniondash.clock) when set; else the backend's clock: the database server's
(clock_timestamp()) for PostgreSQL, so replicas on machines whose clocks drift never disagree
about "now"; the machine's for SQLite, which is one machine anyway.

Records, for features that need a little shared state (documented in docs/deploy.md):

    state = open_state(folder)
    state.put("rounds.submission", "2026-q4/420106", {"by": "zhao", "files": 3})  # upsert
    state.add("briefings.sent", "weekly/2026-12-07/li", {"at": "…"})  # False: already there
    state.merge("rounds.submission", "2026-q4/420106", {"checked": True})  # atomic read-merge-write
    state.get(kind, key) -> dict | None;  state.rows(kind) -> {key: row};  state.delete(kind, key)

A kind is a dotted name owned by one feature; a row is a JSON object. `add` is insert-if-absent
(exactly one of two replicas racing to send the same briefing gets True); `merge` locks the row.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from uniondash import clock
from uniondash.errors import UserFacingError

STATE_ENV = "UNIONDASH_STATE_URL"
SCHEMA_VERSION = 1  # bump with a migration step in both backends
TICKET_SECONDS = 60  # a ticket hands a signed-in session to the cookie route, once, within this
USER_FAILURES, ADDRESS_FAILURES = 5, 20  # failed sign-ins allowed per window
FAILURE_WINDOW_S = 15 * 60
KIND_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
MAX_KEY = 200


class StateError(UserFacingError):
    """The shared state cannot be used: a newer schema, a bad URL, an unreachable server."""


def state_url() -> str:
    """UNIONDASH_STATE_URL when it names PostgreSQL; "" for the SQLite default. Anything else fails."""
    url = os.environ.get(STATE_ENV, "").strip()
    if url and not url.startswith(("postgresql://", "postgres://")):
        raise StateError(
            f"{STATE_ENV} 应为 postgresql://… 地址（未设置则用内置 SQLite）：{redact(url)!r}。"
            f" / {STATE_ENV} must be a postgresql://… URL (unset: the built-in SQLite): {redact(url)!r}."
        )
    return url


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def newer_schema(where: str, found: int) -> StateError:
    return StateError(
        f"{where} 的结构版本为 {found}，本程序只认识到 {SCHEMA_VERSION}：请升级 uniondash，或换一个数据库。"
        f" / {where} has schema version {found}; this version of uniondash knows up to {SCHEMA_VERSION}:"
        " upgrade uniondash on this node (or point it at another database)."
    )


def check_record(kind: str, key: str, row: Any = None) -> None:
    if not isinstance(kind, str) or not KIND_RE.fullmatch(kind):
        raise ValueError(f"record kind {kind!r} must be a dotted lower-case name such as 'rounds.submission'")
    if not isinstance(key, str) or not key or len(key) > MAX_KEY:
        raise ValueError(f"record key must be a non-empty string of at most {MAX_KEY} characters")
    if row is not None and not isinstance(row, dict):
        raise ValueError("a record row is a JSON object (dict)")


class SharedState:
    """The interface, with the session logic written once over a DB-API cursor; a backend gives
    `_tx()` (one transaction, `?` placeholders), `_db_now()` and the audit log. Callers use the
    methods below; times are seconds since the epoch."""

    kind = "abstract"
    for_update = ""  # PostgreSQL locks a row read for a merge; SQLite's write lock covers it

    @contextlib.contextmanager
    def _tx(self) -> Iterator[Any]:  # pragma: no cover - the backends give it
        raise NotImplementedError
        yield

    def _db_now(self, db) -> float:  # pragma: no cover
        raise NotImplementedError

    def _now(self, db, now: float | None) -> float:
        if now is not None:
            return now
        if os.environ.get(clock.ENV, "").strip():
            return clock.timestamp()
        return self._db_now(db)

    def now(self) -> float:
        """This store's "now" (seconds since the epoch): the one every replica uses."""
        with self._tx() as db:
            return self._now(db, None)

    # sessions
    def create(self, user: str, source: str, now: float | None = None, sid: str | None = None) -> str:
        sid = sid or secrets.token_urlsafe(24)
        with self._tx() as db:
            now = self._now(db, now)
            db.execute(
                'insert into sessions (sid, "user", source, created, last_seen, revoked) values (?, ?, ?, ?, ?, 0)',
                (sid, user, source, now, now),
            )
        return sid

    def touch(self, sid: str, idle_s: float, now: float | None = None):
        """The live Session (its last use moved to now), or why not: "unknown", "revoked", "expired"."""
        from uniondash.access.sessions import Session

        with self._tx() as db:
            now = self._now(db, now)
            row = db.execute(
                f'select "user", source, last_seen, revoked from sessions where sid = ?{self.for_update}',  # noqa: S608 - a class constant
                (sid,),
            ).fetchone()
            if row is None:
                return "unknown"
            user, source, last_seen, revoked = row
            if revoked:
                return "revoked"
            if now - last_seen > idle_s:
                db.execute("update sessions set revoked = 1 where sid = ?", (sid,))
                return "expired"
            db.execute("update sessions set last_seen = ? where sid = ?", (now, sid))
        return Session(sid, user, source)

    def revoke(self, sid: str) -> None:
        with self._tx() as db:
            db.execute("update sessions set revoked = 1 where sid = ?", (sid,))

    def revoke_user(self, user: str) -> None:
        with self._tx() as db:
            db.execute('update sessions set revoked = 1 where "user" = ?', (user,))

    # tickets: the script signs a user in; the cookie route, over HTTP, turns the ticket into a cookie
    def ticket(self, sid: str, now: float | None = None) -> str:
        ticket = secrets.token_urlsafe(24)
        with self._tx() as db:
            now = self._now(db, now)
            db.execute("delete from tickets where expires < ?", (now,))
            db.execute(
                "insert into tickets (ticket, sid, expires) values (?, ?, ?)", (ticket, sid, now + TICKET_SECONDS)
            )
        return ticket

    def redeem(self, ticket: str, now: float | None = None) -> str | None:
        """The session id of a live ticket, which is used up; None when unknown or expired."""
        with self._tx() as db:
            now = self._now(db, now)
            row = db.execute("delete from tickets where ticket = ? returning sid, expires", (ticket,)).fetchone()
        if row is None or row[1] < now:
            return None
        return row[0]

    # rate limits
    def locked_for(self, user: str, address: str, now: float | None = None) -> float:
        """Seconds until the user and the address may try again (0 = now)."""
        wait = 0.0
        with self._tx() as db:
            now = self._now(db, now)
            since = now - FAILURE_WINDOW_S
            for kind, key, limit in (("user", user, USER_FAILURES), ("addr", address, ADDRESS_FAILURES)):
                rows = db.execute(
                    "select at from failures where kind = ? and key = ? and at >= ? order by at", (kind, key, since)
                ).fetchall()
                times = [r[0] for r in rows]
                if len(times) >= limit:
                    wait = max(wait, times[-limit] + FAILURE_WINDOW_S - now)
        return wait

    def fail(self, user: str, address: str, now: float | None = None) -> None:
        with self._tx() as db:
            now = self._now(db, now)
            db.execute("delete from failures where at < ?", (now - FAILURE_WINDOW_S,))
            db.execute(
                "insert into failures (kind, key, at) values ('user', ?, ?), ('addr', ?, ?)", (user, now, address, now)
            )

    def succeed(self, user: str) -> None:
        with self._tx() as db:
            db.execute("delete from failures where kind = 'user' and key = ?", (user,))

    # the audit log (backends: audit.jsonl for SQLite, a table for PostgreSQL)
    def audit_append(self, entry: dict) -> None:  # pragma: no cover
        raise NotImplementedError

    def audit_read(self) -> list[dict]:  # pragma: no cover
        raise NotImplementedError

    # records: a keyed table of JSON rows
    def put(self, kind: str, key: str, row: dict) -> None:
        """Insert or replace the row (atomic upsert)."""
        check_record(kind, key, row)
        with self._tx() as db:
            now = self._now(db, None)
            db.execute(
                "insert into records (kind, key, doc, updated) values (?, ?, ?, ?)"
                " on conflict (kind, key) do update set doc = excluded.doc, updated = excluded.updated",
                (kind, key, _dumps(row), now),
            )

    def add(self, kind: str, key: str, row: dict) -> bool:
        """Insert the row unless the key exists: True when this call inserted it."""
        check_record(kind, key, row)
        with self._tx() as db:
            now = self._now(db, None)
            got = db.execute(
                "insert into records (kind, key, doc, updated) values (?, ?, ?, ?)"
                " on conflict (kind, key) do nothing returning key",
                (kind, key, _dumps(row), now),
            ).fetchone()
        return got is not None

    def merge(self, kind: str, key: str, patch: dict) -> dict:
        """The row with `patch`'s keys set (created when absent), read and written under one lock."""
        check_record(kind, key, patch)
        with self._tx() as db:
            now = self._now(db, None)
            db.execute(
                "insert into records (kind, key, doc, updated) values (?, ?, '{}', ?)"
                " on conflict (kind, key) do nothing",
                (kind, key, now),
            )
            (doc,) = db.execute(
                f"select doc from records where kind = ? and key = ?{self.for_update}",  # noqa: S608 - a class constant
                (kind, key),
            ).fetchone()
            row = {**json.loads(doc), **patch}
            db.execute(
                "update records set doc = ?, updated = ? where kind = ? and key = ?", (_dumps(row), now, kind, key)
            )
        return row

    def get(self, kind: str, key: str) -> dict | None:
        check_record(kind, key)
        with self._tx() as db:
            got = db.execute("select doc from records where kind = ? and key = ?", (kind, key)).fetchone()
        return None if got is None else json.loads(got[0])

    def rows(self, kind: str) -> dict[str, dict]:
        """Every row of a kind, by key (in key order)."""
        check_record(kind, "-")
        with self._tx() as db:
            got = db.execute("select key, doc from records where kind = ? order by key", (kind,)).fetchall()
        return {k: json.loads(d) for k, d in got}

    def delete(self, kind: str, key: str) -> bool:
        check_record(kind, key)
        with self._tx() as db:
            got = db.execute("delete from records where kind = ? and key = ? returning key", (kind, key)).fetchone()
        return got is not None


def _dumps(row: dict) -> str:
    return json.dumps(row, ensure_ascii=False, sort_keys=True, allow_nan=False)


def open_state(folder: Path | str) -> SharedState:
    """The shared state this process is configured for: PostgreSQL when UNIONDASH_STATE_URL is
    set (one store per URL and process, its tables made on first use), else access.sqlite and
    audit.jsonl in `folder` (the accounts file's folder)."""
    url = state_url()
    if url:
        from uniondash.access.state_pg import PostgresState

        return PostgresState.for_url(url)
    from uniondash.access.state_sqlite import SqliteState

    return SqliteState(Path(folder))
