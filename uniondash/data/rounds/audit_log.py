"""The audit lines of a round: open, submit, return, accept, publish and close (round-open …),
each with the round's id and what it concerned, through uniondash.access.audit.record (the shared
state's log: audit.jsonl beside the accounts file, or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from uniondash.access import audit
from uniondash.access.accounts import accounts_path

ACTIONS = {verb: f"round-{verb}" for verb in ("open", "submit", "return", "accept", "publish", "close")}


def record(verb: str, user: str, round_id: str, accounts_file: Path | None = None, address: str = "", **detail):
    audit.record(accounts_file or accounts_path(), user, ACTIONS[verb], address, round=round_id, **detail)


def round_lines(round_id: str, accounts_file: Path | None = None) -> list[dict]:
    """The audit lines of one round, oldest first."""
    return [e for e in audit.read(accounts_file or accounts_path()) if e.get("round") == round_id]
