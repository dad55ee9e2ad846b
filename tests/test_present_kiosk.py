"""A kiosk account (users.toml kiosk = true: a wall screen) opens /present only, with no briefing
to download, and stays signed in while its deck advances through a working day: the clock
(UNIONDASH_NOW) moves on between reruns as auto-advance's would, from 08:30 to 18:00. A screen
left 31 minutes without a rerun is signed out (so the day's test can fail). After a restart (a
fresh app, the session store on disk) it resumes at the slide its URL names, still signed in."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from uniondash.access.accounts import Account, Accounts, hash_password, load_accounts, save_accounts
from uniondash.access.data_scope import SessionAccess
from uniondash.access.gate import account_identity
from uniondash.access.sessions import Store

ROOT = Path(__file__).resolve().parent.parent
START = dt.datetime(2026, 12, 7, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def accounts(tmp_path, monkeypatch, fixture_dir) -> Accounts:
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "users.toml"))
    monkeypatch.setenv("UNIONDASH_NOW", START.isoformat())
    hashed = hash_password("correct horse 1")
    acc = Accounts(tmp_path / "users.toml")
    acc.users = {
        "hall": Account("hall", "leader", (), hashed, kiosk=True),
        "lead": Account("lead", "leader", (), hashed),
    }
    save_accounts(acc)
    return load_accounts()


def signed_in(accounts: Accounts, name: str, sid: str | None = None, **params) -> AppTest:
    """A session signed in as `name` (what the sign-in form, or the cookie after a restart, leaves in
    session state: the identity with its session id, checked against the store at every run)."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    sid = sid or Store(accounts.folder).create(name, "local")
    identity = account_identity(accounts.users[name], accounts, "local", sid)
    at.session_state["_access"] = SessionAccess(identity, None, identity.sees_names)
    return at.run()


def counter(at: AppTest) -> str:
    bodies = " ".join(e.proto.body for e in at.get("html"))
    found = re.search(r'<span class="ud-counter">([^<]*)</span>', bodies)
    return found.group(1) if found else ""


def signed_out(at: AppTest) -> bool:
    """The sign-in form is shown (its password field)."""
    return any(box.label == "密码" for box in at.text_input)


def test_a_kiosk_opens_only_present_with_no_briefing(accounts):
    at = signed_in(accounts, "hall")  # asks for the overview
    assert not at.exception
    assert counter(at) == "第 1 / 7 页"  # sent to /present
    assert [p for p in at.get("popover")] == []  # no 生成汇报材料 menu: no files
    assert not [b for b in at.get("download_button")]
    lead = signed_in(accounts, "lead")  # the same role without the flag keeps its pages
    assert counter(lead) == ""
    present = lead.switch_page("app_pages/present.py").run()
    assert len(present.get("popover")) == 1  # the same element type the kiosk has none of


def test_a_kiosk_stays_signed_in_through_a_working_day_and_resumes_after_a_restart(accounts, monkeypatch):
    sid = Store(accounts.folder).create("hall", "local")
    at = signed_in(accounts, "hall", sid, auto="30")  # a link to the overview: sent to /present, auto kept
    assert counter(at) == "第 1 / 7 页"
    assert at.query_params["auto"] == "30"
    when, slide = START, 1
    # a rerun every 29 minutes (auto-advance reruns every 30 s; 29 minutes is within the 30 idle
    # minutes however long the screen's slides are), from 08:30 to 18:00, each advancing a slide
    while when < START + dt.timedelta(hours=9, minutes=30):
        when += dt.timedelta(minutes=29)
        monkeypatch.setenv("UNIONDASH_NOW", when.isoformat())
        at.button(key="present_next").click().run()
        slide = slide % 7 + 1
        assert not at.exception
        assert counter(at) == f"第 {slide} / 7 页", when
        assert at.query_params["slide"] == str(slide)
        assert at.query_params["auto"] == "30"
    assert when.hour == 18
    assert Store(accounts.folder).touch(sid, accounts.idle_minutes * 60) is not None
    # the server restarts: a fresh app, the session store on disk, the URL the screen had
    restarted = signed_in(accounts, "hall", sid, slide=str(slide), auto="30")
    assert counter(restarted) == f"第 {slide} / 7 页"
    assert not signed_out(restarted)
    # and a screen left alone for 31 minutes is signed out
    monkeypatch.setenv("UNIONDASH_NOW", (when + dt.timedelta(minutes=31)).isoformat())
    restarted.button(key="present_next").click().run()
    assert counter(restarted) == ""
    assert signed_out(restarted)
