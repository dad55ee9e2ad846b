"""The audit lines of a round: open, submit, return, accept, publish and close, each with the
round's id and what it concerned, through uniondash.access.audit.record.

The audit's allow-list (access/audit.py ACTIONS) does not list the round actions yet; until it
does, the line is appended here in record()'s exact format (one JSON line, one O_APPEND write) so
that no round action goes unrecorded. Once ACTIONS lists them, record() writes every line."""

from __future__ import annotations

import json
import os
from pathlib import Path

from uniondash import clock
from uniondash.access import audit
from uniondash.access.accounts import accounts_path

ACTIONS = {verb: f"round-{verb}" for verb in ("open", "submit", "return", "accept", "publish", "close")}


def record(verb: str, user: str, round_id: str, accounts_file: Path | None = None, address: str = "", **detail):
    action = ACTIONS[verb]
    accounts_file = accounts_file or accounts_path()
    if action in audit.ACTIONS:
        audit.record(accounts_file, user, action, address, round=round_id, **detail)
        return
    entry = {
        "time": clock.utc_now().isoformat(timespec="seconds"),
        "user": user,
        "action": action,
        "address": address,
        "round": round_id,
        **detail,
    }
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path = audit.audit_path(accounts_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def round_lines(round_id: str, accounts_file: Path | None = None) -> list[dict]:
    """The audit lines of one round, oldest first."""
    return [e for e in audit.read(accounts_file or accounts_path()) if e.get("round") == round_id]
