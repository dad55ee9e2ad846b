"""The audit log: time, user, action, address and detail, as JSON lines beside the accounts file
(audit.jsonl), or in the shared PostgreSQL database when UNIONDASH_STATE_URL is set.

Actions: sign-in, sign-out, failure, locked, expired, refused, export (tables and briefings),
export-refused (a download refused at its click), import, refresh-caches, deck_save, deck_delete, deck_refused.
In the file one line is written with a single append, so lines from several workers do not interleave."""

from __future__ import annotations

from pathlib import Path

from uniondash.access.state import open_state

ACTIONS = (
    *("sign-in", "sign-out", "failure", "locked", "expired", "refused"),
    *("export", "export-refused", "import", "refresh-caches"),
    *("deck_save", "deck_delete", "deck_refused"),  # saved presentation decks (uniondash.data.decks)
    # collection rounds (uniondash.data.rounds): each line names the round
    *("round-open", "round-submit", "round-return", "round-accept", "round-publish", "round-close"),
    *("briefing-sent", "briefing-failed"),  # scheduled briefings (uniondash.briefings), each delivery
)


def audit_path(accounts_file: Path) -> Path:
    return accounts_file.parent / "audit.jsonl"


def record(accounts_file: Path, user: str, action: str, address: str = "", **detail) -> None:
    """One line: time, user, action, address, detail (the time is the shared state's clock)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    open_state(Path(accounts_file).parent).audit_append({"user": user, "action": action, "address": address, **detail})


def read(accounts_file: Path) -> list[dict]:
    """Every line, oldest first (from every worker and replica sharing the state)."""
    return open_state(Path(accounts_file).parent).audit_read()


def export_recorder(accounts_file: Path, user: str, address: str, name: str):
    """A function that records one export of table `name` and passes its bytes through: download
    buttons build their file only when clicked, outside the script run, so who is captured now."""

    def recorded(fmt: str, data: bytes) -> bytes:
        record(accounts_file, user, "export", address, table=name, format=fmt, bytes=len(data))
        return data

    return recorded
