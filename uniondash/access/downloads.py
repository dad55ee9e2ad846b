"""Downloads are checked again at the moment of the click.

A download button builds its file when clicked, in a worker thread where the Streamlit session
(st.session_state, st.context) does not exist. So the page captures who is asking when it draws
(a DownloadTicket), and the file is handed over only if, at the click, that sign-in session is
still live (not signed out elsewhere, revoked or expired) and the account still has the same
role and scope. A refused download is audited as refused and delivers nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from uniondash.access import audit
from uniondash.access.accounts import load_accounts
from uniondash.access.sessions import Session, Store

REASONS = ("session", "account", "changed")  # access.download_refused.<reason> in strings_access.toml


class DownloadRefused(PermissionError):
    """The file is not handed over: the reason is one of REASONS."""

    def __init__(self, reason: str):
        super().__init__(f"download refused: {reason}")
        self.reason = reason


@dataclass(frozen=True)
class DownloadTicket:
    """Who asked for the page that drew the button (demo mode: no account, nothing to check)."""

    accounts_file: Path
    user: str
    role: str
    scope: tuple[str, ...]
    source: str  # local | sso | demo
    session_id: str
    address: str


def refusal(ticket: DownloadTicket) -> str | None:
    """Why the ticket no longer holds (one of REASONS), or None when the download may go."""
    if ticket.source == "demo":
        return None
    accounts = load_accounts(ticket.accounts_file)
    state = Store(accounts.folder).touch(ticket.session_id, accounts.idle_minutes * 60)
    if not isinstance(state, Session) or state.user != ticket.user:
        return "session"
    account = accounts.users.get(ticket.user)
    if account is None:
        return "account"
    if account.role != ticket.role or tuple(account.scope) != tuple(ticket.scope):
        return "changed"
    return None


def checked(ticket: DownloadTicket, table: str, fmt: str, data: bytes | Callable[[], bytes]) -> bytes:
    """The file's bytes if the ticket still holds, audited as an export; else DownloadRefused,
    audited as refused (demo mode keeps no log). `data` may be the function that builds the file:
    then nothing is built for a refused click."""
    reason = refusal(ticket)
    if not reason and callable(data):
        data = data()
    if ticket.source != "demo":
        action = "export-refused" if reason else "export"
        detail = {"reason": reason} if reason else {"bytes": len(data)}
        audit.record(ticket.accounts_file, ticket.user, action, ticket.address, table=table, format=fmt, **detail)
    if reason:
        raise DownloadRefused(reason)
    return data
