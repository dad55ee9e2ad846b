"""Sessions that survive a reload and a new tab: a signed, HttpOnly cookie naming a server-side
session, shared by every worker.

The cookie holds a random session id and an HMAC of it with the cookie secret (env
UNIONDASH_COOKIE_SECRET, else secret.key beside the accounts file, created on first use with mode
600; `make serve WORKERS=N` passes the same variable to every worker). The session rows, one-time
hand-over tickets and failed sign-ins live in access.sqlite beside the accounts file, so that
idle expiry, sign-out and rate limits hold across workers.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from uniondash import clock

COOKIE_NAME = "uniondash_session"
TICKET_SECONDS = 60  # a ticket hands a signed-in session to the cookie route, once, within this
USER_FAILURES, ADDRESS_FAILURES = 5, 20  # failed sign-ins allowed per window
FAILURE_WINDOW_S = 15 * 60

SCHEMA = """
create table if not exists sessions (
    sid text primary key, user text not null, source text not null,
    created real not null, last_seen real not null, revoked integer not null default 0);
create table if not exists tickets (ticket text primary key, sid text not null, expires real not null);
create table if not exists failures (kind text not null, key text not null, at real not null);
create index if not exists failures_key on failures (kind, key, at);
"""


def cookie_secret(folder: Path) -> bytes:
    env = os.environ.get("UNIONDASH_COOKIE_SECRET")
    if env:
        if len(env) < 32:
            raise ValueError("UNIONDASH_COOKIE_SECRET must be at least 32 characters")
        return env.encode("utf-8")
    path = folder / "secret.key"
    folder.mkdir(parents=True, exist_ok=True)
    try:  # O_EXCL: of several workers starting at once, one writes and the others read
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):  # the writer may not have written yet
            data = path.read_bytes().strip()
            if data:
                return data
            time.sleep(0.02)
        raise RuntimeError(f"{path} is empty: delete it to create a new secret") from None
    data = secrets.token_urlsafe(48).encode("ascii")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return data


def _mac(secret: bytes, sid: str) -> str:
    digest = hmac.new(secret, f"v1.{sid}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(secret: bytes, sid: str) -> str:
    return f"v1.{sid}.{_mac(secret, sid)}"


def unsign(secret: bytes, cookie: str | None) -> str | None:
    """The session id of a cookie whose signature checks; None for anything else."""
    if not cookie or cookie.count(".") != 2:
        return None
    version, sid, mac = cookie.split(".")
    if version != "v1" or not sid or not hmac.compare_digest(mac, _mac(secret, sid)):
        return None
    return sid


@dataclass(frozen=True)
class Session:
    sid: str
    user: str
    source: str


class Store:
    """access.sqlite: sessions, tickets and failed sign-ins, shared by workers."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / "access.sqlite"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.executescript(SCHEMA)  # executescript commits by itself: outside _db's transaction
        finally:
            db.close()
        os.chmod(self.path, 0o600)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.execute("begin immediate")
            yield db
            db.execute("commit")
        except BaseException:
            db.execute("rollback")
            raise
        finally:
            db.close()

    # sessions
    def create(self, user: str, source: str, now: float | None = None, sid: str | None = None) -> str:
        now = clock.timestamp() if now is None else now
        sid = sid or secrets.token_urlsafe(24)
        with self._db() as db:
            db.execute("insert into sessions values (?, ?, ?, ?, ?, 0)", (sid, user, source, now, now))
        return sid

    def touch(self, sid: str, idle_s: float, now: float | None = None) -> Session | str:
        """The live session (its last use moved to now), or why not: "unknown", "revoked", "expired"."""
        now = clock.timestamp() if now is None else now
        with self._db() as db:
            row = db.execute("select user, source, last_seen, revoked from sessions where sid = ?", (sid,)).fetchone()
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
        with self._db() as db:
            db.execute("update sessions set revoked = 1 where sid = ?", (sid,))

    def revoke_user(self, user: str) -> None:
        with self._db() as db:
            db.execute("update sessions set revoked = 1 where user = ?", (user,))

    # tickets: the script signs a user in; the cookie route, over HTTP, turns the ticket into a cookie
    def ticket(self, sid: str, now: float | None = None) -> str:
        now = clock.timestamp() if now is None else now
        ticket = secrets.token_urlsafe(24)
        with self._db() as db:
            db.execute("delete from tickets where expires < ?", (now,))
            db.execute("insert into tickets values (?, ?, ?)", (ticket, sid, now + TICKET_SECONDS))
        return ticket

    def redeem(self, ticket: str, now: float | None = None) -> str | None:
        """The session id of a live ticket, which is used up; None when unknown or expired."""
        now = clock.timestamp() if now is None else now
        with self._db() as db:
            row = db.execute("select sid, expires from tickets where ticket = ?", (ticket,)).fetchone()
            db.execute("delete from tickets where ticket = ?", (ticket,))
        if row is None or row[1] < now:
            return None
        return row[0]

    # rate limits
    def locked_for(self, user: str, address: str, now: float | None = None) -> float:
        """Seconds until the user and the address may try again (0 = now)."""
        now = clock.timestamp() if now is None else now
        since = now - FAILURE_WINDOW_S
        wait = 0.0
        with self._db() as db:
            for kind, key, limit in (("user", user, USER_FAILURES), ("addr", address, ADDRESS_FAILURES)):
                times = [
                    r[0]
                    for r in db.execute(
                        "select at from failures where kind = ? and key = ? and at >= ? order by at",
                        (kind, key, since),
                    )
                ]
                if len(times) >= limit:
                    wait = max(wait, times[-limit] + FAILURE_WINDOW_S - now)
        return wait

    def fail(self, user: str, address: str, now: float | None = None) -> None:
        now = clock.timestamp() if now is None else now
        with self._db() as db:
            db.execute("delete from failures where at < ?", (now - FAILURE_WINDOW_S,))
            db.execute("insert into failures values ('user', ?, ?), ('addr', ?, ?)", (user, now, address, now))

    def succeed(self, user: str) -> None:
        with self._db() as db:
            db.execute("delete from failures where kind = 'user' and key = ?", (user,))
