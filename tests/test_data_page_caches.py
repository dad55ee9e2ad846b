"""Admins refresh the shared caches on /data (clients cannot: the guard drops Streamlit's own
clear_cache message). Counted by the queries executed, not by timings."""

from __future__ import annotations

import os
from pathlib import Path

from fixtures import build_fixture
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def executed(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


def test_an_admin_refreshes_every_cache_from_the_data_page(tmp_path, monkeypatch):
    build_fixture(tmp_path)
    log = tmp_path / "queries.log"
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "no-accounts.toml"))  # demo mode: admin on loopback
    monkeypatch.delenv("UNIONDASH_PUBLIC", raising=False)
    monkeypatch.setenv("UNIONDASH_QUERY_LOG", str(log))
    monkeypatch.setattr("uniondash.ui.signin.current_address", lambda: "127.0.0.1")
    monkeypatch.setitem(os.environ, "UNIONDASH_DATA", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    first = executed(log)
    at.run()
    assert executed(log) == first, "a rerun reads every query from the caches"
    at.button(key="refresh_caches").click().run()
    assert not at.exception
    assert [t.value for t in at.toast] == ["All caches refreshed"]
    at.run()  # the next page computes afresh: the queries run again
    assert executed(log) > first, "after the refresh the page ran its queries again"
    again = executed(log)
    at.run()
    assert executed(log) == again, "and caches them again"
