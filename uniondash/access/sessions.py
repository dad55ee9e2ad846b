"""Sessions that survive a reload and a new tab: a signed, HttpOnly cookie naming a server-side
session, shared by every worker.

The cookie holds a random session id and an HMAC of it with the cookie secret (env
UNIONDASH_COOKIE_SECRET, else secret.key beside the accounts file, created on first use with mode
600; `make serve WORKERS=N` passes the same variable to every worker). The session rows, one-time
hand-over tickets and failed sign-ins live in the shared state (uniondash.access.state:
access.sqlite beside the accounts file, or PostgreSQL), so that idle expiry, sign-out and rate
limits hold across workers and replicas.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from uniondash.access.state import (  # noqa: F401 - the limits' names, imported from here by callers
    ADDRESS_FAILURES,
    FAILURE_WINDOW_S,
    TICKET_SECONDS,
    USER_FAILURES,
    SharedState,
    open_state,
)

COOKIE_NAME = "uniondash_session"


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


def Store(folder: Path) -> SharedState:  # noqa: N802 - the name every caller has used since access.sqlite
    """The shared state (sessions, tickets, failed sign-ins): access.sqlite in `folder`, or the
    PostgreSQL database UNIONDASH_STATE_URL names (uniondash.access.state)."""
    return open_state(folder)
