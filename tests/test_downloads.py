"""A download is checked at the moment of its click (uniondash.access.downloads): the sign-in
session still live and the account's role and scope unchanged since the page drew the button;
a refused one is audited as refused and builds nothing."""

from __future__ import annotations

import pytest

from uniondash.access import audit
from uniondash.access.accounts import Account, Accounts, hash_password, load_accounts, save_accounts
from uniondash.access.downloads import DownloadRefused, DownloadTicket, checked, refusal
from uniondash.access.sessions import Store


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("UNIONDASH_NOW", "2026-12-06T09:00:00+08:00")
    acc = Accounts(tmp_path / "users.toml")
    acc.users = {"pa": Account("pa", "planner", ("990101",), hash_password("correct horse 1"))}
    save_accounts(acc)
    return tmp_path


def ticket_for(folder, sid: str, role: str = "planner", scope=("990101",)) -> DownloadTicket:
    return DownloadTicket(folder / "users.toml", "pa", role, tuple(scope), "local", sid, "10.0.0.7")


def test_a_live_session_with_an_unchanged_account_may_download(folder):
    sid = Store(folder).create("pa", "local")
    assert refusal(ticket_for(folder, sid)) is None
    assert checked(ticket_for(folder, sid), "stations", "csv", b"a,b\n1,2\n") == b"a,b\n1,2\n"
    [line] = audit.read(folder / "users.toml")
    assert (line["user"], line["action"], line["table"], line["format"], line["bytes"]) == (
        "pa",
        "export",
        "stations",
        "csv",
        8,
    )
    assert line["address"] == "10.0.0.7"


def test_a_signed_out_revoked_or_expired_session_is_refused(folder, monkeypatch):
    store = Store(folder)
    signed_out = store.create("pa", "local")
    store.revoke(signed_out)
    assert refusal(ticket_for(folder, signed_out)) == "session"
    assert refusal(ticket_for(folder, "never-issued")) == "session"
    idle = store.create("pa", "local")  # at 09:00; idle expiry is 30 minutes
    monkeypatch.setenv("UNIONDASH_NOW", "2026-12-06T09:30:01+08:00")
    assert refusal(ticket_for(folder, idle)) == "session"


def test_a_changed_role_or_scope_or_a_removed_account_is_refused(folder):
    sid = Store(folder).create("pa", "local")
    accounts = load_accounts(folder / "users.toml")
    accounts.users["pa"] = Account("pa", "planner", ("990102",), accounts.users["pa"].password_hash)
    save_accounts(accounts)
    assert refusal(ticket_for(folder, sid)) == "changed"  # drawn for 990101, now 990102
    assert refusal(ticket_for(folder, sid, scope=("990102",))) is None
    assert refusal(ticket_for(folder, sid, role="leader", scope=("990102",))) == "changed"
    del accounts.users["pa"]
    save_accounts(accounts)
    assert refusal(ticket_for(folder, sid, scope=("990102",))) == "account"


def test_a_refused_click_builds_nothing_and_is_audited_as_refused(folder):
    store = Store(folder)
    sid = store.create("pa", "local")
    store.revoke(sid)
    built = []

    def build() -> bytes:
        built.append(1)
        return b"secret"

    with pytest.raises(DownloadRefused) as refused:
        checked(ticket_for(folder, sid), "awards", "xlsx", build)
    assert refused.value.reason == "session"
    assert built == []
    [line] = audit.read(folder / "users.toml")
    assert (line["user"], line["action"], line["table"], line["format"], line["reason"]) == (
        "pa",
        "export-refused",
        "awards",
        "xlsx",
        "session",
    )


def test_demo_mode_has_no_session_to_check_and_keeps_no_log(folder):
    demo = DownloadTicket(folder / "users.toml", "demo", "admin", (), "demo", "", "127.0.0.1")
    assert checked(demo, "stations", "csv", lambda: b"x") == b"x"
    assert audit.read(folder / "users.toml") == []


def test_every_refusal_reason_has_words_in_both_languages():
    from uniondash.access.downloads import REASONS
    from uniondash.text.i18n import t

    for reason in REASONS:
        zh, en = t(f"access.download_refused.{reason}", "zh"), t(f"access.download_refused.{reason}", "en")
        assert zh.startswith("未提供下载"), zh
        assert en.startswith("Nothing was downloaded"), en


def test_briefing_builds_are_limited_in_number_and_time(monkeypatch):
    """At most BUILD_SLOTS built at once, WAITING more in line, any more refused at once; a build
    past BUILD_TIMEOUT_S is given up (its caller gets nothing)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from uniondash.ui.present import briefing

    monkeypatch.setattr(briefing, "_builders", ThreadPoolExecutor(max_workers=1))
    monkeypatch.setattr(briefing, "_line", threading.BoundedSemaphore(2))
    monkeypatch.setattr(briefing, "BUILD_TIMEOUT_S", 5.0)
    release, started = threading.Event(), threading.Event()

    def slow() -> bytes:
        started.set()
        release.wait(10)
        return b"pptx"

    results: list = []
    first = threading.Thread(target=lambda: results.append(briefing.limited(slow)))
    first.start()
    started.wait(5)
    second = threading.Thread(target=lambda: results.append(briefing.limited(lambda: b"queued")))
    second.start()
    while briefing._line._value != 0:  # both callers hold their place in line
        threading.Event().wait(0.01)
    with pytest.raises(briefing.BriefingRefused, match="too many briefings"):
        briefing.limited(lambda: b"third")
    release.set()
    first.join(10)
    second.join(10)
    assert sorted(results) == [b"pptx", b"queued"]
    monkeypatch.setattr(briefing, "BUILD_TIMEOUT_S", 0.05)
    never = threading.Event()
    with pytest.raises(briefing.BriefingRefused, match="took over 0.05 s"):
        briefing.limited(lambda: never.wait(2) or b"late")
