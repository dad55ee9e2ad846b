"""The sent log: one JSON line per delivery attempt outcome, beside briefings.toml
(briefings-sent.jsonl), and the lock every run holds while it decides and sends
(briefings.lock, fcntl): the `make serve` scheduler and a cron line never both send.

A line: {"time", "briefing", "slot" (ISO time of the cron slot, or null for send --now),
"recipient", "account", "channel", "status" (sent | failed | no_account | no_address), "detail",
"attempts"}. A (briefing, slot, recipient) with status sent, no_account or no_address is done; a
failed one is tried again by later runs, at most MAX_RUNS runs in all."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from uniondash import clock

FINAL = ("sent", "no_account", "no_address")
MAX_RUNS = 3  # runs that try one slot's delivery before it is left as failed


@contextmanager
def locked(lock_file: Path) -> Iterator[None]:
    """An exclusive lock for the whole run (blocking: a second run waits, then sees what the first sent)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def read(log: Path) -> list[dict]:
    if not log.exists():
        return []
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue  # a line cut by a crash mid-write: its delivery is tried again
    return out


def append(log: Path, **entry) -> dict:
    entry = {"time": clock.utc_now().isoformat(timespec="seconds"), **entry}
    data = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    log.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return entry


def pending(entries: list[dict], briefing: str, slot: str, recipients: tuple[str, ...]) -> tuple[str, ...]:
    """The recipients of one slot not yet done (and tried by fewer than MAX_RUNS runs)."""
    done, runs = set(), {}
    for e in entries:
        if e.get("briefing") != briefing or e.get("slot") != slot:
            continue
        r = e.get("recipient")
        if e.get("status") in FINAL:
            done.add(r)
        else:
            runs[r] = runs.get(r, 0) + 1
    return tuple(r for r in recipients if r not in done and runs.get(r, 0) < MAX_RUNS)


def last(entries: list[dict], briefing: str, status: tuple[str, ...]) -> dict | None:
    """The briefing's latest line with one of these statuses (the subscriptions page, list)."""
    found = [e for e in entries if e.get("briefing") == briefing and e.get("status") in status]
    return found[-1] if found else None
