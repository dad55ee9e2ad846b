"""The runner without drawing (render and the channels' senders replaced by recorders): recipients
grouped by what they read, rendered once per scope and language; retries with backoff; send --now
is not a slot; a deck's "each": "county" step plays best-first in a briefing as on /present. On
the hand-made fixture (tests/fixtures.py, 2023 founding rates: 甲一区 90/100 = 90.0%, 乙一县 8/10 =
80.0%, 甲二县 25/50 = 50.0%)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fixtures import build_fixture

import uniondash.briefings.runner as runner_module
from uniondash.access.accounts import Account, Accounts, load_accounts, save_accounts
from uniondash.briefings import channels
from uniondash.briefings.config import load_briefings
from uniondash.briefings.render import Rendered, Summary, account_view, briefing_slides
from uniondash.briefings.runner import Runner
from uniondash.config import load_settings
from uniondash.data.decks import Deck, DeckItem, save_deck

FILE = """[smtp]
host = "127.0.0.1"
port = 2525
security = "none"
sender = "dashboard@example.org"

[[briefing]]
name = "weekly"
deck = "playlist"
to = ["wang", "lead2", "zhou", "zhou-en@example.org"]
schedule = "0 8 * * MON"
formats = ["pptx"]
channel = "email"

[[briefing]]
name = "weekly-en"
deck = "playlist"
to = ["zhou"]
schedule = "0 8 * * MON"
formats = ["pdf"]
channel = "email"
lang = "en"
"""


@pytest.fixture
def world(tmp_path, monkeypatch):
    fixture_dir = tmp_path / "data"  # its own copy: the deck saved below stays out of other tests' data
    build_fixture(fixture_dir)
    monkeypatch.delenv("UNIONDASH_BRIEFINGS", raising=False)
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "users.toml"))
    monkeypatch.setenv("UNIONDASH_NOW", "2026-12-07T08:01:00+08:00")
    save_accounts(
        Accounts(
            tmp_path / "users.toml",
            {
                "wang": Account("wang", "leader", (), "", "wang@example.org"),
                "lead2": Account("lead2", "leader", (), "", "lead2@example.org"),
                "zhou": Account("zhou", "planner", ("990100",), "", "zhou@example.org"),
                "zhou-en": Account("zhou-en", "planner", ("990100",), "", "zhou-en@example.org"),
            },
        )
    )
    (tmp_path / "briefings.toml").write_text(FILE, encoding="utf-8")
    renders, sent, sleeps = [], [], []

    def fake_render(briefing, view, formats):
        renders.append((briefing.name, view.data_scope.units if view.data_scope else None, view.lang))
        summary = Summary("org", "scope", view.snapshot, "", True, (), (), ())
        return Rendered((view.data_scope, view.names_shown, view.lang), {"pptx": ("b.pptx", b"x")}, summary, ())

    failures = {"left": 0}

    def fake_send(smtp, msg):
        if failures["left"]:
            failures["left"] -= 1
            raise channels.DeliveryError("SMTP 127.0.0.1:2525: ConnectionRefusedError")
        sent.append(msg["To"])

    monkeypatch.setattr(runner_module, "render", fake_render)
    monkeypatch.setattr(channels, "send_email", fake_send)
    settings = replace(load_settings(), data_dir=fixture_dir)
    save_deck(fixture_dir, Deck("playlist", (DeckItem("headline"), DeckItem("county", each="county")), "wang"))

    def make() -> Runner:
        return Runner(
            load_briefings(tmp_path / "briefings.toml"),
            settings,
            load_accounts(),
            sleep=sleeps.append,
            echo=lambda _: None,
        )

    return {
        "make": make,
        "renders": renders,
        "sent": sent,
        "sleeps": sleeps,
        "failures": failures,
        "settings": settings,
    }


def test_one_render_per_scope_and_language(world):
    outcomes = world["make"]().run_due()
    assert [(o.briefing, o.recipient, o.status) for o in outcomes] == [
        ("weekly", "wang", "sent"),
        ("weekly", "lead2", "sent"),
        ("weekly", "zhou", "sent"),
        ("weekly", "zhou-en@example.org", "sent"),
        ("weekly-en", "zhou", "sent"),
    ]
    # two leaders: one render; two planners of 甲市 (one named by address): one; English: one more
    assert world["renders"] == [
        ("weekly", None, "zh"),
        ("weekly", ("990100", "990101", "990102"), "zh"),
        ("weekly-en", ("990100", "990101", "990102"), "en"),
    ]
    assert world["sent"] == [
        "wang@example.org",
        "lead2@example.org",
        "zhou@example.org",
        "zhou-en@example.org",
        "zhou@example.org",
    ]
    assert world["make"]().run_due() == []  # nothing twice


def test_a_failed_delivery_is_retried_with_backoff(world):
    world["failures"]["left"] = 2  # the first two attempts fail, the third gets through
    outcomes = world["make"]().send_now("weekly-en")
    assert [(o.status, o.attempts) for o in outcomes] == [("sent", 3)]
    assert world["sleeps"] == [5.0, 30.0]
    world["failures"]["left"] = 9
    outcomes = world["make"]().send_now("weekly-en")
    assert [(o.status, o.attempts, o.detail) for o in outcomes] == [
        ("failed", 3, "SMTP 127.0.0.1:2525: ConnectionRefusedError")
    ]


def test_send_now_is_not_a_slot(world):
    assert [o.status for o in world["make"]().send_now("weekly-en")] == ["sent"]
    assert [(o.briefing, o.slot) for o in world["make"]().run_due() if o.briefing == "weekly-en"] == [
        ("weekly-en", "2026-12-07T08:00:00+08:00")
    ]


def test_a_decks_each_step_plays_best_first_in_the_briefing(world):
    from uniondash.access.data_scope import DataScope

    bfile = load_briefings(None)
    weekly = bfile.get("weekly")
    leader = account_view(world["settings"], None, True, "zh")
    titles = [s.title for s in briefing_slides(weekly, leader)]
    assert titles == ["核心指标与目标", "县域聚焦：甲一区", "县域聚焦：乙一县", "县域聚焦：甲二县"]
    planner = account_view(
        world["settings"], DataScope(("990101", "990102"), ("990100", "990101", "990102"), ("990100",)), False, "zh"
    )
    assert [s.title for s in briefing_slides(weekly, planner)] == [
        "核心指标与目标",
        "县域聚焦：甲一区",
        "县域聚焦：甲二县",
    ]


def test_a_folder_subscription_writes_its_files_under_its_one_account(world, tmp_path):
    share = tmp_path / "share"
    path = tmp_path / "briefings.toml"
    path.write_text(
        FILE + f'\n[[briefing]]\nname = "to-share"\nview = "/"\nto = ["zhou"]\nschedule = "0 8 * * MON"\n'
        f'formats = ["pptx"]\nchannel = "folder"\nfolder = "{share}"\n',
        encoding="utf-8",
    )
    outcomes = world["make"]().send_now("to-share")
    assert [(o.recipient, o.status, o.detail) for o in outcomes] == [("zhou", "sent", "b.pptx")]
    assert (share / "b.pptx").read_bytes() == b"x"
    assert world["renders"] == [("to-share", ("990100", "990101", "990102"), "zh")]  # zhou's scope: 甲市
    assert not [p for p in share.iterdir() if p.name.startswith(".tmp-")]


def test_with_a_scheduler_on_every_node_each_delivery_is_claimed_by_one(world, tmp_path):
    """Two machines, each its own copy of briefings.toml and sent log, one shared state (the
    accounts folder's access.sqlite here; PostgreSQL for replicas): the first node's run claims
    and sends every delivery of the slot, the second's sends none; the first may retry its own."""
    other = tmp_path / "node-b"
    other.mkdir()
    (other / "briefings.toml").write_text(FILE, encoding="utf-8")
    a = world["make"]()
    a.node = "node-a"
    b = Runner(
        load_briefings(other / "briefings.toml"),
        world["settings"],
        load_accounts(),
        sleep=world["sleeps"].append,
        echo=lambda _: None,
        node="node-b",
    )
    assert len([o for o in a.run_due() if o.status == "sent"]) == 5
    assert b.run_due() == []
    assert len(world["renders"]) == 3
    assert not (other / "briefings-sent.jsonl").exists()
