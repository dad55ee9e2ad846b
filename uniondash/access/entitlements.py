"""What each live Streamlit session of this process may do over plain HTTP, by its session id.

Streamlit's upload route (`PUT /_stcore/upload_file/<session id>/<file id>`) knows only the
session id in its path, and behind nginx every peer is 127.0.0.1, while single sign-on and the
single-user demo have no product cookie. So the sign-in gate, which has just decided who the
session is, records here each session id with its role and how long that holds; the guard
middleware (uniondash.ui.guard) looks the id up before a byte of an upload is read. A Streamlit
session lives in one process (nginx keeps a browser on its worker), so a registry per process is
the right scope. Entries end with the product session's idle expiry and are refreshed by reruns."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from uniondash import clock

UPLOAD_ROLES = ("admin", "filler")  # who may send files: /data imports (admin), a round's submission (filler)


@dataclass(frozen=True)
class Entitlement:
    role: str
    user: str
    expires_at: float  # clock.timestamp() after which the entry no longer holds

    @property
    def may_upload(self) -> bool:
        return self.role in UPLOAD_ROLES


_lock = threading.Lock()
_granted: dict[str, Entitlement] = {}


def grant(session_id: str, role: str, user: str, hold_s: float) -> None:
    """Record (or refresh) what a session may do, for hold_s seconds from now."""
    if not session_id:
        return
    entry = Entitlement(role, user, clock.timestamp() + hold_s)
    with _lock:
        _granted[session_id] = entry
        if len(_granted) > 10_000:  # abandoned sessions: drop what has expired
            now = clock.timestamp()
            for sid in [s for s, e in _granted.items() if e.expires_at < now]:
                del _granted[sid]


def revoke(session_id: str) -> None:
    with _lock:
        _granted.pop(session_id, None)


def lookup(session_id: str) -> Entitlement | None:
    """The session's entitlement while it holds; None for an unknown, signed-out or expired one."""
    with _lock:
        entry = _granted.get(session_id)
    if entry is None or entry.expires_at < clock.timestamp():
        return None
    return entry


def may_upload(session_id: str) -> bool:
    entry = lookup(session_id)
    return entry is not None and entry.may_upload
