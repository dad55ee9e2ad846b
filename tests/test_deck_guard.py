"""Who may change a saved deck (uniondash.data.decks): one namespace, so `?deck=NAME` links keep
working; only the owner or an admin overwrites or deletes; a read-only visitor changes nothing;
each owner keeps at most MAX_DECKS_PER_OWNER decks; every save, delete and refusal is a line of
the audit log. The storage functions enforce it (tested here directly), and the sidebar panel
offers only what the session may do (AppTest below). The same panel's PPTX and PDF briefings
leave an audit line as CSV and XLSX exports do (uniondash.ui.present.briefing, at the end)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from uniondash.access import audit
from uniondash.access.accounts import Account, Accounts, hash_password, load_accounts, save_accounts
from uniondash.access.data_scope import SessionAccess
from uniondash.access.gate import account_identity
from uniondash.access.sessions import Store
from uniondash.data.decks import (
    ADMIN_OWNER,
    MAX_DECKS_PER_OWNER,
    Deck,
    DeckError,
    DeckItem,
    DeckRefused,
    delete_deck,
    list_decks,
    load_deck,
    save_deck,
)
from uniondash.ui.present import briefing

ROOT = Path(__file__).resolve().parent.parent
NOW = "2024-03-05T10:00:00+08:00"  # UNIONDASH_NOW: the audit lines' time, 02:00 UTC
HEADLINE = (DeckItem("headline"),)
CHANGES = (DeckItem("changes", county=("990101",)),)


@pytest.fixture
def log(tmp_path, monkeypatch) -> Path:
    """The accounts file whose audit.jsonl the deck functions write to."""
    monkeypatch.setenv("UNIONDASH_NOW", NOW)
    return tmp_path / "users.toml"


def lines(accounts_file: Path) -> list[dict]:
    return [json.loads(x) for x in (accounts_file.parent / "audit.jsonl").read_text(encoding="utf-8").splitlines()]


def save(data, name, items, actor, role, log, address="10.0.0.7"):
    return save_deck(data, Deck(name, items), actor=actor, role=role, audit_file=log, address=address)


def test_a_planner_cannot_overwrite_or_delete_an_admins_deck(tmp_path, log):
    data = tmp_path / "data"
    path = save(data, "weekly", HEADLINE, "adm", "admin", log)
    before = path.read_bytes()
    with pytest.raises(DeckRefused) as err:
        save(data, "weekly", CHANGES, "li", "planner", log)
    assert str(err.value) == (
        "议程“weekly”属于其他账号：只有其所有者或管理员可以覆盖或删除它，请换一个名称保存。"
        " / The deck 'weekly' belongs to another account: only its owner or an administrator may"
        " overwrite or delete it. Save it under another name."
    )
    assert path.read_bytes() == before  # unchanged byte for byte
    with pytest.raises(DeckRefused):
        delete_deck(data, "weekly", actor="li", role="planner", audit_file=log, address="10.0.0.7")
    assert path.read_bytes() == before
    assert load_deck(data, "weekly") == Deck("weekly", HEADLINE, "adm")
    time = "2024-03-05T02:00:00+00:00"
    assert lines(log) == [
        {
            "time": time,
            "user": "adm",
            "action": "deck_save",
            "address": "10.0.0.7",
            "deck": "weekly",
            "owner": "adm",
            "role": "admin",
            "slides": 1,
            "replaced": False,
        },
        {
            "time": time,
            "user": "li",
            "action": "deck_refused",
            "address": "10.0.0.7",
            "deck": "weekly",
            "owner": "adm",
            "role": "planner",
            "attempt": "save",
            "reason": "not_owner",
        },
        {
            "time": time,
            "user": "li",
            "action": "deck_refused",
            "address": "10.0.0.7",
            "deck": "weekly",
            "owner": "adm",
            "role": "planner",
            "attempt": "delete",
            "reason": "not_owner",
        },
    ]


def test_a_planner_overwrites_and_deletes_their_own_deck(tmp_path, log):
    data = tmp_path / "data"
    save(data, "mine", HEADLINE, "li", "planner", log)
    path = save(data, "mine", CHANGES, "li", "planner", log)
    assert json.loads(path.read_text(encoding="utf-8"))["owner"] == "li"
    assert load_deck(data, "mine") == Deck("mine", CHANGES, "li")
    delete_deck(data, "mine", actor="li", role="planner", audit_file=log, address="10.0.0.7")
    assert not path.exists()
    assert list_decks(data) == []
    assert [(x["action"], x["user"], x["deck"], x.get("replaced"), x.get("slides")) for x in lines(log)] == [
        ("deck_save", "li", "mine", False, 1),
        ("deck_save", "li", "mine", True, 1),
        ("deck_delete", "li", "mine", None, None),
    ]
    assert lines(log)[2] == {
        "time": "2024-03-05T02:00:00+00:00",
        "user": "li",
        "action": "deck_delete",
        "address": "10.0.0.7",
        "deck": "mine",
        "owner": "li",
        "role": "planner",
    }


def test_an_admin_overwrites_and_deletes_anyones_deck(tmp_path, log):
    data = tmp_path / "data"
    save(data, "li-deck", HEADLINE, "li", "filler", log)
    save(data, "li-deck", CHANGES, "chen@example.org", "admin", log)
    assert load_deck(data, "li-deck") == Deck("li-deck", CHANGES, "li")  # still li's: the admin edited it
    save(data, "v1", HEADLINE, ADMIN_OWNER, "admin", log)  # demo mode on this computer: the admins
    delete_deck(data, "li-deck", actor="chen@example.org", role="admin", audit_file=log)
    delete_deck(data, "v1", actor="chen@example.org", role="admin", audit_file=log)
    assert list_decks(data) == []
    assert [(x["action"], x["user"], x["deck"], x["owner"], x["role"]) for x in lines(log)] == [
        ("deck_save", "li", "li-deck", "li", "filler"),
        ("deck_save", "chen@example.org", "li-deck", "li", "admin"),
        ("deck_save", "@admin", "v1", "@admin", "admin"),
        ("deck_delete", "chen@example.org", "li-deck", "li", "admin"),
        ("deck_delete", "chen@example.org", "v1", "@admin", "admin"),
    ]


def test_a_leader_cannot_change_another_accounts_deck(tmp_path, log):
    data = tmp_path / "data"
    save(data, "plan", HEADLINE, "li", "planner", log)
    with pytest.raises(DeckRefused, match="belongs to another account"):
        save(data, "plan", CHANGES, "wang", "leader", log)
    with pytest.raises(DeckRefused, match="belongs to another account"):
        delete_deck(data, "plan", actor="wang", role="leader", audit_file=log)
    assert load_deck(data, "plan") == Deck("plan", HEADLINE, "li")


@pytest.mark.parametrize(("actor", "role"), [(ADMIN_OWNER, "viewer"), ("demo", "viewer"), ("x", "nobody")])
def test_a_read_only_visitor_saves_and_deletes_nothing(tmp_path, log, actor, role):
    data = tmp_path / "data"
    path = save(data, "kept", HEADLINE, ADMIN_OWNER, "admin", log)
    before = path.read_bytes()
    with pytest.raises(DeckRefused) as err:
        save(data, "new-one", HEADLINE, actor, role, log)
    assert str(err.value) == "只读访问不能保存或删除议程。 / Read-only access cannot save or delete decks."
    with pytest.raises(DeckRefused, match="Read-only access"):
        save(data, "kept", CHANGES, actor, role, log)
    with pytest.raises(DeckRefused, match="Read-only access"):
        delete_deck(data, "kept", actor=actor, role=role, audit_file=log, address="10.0.0.7")
    assert list_decks(data) == ["kept"]
    assert path.read_bytes() == before
    refused = [(x["action"], x["user"], x["deck"], x["role"], x["attempt"], x["reason"]) for x in lines(log)[1:]]
    assert refused == [
        ("deck_refused", actor, "new-one", role, "save", "read_only"),
        ("deck_refused", actor, "kept", role, "save", "read_only"),
        ("deck_refused", actor, "kept", role, "delete", "read_only"),
    ]


def test_the_cap_refuses_one_owners_deck_beyond_it_but_not_anothers(tmp_path, log):
    data = tmp_path / "data"
    assert MAX_DECKS_PER_OWNER == 50
    for i in range(50):
        save_deck(data, Deck(f"li-{i}", HEADLINE), actor="li", role="planner")  # no audit_file: no log
    with pytest.raises(DeckRefused) as err:
        save(data, "li-50", HEADLINE, "li", "planner", log)
    assert str(err.value) == (
        "每个账号最多保存 50 个议程，您已有 50 个：请先删除不再需要的议程。"
        " / An account may keep at most 50 decks and you have 50: delete one you no longer need first."
    )
    assert not (data / "decks" / "li-50.json").exists()
    save(data, "li-7", CHANGES, "li", "planner", log)  # overwriting one of the fifty is no new deck
    save(data, "wang-1", HEADLINE, "wang", "planner", log)  # another owner's first
    assert len(list_decks(data)) == 51
    assert [(x["action"], x["user"], x["deck"], x.get("reason")) for x in lines(log)] == [
        ("deck_refused", "li", "li-50", "cap"),
        ("deck_save", "li", "li-7", None),
        ("deck_save", "wang", "wang-1", None),
    ]
    assert lines(log)[0]["cap"] == 50


def test_deleting_a_missing_deck_says_so_and_logs_nothing(tmp_path, log):
    with pytest.raises(DeckError, match="no deck named 'gone'"):
        delete_deck(tmp_path, "gone", actor="adm", role="admin", audit_file=log)
    with pytest.raises(DeckError, match="letters, digits"):
        delete_deck(tmp_path, "../users", actor="adm", role="admin", audit_file=log)
    assert not (tmp_path / "audit.jsonl").exists()


# The sidebar panel 汇报与分享 (uniondash.ui.present.agenda), on the hand-made fixture.

PASSWORD = "correct horse 1"


@pytest.fixture
def accounts(tmp_path, monkeypatch, fixture_dir) -> Accounts:
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "users.toml"))
    monkeypatch.setenv("UNIONDASH_NOW", NOW)
    monkeypatch.delenv("UNIONDASH_PUBLIC", raising=False)
    acc = Accounts(tmp_path / "users.toml")
    acc.users = {"pa": Account("pa", "planner", ("990101",), hash_password(PASSWORD))}
    save_accounts(acc)
    return load_accounts()


def signed_in(accounts: Accounts, name: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    identity = account_identity(accounts.users[name], accounts, "local", Store(accounts.folder).create(name, "local"))
    at.session_state["_access"] = SessionAccess(identity, None, identity.sees_names)
    return at.run()


def test_the_panel_saves_and_deletes_with_a_confirmation(accounts, fixture_dir):
    name = "guard-panel-1"
    at = signed_in(accounts, "pa")
    assert not at.exception
    at.button(key="deck_add_overview").click().run()
    at.text_input(key="deck_name").input(name).run()
    at.button(key="deck_save_overview").click().run()
    assert not at.exception
    assert load_deck(fixture_dir, name).owner == "pa"
    at.selectbox(key="deck_delete_pick_overview").select(name).run()
    at.button(key="deck_delete_overview").click().run()
    assert (fixture_dir / "decks" / f"{name}.json").exists()  # asked first, nothing deleted yet
    assert [w.value for w in at.warning] == [
        f"确定删除议程“{name}”吗？删除后链接 /present?deck={name} 将无法打开，且不能恢复。"
    ]
    at.button(key="deck_delete_yes_overview").click().run()
    assert not at.exception
    assert not (fixture_dir / "decks" / f"{name}.json").exists()
    assert [s.value for s in at.success] == [f"已删除议程“{name}”。"]
    entries = [x for x in audit.read(accounts.path) if x["action"].startswith("deck_")]
    # AppTest's session has no client address: uniondash.access.network.client_address says "invalid"
    assert [(x["action"], x["user"], x["deck"], x["owner"], x["role"], x["address"]) for x in entries] == [
        ("deck_save", "pa", name, "pa", "planner", "invalid"),
        ("deck_delete", "pa", name, "pa", "planner", "invalid"),
    ]


def test_the_panel_says_why_a_save_is_refused_and_offers_only_the_own_decks(accounts, fixture_dir):
    save_deck(fixture_dir, Deck("guard-admins", HEADLINE), actor="adm", role="admin")
    path = fixture_dir / "decks" / "guard-admins.json"
    before = path.read_bytes()
    try:
        at = signed_in(accounts, "pa")
        at.button(key="deck_add_overview").click().run()
        at.text_input(key="deck_name").input("guard-admins").run()
        at.button(key="deck_save_overview").click().run()
        assert not at.exception
        assert [e.value for e in at.error] == [
            "议程“guard-admins”属于其他账号：只有其所有者或管理员可以覆盖或删除它，请换一个名称保存。"
        ]
        assert path.read_bytes() == before
        assert not [s for s in at.selectbox if s.key == "deck_delete_pick_overview"]  # pa owns no deck
        (line,) = [x for x in audit.read(accounts.path) if x["action"].startswith("deck_")]
        assert (line["action"], line["user"], line["deck"], line["owner"], line["reason"]) == (
            "deck_refused",
            "pa",
            "guard-admins",
            "adm",
            "not_owner",
        )
    finally:
        path.unlink()


def test_the_panel_offers_a_read_only_visitor_no_save_or_delete(tmp_path, monkeypatch, fixture_dir):
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "none.toml"))  # no accounts: demo mode
    monkeypatch.setenv("UNIONDASH_PUBLIC", "1")  # served to the network: read-only
    save_deck(fixture_dir, Deck("guard-visible", HEADLINE))
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
        assert not at.exception
        keys = {b.key for b in at.button}
        assert not keys & {"deck_add_overview", "deck_save_overview", "deck_delete_overview"}
        assert not [s for s in at.selectbox if s.key == "deck_delete_pick_overview"]
        assert "guard-visible" in " ".join(m.value for m in at.markdown)  # opening a deck is still offered
    finally:
        (fixture_dir / "decks" / "guard-visible.json").unlink()


# Briefing downloads (uniondash.ui.present.briefing through uniondash.ui.signin.export_recorder):
# who, what, which format, how many bytes; a click from a session signed out meanwhile builds
# nothing and is audited as refused. Stand-ins build the files (the real ones need Chromium:
# tests/test_present_export.py).


@pytest.fixture
def built() -> list[str]:
    """The formats the stand-ins were asked to build."""
    return []


@pytest.fixture
def brief_accounts(tmp_path, monkeypatch, built) -> Accounts:
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "users.toml"))
    monkeypatch.setenv("UNIONDASH_NOW", "2024-03-05T10:00:00+08:00")
    acc = Accounts(tmp_path / "users.toml")
    acc.users = {"pa": Account("pa", "planner", ("990101",), hash_password("correct horse 1"))}
    save_accounts(acc)
    monkeypatch.setattr(briefing, "_pptx", lambda *_a, **_k: built.append("pptx") or b"PPTX-bytes")
    monkeypatch.setattr(briefing, "_pdf", lambda *_a, **_k: built.append("pdf") or b"%PDF-1.7 bytes")
    return load_accounts()


def _page():
    """What a page's briefing buttons hand to st.download_button, built while the page runs; the
    files are made (and the download recorded) when each is clicked."""
    import streamlit as st

    from uniondash.ui.present.briefing import briefing_downloads

    name, files = briefing_downloads([], [], "zh")
    st.session_state["_files"] = files
    st.text(name)


def drawn(accounts: Accounts) -> tuple[AppTest, str]:
    sid = Store(accounts.folder).create("pa", "local")
    at = AppTest.from_function(_page)
    identity = account_identity(accounts.users["pa"], accounts, "local", sid)
    at.session_state["_access"] = SessionAccess(identity, None, identity.sees_names)
    at.run()
    assert not at.exception
    return at, sid


def test_a_briefing_download_is_audited_like_an_export(brief_accounts, built):
    at, _ = drawn(brief_accounts)
    assert [t.value for t in at.text] == ["briefing"]
    assert built == []  # nothing is built while the page draws
    files = at.session_state["_files"]
    assert files["pptx"]() == b"PPTX-bytes"
    assert files["pdf"]() == b"%PDF-1.7 bytes"
    lines = audit.read(brief_accounts.path)
    assert [(x["user"], x["action"], x["table"], x["format"], x["bytes"]) for x in lines] == [
        ("pa", "export", "briefing", "pptx", 10),
        ("pa", "export", "briefing", "pdf", 14),
    ]
    assert lines[0]["time"] == "2024-03-05T02:00:00+00:00"


def test_a_briefing_clicked_after_signing_out_builds_nothing_and_is_audited_as_refused(brief_accounts, built):
    at, sid = drawn(brief_accounts)
    Store(brief_accounts.folder).revoke(sid)  # signed out in another tab
    with pytest.raises(PermissionError):
        at.session_state["_files"]["pdf"]()
    assert built == []
    [line] = audit.read(brief_accounts.path)
    assert (line["user"], line["action"], line["table"], line["format"], line["reason"]) == (
        "pa",
        "export-refused",
        "briefing",
        "pdf",
        "session",
    )
