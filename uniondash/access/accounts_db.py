"""The accounts in PostgreSQL (UNIONDASH_STATE_URL set), so that `users add` on any node is seen
by every node at its next script run.

Each account is one row: its [users.NAME] table as an inline TOML table (every key kept, known or
not, with TOML's types, exactly as the file keeps them); [settings] and the file's other keys are
one row too. On first use, when the database has no settings row yet, the accounts file (if any)
is copied in, once (the settings row marks it done, written in the same transaction). From then on
the file is not read: edit accounts with `python -m uniondash users …` on any node.

Saving writes only the accounts that changed since they were read, in one transaction, so two
administrators adding two accounts on two nodes at once both keep theirs."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from uniondash.access.accounts import (
    Accounts,
    account_entry,
    accounts_from_raw,
    load_accounts_file,
    settings_table,
    toml_value,
)
from uniondash.access.state import open_state, redact, state_url


def _parse(text: str) -> Any:
    return tomllib.loads("v = " + text)["v"]


def _doc(accounts: Accounts) -> str:
    return toml_value({"settings": settings_table(accounts), "extra": accounts.extra})


def load_from_database(path: Path) -> Accounts:
    store = open_state(path.parent)
    settings, users = store.account_rows()
    if settings is None:  # first start: the file's accounts (or none) become the database's
        seed = load_accounts_file(path)
        entries = {name: toml_value(account_entry(a)) for name, a in seed.users.items()}
        store.write_accounts(_doc(seed), entries, [], seed=True)
        settings, users = store.account_rows()
    doc = _parse(settings)
    raw = {**doc.get("extra", {}), "settings": doc.get("settings", {})}
    raw["users"] = {name: _parse(entry) for name, entry in users.items()}
    return accounts_from_raw(path, raw, where=f"{redact(state_url())} (accounts)")


def save_to_database(accounts: Accounts) -> None:
    store = open_state(accounts.folder)
    before = accounts.loaded
    if before is None:  # built by hand: the given users are all the users
        _, current = store.account_rows()
        deletes = [name for name in current if name not in accounts.users]
        upserts = accounts.users
    else:
        deletes = [name for name in before if name not in accounts.users]
        upserts = {name: a for name, a in accounts.users.items() if before.get(name) != a}
    store.write_accounts(_doc(accounts), {n: toml_value(account_entry(a)) for n, a in upserts.items()}, deletes)
    accounts.loaded = dict(accounts.users)
