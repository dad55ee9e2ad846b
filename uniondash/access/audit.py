"""The audit log: JSON lines beside the accounts file (audit.jsonl): time, user, action, address.

Actions: sign-in, sign-out, failure, locked, expired, refused, export (tables and briefings),
export-refused (a download refused at its click), import, refresh-caches, deck_save, deck_delete, deck_refused.
One line is written with a single append, so lines from several workers do not interleave."""

from __future__ import annotations

import json
import os
from pathlib import Path

from uniondash import clock

ACTIONS = (
    *("sign-in", "sign-out", "failure", "locked", "expired", "refused"),
    *("export", "export-refused", "import", "refresh-caches"),
    *("deck_save", "deck_delete", "deck_refused"),  # saved presentation decks (uniondash.data.decks)
)


def audit_path(accounts_file: Path) -> Path:
    return accounts_file.parent / "audit.jsonl"


def record(accounts_file: Path, user: str, action: str, address: str = "", **detail) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = {
        "time": clock.utc_now().isoformat(timespec="seconds"),
        "user": user,
        "action": action,
        "address": address,
        **detail,
    }
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    path = audit_path(accounts_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def read(accounts_file: Path) -> list[dict]:
    path = audit_path(accounts_file)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def export_recorder(accounts_file: Path, user: str, address: str, name: str):
    """A function that records one export of table `name` and passes its bytes through: download
    buttons build their file only when clicked, outside the script run, so who is captured now."""

    def recorded(fmt: str, data: bytes) -> bytes:
        record(accounts_file, user, "export", address, table=name, format=fmt, bytes=len(data))
        return data

    return recorded
