"""A real PostgreSQL for the tests (Debian's package, tools/serve/pg.py): one throwaway server per
test session, a new empty database per test. A machine without PostgreSQL fails these tests by
name (make system-deps installs it), never skips them."""

from __future__ import annotations

import itertools

import pytest

from tools.serve import pg

_count = itertools.count()


@pytest.fixture(scope="session")
def pg_server():
    server = pg.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server, monkeypatch) -> str:
    """A fresh database's URL, set as UNIONDASH_STATE_URL for the test."""
    url = pg_server.create_database(f"t{next(_count)}")
    monkeypatch.setenv("UNIONDASH_STATE_URL", url)
    return url
