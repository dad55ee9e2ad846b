"""A saved deck's slides say what the viewer actually sees. The deck's region-wide and city steps
survive a planner's scope filter (uniondash.data.decks.restrict) and show the planner's own
units: the scope line names those units, never 全省 (the whole region's word), and a rank says among which units it is.
On the hand-made fixture (tests/fixtures.py): 甲市 990100 has 甲一区 990101 (founding rate
90/100 = 90.0 %, membership 900/1000 = 90.0 %) and 甲二县 990102 (25/50 = 50.0 %, 200/400 = 50.0 %);
乙市 990200 has 乙一县 990201 (8/10 = 80.0 %, 90/100 = 90.0 %)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from uniondash.access.accounts import Account, Accounts, hash_password, load_accounts, save_accounts
from uniondash.access.data_scope import SessionAccess
from uniondash.access.gate import account_identity
from uniondash.access.sessions import Store
from uniondash.data.decks import Deck, DeckItem, save_deck

ROOT = Path(__file__).resolve().parent.parent
DECK = "labels-tour"
# A region-wide step, a 甲市 step and a 甲一区 step, each a county in focus.
ITEMS = (
    DeckItem("county"),
    DeckItem("county", "coverage", city=("990100",)),
    DeckItem("county", "county", county=("990101",)),
    DeckItem("headline", "overview"),
)


@pytest.fixture
def accounts(tmp_path, monkeypatch, fixture_dir) -> Accounts:
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "users.toml"))
    monkeypatch.delenv("UNIONDASH_PUBLIC", raising=False)
    hashed = hash_password("correct horse 1")
    acc = Accounts(tmp_path / "users.toml")
    acc.users = {
        "pa": Account("pa", "planner", ("990101",), hashed),  # one county
        "pb": Account("pb", "planner", ("990100",), hashed),  # a city: 甲一区 and 甲二县
        "fc": Account("fc", "filler", ("990101", "990201"), hashed),  # two counties of two cities
        "lead": Account("lead", "leader", (), hashed),
    }
    save_accounts(acc)
    save_deck(fixture_dir, Deck(DECK, ITEMS))
    yield load_accounts()
    (fixture_dir / "decks" / f"{DECK}.json").unlink()


def slides(
    accounts: Accounts, name: str, lang: str, bullets: list | None = None
) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """Every slide of the deck as the account sees it: (title, scope line, [(tile label, value,
    detail)] of a county in focus's founding-rate and membership-rate tiles); each slide's
    sentences appended to `bullets` when given."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    at.query_params["deck"] = DECK
    at.query_params["lang"] = lang
    identity = account_identity(accounts.users[name], accounts, "local", Store(accounts.folder).create(name, "local"))
    at.session_state["_access"] = SessionAccess(identity, None, identity.sees_names)
    at.run()
    at.switch_page("app_pages/present.py").run()
    out = []
    while True:
        assert not at.exception
        bodies = " ".join(e.proto.body for e in at.get("html"))
        title = html.unescape(re.search(r'<h1 class="ud-title">([^<]*)</h1>', bodies).group(1))
        foot = html.unescape(re.search(r'<p class="ud-foot">([^<]*)</p>', bodies).group(1))
        scope = next(p for p in foot.split(" · ") if p.startswith(("范围：", "Scope: ")))
        tiles = re.findall(TILE, bodies)
        focus = title.startswith(("县域聚焦", "County in focus"))  # the rate tiles of a county in focus
        out.append(
            (title, scope, [(html.unescape(a), b, html.unescape(c)) for a, b, c in tiles if focus and a in RATES])
        )
        if bullets is not None:
            bullets.append([html.unescape(b) for b in re.findall(r"<li>([^<]*)</li>", bodies)])
        i, n = map(int, re.search(r'<span class="ud-counter">\D*(\d+)\D+(\d+)', bodies).groups())
        if i == n:
            return out
        at.button(key="present_next").click().run()


TILE = r'<div class="l">([^<]*)</div><div class="v">([^<]*)</div>(?:<div class="d">([^<]*)</div>)?'
RATES = ("工会组建率", "职工入会率", "Union founding rate", "Membership rate")


def test_a_one_county_planner_sees_their_county_named_and_no_rank_among_one(accounts):
    # 甲一区 alone: a rank "1 of 1" says nothing, so none is shown
    focus = [("工会组建率", "90.0%", ""), ("职工入会率", "90.0%", "")]
    assert slides(accounts, "pa", "zh") == [
        ("县域聚焦：甲一区", "范围：甲一区", focus),
        ("县域聚焦：甲一区", "范围：甲一区", focus),
        ("县域聚焦：甲一区", "范围：甲一区", focus),
        ("核心指标与目标", "范围：甲一区", []),
    ]


def test_a_city_planner_sees_the_city_named_and_ranks_within_it(accounts):
    # the focus of a region or city step is the county furthest behind on the founding rate: 甲二县
    zh = [
        (
            "县域聚焦：甲二县",
            "范围：甲市",
            [
                ("工会组建率", "50.0%", "在甲市中第 2 位（共 2 个）"),
                ("职工入会率", "50.0%", "在甲市中第 2 位（共 2 个）"),
            ],
        ),
        (
            "县域聚焦：甲二县",
            "范围：甲市",
            [
                ("工会组建率", "50.0%", "在甲市中第 2 位（共 2 个）"),
                ("职工入会率", "50.0%", "在甲市中第 2 位（共 2 个）"),
            ],
        ),
        (
            "县域聚焦：甲一区",
            "范围：甲一区",
            [
                ("工会组建率", "90.0%", "在甲市中第 1 位（共 2 个）"),
                ("职工入会率", "90.0%", "在甲市中第 1 位（共 2 个）"),
            ],
        ),
        ("核心指标与目标", "范围：甲市", []),
    ]
    sentences: list = []
    assert slides(accounts, "pb", "zh", sentences) == zh
    # 甲二县's migrant workers' membership 30/100 = 30.0 % against 甲一区's 150/200 = 75.0 %
    assert "农民工入会率 30.0%，在甲市中居第 2 位（共 2 个），排名靠后。" in sentences[0]  # under 短板
    assert not [b for s in sentences for b in s if "全省" in b]
    en = slides(accounts, "pb", "en")
    assert [(s[1], [r[2] for r in s[2]]) for s in en] == [
        ("Scope: 甲市", ["Ranked 2 of 2 in 甲市", "Ranked 2 of 2 in 甲市"]),
        ("Scope: 甲市", ["Ranked 2 of 2 in 甲市", "Ranked 2 of 2 in 甲市"]),
        ("Scope: 甲一区", ["Ranked 1 of 2 in 甲市", "Ranked 1 of 2 in 甲市"]),
        ("Scope: 甲市", []),
    ]


def test_a_two_county_filler_sees_the_counties_of_each_step(accounts):
    # the whole deck for 甲一区 and 乙一县; the 甲市 step shows (and names) 甲一区 only
    en = slides(accounts, "fc", "en")
    assert [(s[0], s[1], [r[2] for r in s[2]]) for s in en] == [
        (
            "County in focus: 乙一县",
            "Scope: 甲一区, 乙一县",
            ["Ranked 2 of 2 in 甲一区, 乙一县", "Ranked 1 of 2 in 甲一区, 乙一县"],
        ),
        (
            "County in focus: 甲一区",
            "Scope: 甲一区",
            ["Ranked 1 of 2 in 甲一区, 乙一县", "Ranked 1 of 2 in 甲一区, 乙一县"],
        ),
        (
            "County in focus: 甲一区",
            "Scope: 甲一区",
            ["Ranked 1 of 2 in 甲一区, 乙一县", "Ranked 1 of 2 in 甲一区, 乙一县"],
        ),
        ("Headline KPIs against target", "Scope: 甲一区, 乙一县", []),
    ]


def test_a_leader_sees_the_region_and_ranks_among_all_counties(accounts):
    sentences: list = []
    zh = slides(accounts, "lead", "zh", sentences)
    # under 短板: the gap to target first, then the lowest ranks in catalogue order
    assert "新就业形态劳动者入会率 20.0%，居全省县级单位第 3 位（共 3 个），处于后四分之一。" in sentences[0]
    assert [(s[0], s[1], [r[2] for r in s[2]]) for s in zh] == [
        ("县域聚焦：甲二县", "范围：全省", ["全省第 3 位（共 3 个）", "全省第 3 位（共 3 个）"]),
        ("县域聚焦：甲二县", "范围：甲市", ["全省第 3 位（共 3 个）", "全省第 3 位（共 3 个）"]),
        ("县域聚焦：甲一区", "范围：甲一区", ["全省第 1 位（共 3 个）", "全省第 1 位（共 3 个）"]),
        ("核心指标与目标", "范围：全省", []),
    ]
