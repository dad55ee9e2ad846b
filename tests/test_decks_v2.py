"""Deck files, version 2 (uniondash.data.decks): an owner, steps that repeat once per county
("each": "county") and expand_each, version 1 files read as owned by ADMIN_OWNER, malformed files
refused naming the file and the field."""

from __future__ import annotations

import json

import pytest

from uniondash.access.accounts import NAME_RE
from uniondash.data.decks import (
    ADMIN_OWNER,
    VERSION,
    Deck,
    DeckError,
    DeckItem,
    expand_each,
    list_decks,
    load_deck,
    restrict,
    save_deck,
)


def write(tmp_path, name: str, body) -> None:
    (tmp_path / "decks").mkdir(exist_ok=True)
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    (tmp_path / "decks" / f"{name}.json").write_text(text, encoding="utf-8")


def test_saving_writes_version_2_with_the_owner_and_each(tmp_path):
    deck = Deck(
        "county-tour",
        (DeckItem("headline", "overview", city=("420500",)), DeckItem("county", each="county")),
        owner="li.wei@example.org",
    )
    path = save_deck(tmp_path, deck)
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "version": 2,
        "name": "county-tour",
        "owner": "li.wei@example.org",
        "items": [
            {
                "kind": "headline",
                "page": "overview",
                "snapshot": None,
                "compare": None,
                "city": ["420500"],
                "county": [],
                "each": None,
            },
            {
                "kind": "county",
                "page": "present",
                "snapshot": None,
                "compare": None,
                "city": [],
                "county": [],
                "each": "county",
            },
        ],
    }
    loaded = load_deck(tmp_path, "county-tour")
    assert loaded == deck
    assert (loaded.owner, loaded.items[1].each, loaded.items[0].each) == ("li.wei@example.org", "county", None)
    assert VERSION == 2


def test_a_version_1_file_is_owned_by_the_admins_and_rewritten_as_version_2(tmp_path):
    v1 = {"name": "weekly", "items": [{"kind": "headline", "page": "present", "city": [], "county": ["420502"]}]}
    write(tmp_path, "weekly", v1)
    deck = load_deck(tmp_path, "weekly")
    assert deck == Deck("weekly", (DeckItem("headline", county=("420502",)),), ADMIN_OWNER)
    assert ADMIN_OWNER == "@admin"
    assert not NAME_RE.match(ADMIN_OWNER)  # no account can be named like the marker
    save_deck(tmp_path, deck)
    raw = json.loads((tmp_path / "decks" / "weekly.json").read_text(encoding="utf-8"))
    assert (raw["version"], raw["owner"]) == (2, "@admin")
    write(tmp_path, "explicit-1", {"version": 1, "items": [{"kind": "changes"}]})
    assert load_deck(tmp_path, "explicit-1") == Deck("explicit-1", (DeckItem("changes"),), "@admin")
    assert list_decks(tmp_path) == ["explicit-1", "weekly"]  # one namespace, whatever the version


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"version": 3, "owner": "li", "items": [{"kind": "headline"}]},
            "version: 应为 1 或 2 / must be 1 or 2, not 3",
        ),
        ({"version": "2", "owner": "li", "items": [{"kind": "headline"}]}, "version: 应为 1 或 2 / must be 1 or 2"),
        ({"version": True, "owner": "li", "items": [{"kind": "headline"}]}, "version: 应为 1 或 2"),
        ({"version": 2, "items": [{"kind": "headline"}]}, "owner: 应为账号名 / must be an account name, not None"),
        ({"version": 2, "owner": "", "items": [{"kind": "headline"}]}, "owner: 应为账号名"),
        ({"version": 2, "owner": "li\nroot", "items": [{"kind": "headline"}]}, "owner: 应为账号名"),
        ({"version": 2, "owner": 7, "items": [{"kind": "headline"}]}, "owner: 应为账号名"),
        ({"owner": "li", "items": [{"kind": "headline"}]}, "owner: 需要 version 2 / needs version 2"),
        ({"version": 2, "owner": "li", "items": []}, "items: 应为 1–40 个条目的列表 / must be a list of 1-40 steps"),
        ({"version": 2, "owner": "li", "items": [{"kind": "headline"}] * 41}, "items: 应为 1–40"),
        ({"version": 2, "owner": "li", "items": [{"kind": "headline"}, {"kind": "x"}]}, "items[1]: kind："),
        ({"version": 2, "owner": "li", "items": [{"kind": "headline", "page": "admin"}]}, "items[0]: page："),
        ({"version": 2, "owner": "li", "items": [{"kind": "headline", "compare": "2024"}]}, "items[0]: compare："),
        ({"version": 2, "owner": "li", "items": [{"kind": "headline", "city": ["4205"]}]}, "items[0]: city："),
        ({"version": 2, "owner": "li", "items": [{"kind": "county", "each": "city"}]}, "items[0]: each：应为 county"),
        ({"version": 2, "owner": "li", "items": [{"kind": "county", "each": True}]}, "items[0]: each："),
        (
            {"version": 2, "owner": "li", "items": [{"kind": "county", "each": "county", "county": ["420502"]}]},
            "items[0]: each：逐县重复的条目不能指定市县 / each: a step repeated per county names no city or county",
        ),
        ([{"kind": "headline"}], "(top): 应为对象 / must be an object"),
    ],
)
def test_malformed_files_are_refused_naming_the_file_and_the_field(tmp_path, body, field):
    write(tmp_path, "bad", body)
    with pytest.raises(DeckError) as err:
        load_deck(tmp_path, "bad")
    assert str(err.value).startswith("议程文件格式不对 / deck file malformed: bad.json: ")
    assert field in str(err.value)


def test_an_each_step_is_checked_when_made_and_saving_checks_the_owner(tmp_path):
    with pytest.raises(DeckError, match="each: must be county, not 'region'"):
        DeckItem("headline", each="region")
    with pytest.raises(DeckError, match="names no city or county"):
        DeckItem("behind", city=("420500",), each="county")
    with pytest.raises(DeckError, match="owner：应为账号名 / must be an account name"):
        save_deck(tmp_path, Deck("x", (DeckItem("headline"),), owner=""))
    assert not (tmp_path / "decks" / "x.json").exists()


def test_expand_each_repeats_a_step_once_per_county_in_the_order_given():
    items = (
        DeckItem("headline", city=("420500",)),
        DeckItem("county", "present", "2023-12-31", None, each="county"),
        DeckItem("changes"),
        DeckItem("behind", each="county"),
    )
    assert expand_each(items, ["420503", "420502", "420503"]) == (
        DeckItem("headline", city=("420500",)),
        DeckItem("county", "present", "2023-12-31", None, (), ("420503",)),
        DeckItem("county", "present", "2023-12-31", None, (), ("420502",)),
        DeckItem("changes"),
        DeckItem("behind", county=("420503",)),
        DeckItem("behind", county=("420502",)),
    )
    assert expand_each(items, []) == (DeckItem("headline", city=("420500",)), DeckItem("changes"))
    assert expand_each(items[:1], ["420503"]) == items[:1]  # nothing to repeat: unchanged


def test_restrict_keeps_the_owner():
    parents = {"420502": "420500", "420102": "420100"}
    deck = Deck("d", (DeckItem("county", county=("420102",)), DeckItem("behind", county=("420502",))), "li")
    kept, dropped = restrict(deck, {"420502"}, parents)
    assert (kept, dropped) == (Deck("d", (DeckItem("behind", county=("420502",)),), "li"), 1)
    expanded = Deck("d", expand_each((DeckItem("county", each="county"),), sorted({"420502"})), "li")
    assert restrict(expanded, {"420502"}, parents) == (Deck("d", (DeckItem("county", county=("420502",)),), "li"), 0)


def _show_owner():
    import streamlit as st

    from uniondash.ui.present.agenda import deck_owner

    st.text(deck_owner())


@pytest.mark.parametrize(
    ("identity", "owner"),
    [
        (("li", "filler", "local", ("420106",)), "li"),
        (("chen@example.org", "admin", "sso"), "chen@example.org"),
        (("demo", "admin", "demo"), "@admin"),  # demo mode: no account, the admins own it
    ],
)
def test_a_deck_saved_in_a_session_is_owned_by_its_account(identity, owner):
    from streamlit.testing.v1 import AppTest

    from uniondash.access.data_scope import SessionAccess
    from uniondash.access.roles import Identity
    from uniondash.ui.signin import ACCESS_KEY  # the sign-in gate's key

    at = AppTest.from_function(_show_owner)
    at.session_state[ACCESS_KEY] = SessionAccess(Identity(*identity), None, False)
    at.run()
    assert not at.exception
    assert [t.value for t in at.text] == [owner]
