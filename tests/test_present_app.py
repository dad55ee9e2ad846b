"""AppTest: /present runs on the hand-made fixture for the default deck and a saved one, the
buttons move between slides and the URL follows, and a hostile deck name is a notice in the
viewer's language, not an exception."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from uniondash.data.decks import Deck, DeckItem, save_deck

ROOT = Path(__file__).resolve().parent.parent
# The default deck's slide titles on the fixture; the county in focus is the one with the lowest
# founding rate: 甲一区 90/100, 甲二县 25/50, 乙一县 8/10 (tests/fixtures.py, 2023).
TITLES = ["核心指标与目标", "建会覆盖", "服务站点分布", "竞赛与荣誉", "本期变化", "未达目标", "县域聚焦：甲二县"]


def run_present(fixture_dir, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page("app_pages/present.py").run()


def html_bodies(at: AppTest) -> list[str]:
    return [e.proto.body for e in at.get("html")]


def shown(at: AppTest) -> tuple[str, str]:
    """(slide title, counter) as the page draws them."""
    bodies = " ".join(html_bodies(at))
    title = re.search(r'<h1 class="ud-title">([^<]*)</h1>', bodies)
    counter = re.search(r'<span class="ud-counter">([^<]*)</span>', bodies)
    assert title, bodies[:500]
    assert counter, bodies[:500]
    return title.group(1), counter.group(1)


def footer(at: AppTest) -> str:
    return next(b for b in html_bodies(at) if 'class="ud-foot"' in b)


def test_present_default_deck(fixture_dir, monkeypatch):
    at = run_present(fixture_dir, monkeypatch)
    assert not at.exception
    assert shown(at) == (TITLES[0], "第 1 / 7 页")
    assert at.query_params["slide"] == "1"
    foot = footer(at)
    assert "快照 2023-12-31" in foot
    assert "范围：全省" in foot
    assert "对比 2022-12-31" in foot
    # the headline tiles: new-employment-form workers 100 + 200 + 50 + 30 = 380 (fixture _nef(2023))
    assert '<div class="l">新就业形态劳动者（人）</div><div class="v">380</div>' in " ".join(html_bodies(at))
    for i in range(2, 8):
        at.button(key="present_next").click().run()
        assert not at.exception
        assert shown(at) == (TITLES[i - 1], f"第 {i} / 7 页")
        assert at.query_params["slide"] == str(i)
    at.button(key="present_next").click().run()  # past the last: back to the first
    assert shown(at) == (TITLES[0], "第 1 / 7 页")
    at.button(key="present_prev").click().run()  # before the first: the last
    assert shown(at) == (TITLES[6], "第 7 / 7 页")
    assert at.query_params["slide"] == "7"
    at.button(key="present_pgup").click().run()  # what a clicker's "back" sends
    assert shown(at) == (TITLES[5], "第 6 / 7 页")


def test_present_opens_at_the_slide_in_the_url(fixture_dir, monkeypatch):
    at = run_present(fixture_dir, monkeypatch, slide="5")
    assert not at.exception
    assert shown(at) == (TITLES[4], "第 5 / 7 页")


def test_present_saved_deck_and_hostile_name(fixture_dir, monkeypatch):
    save_deck(fixture_dir, Deck("fixture-1", (DeckItem("headline"), DeckItem("changes"))))
    at = run_present(fixture_dir, monkeypatch, deck="fixture-1")
    assert not at.exception
    assert shown(at) == ("核心指标与目标", "第 1 / 2 页")
    assert at.query_params["deck"] == "fixture-1"
    at.button(key="present_next").click().run()
    assert shown(at) == ("本期变化", "第 2 / 2 页")
    assert at.query_params["slide"] == "2"
    at = run_present(fixture_dir, monkeypatch, deck="../x", lang="en")
    assert not at.exception
    assert any("could not be opened" in w.value for w in at.warning)
    assert "deck" not in at.query_params  # the bad name is dropped from the address
    assert shown(at) == ("Headline KPIs against target", "Slide 1 of 7")


def test_each_county_plays_every_county_best_first_and_the_url_follows(fixture_dir, monkeypatch):
    # founding rate 2023: 甲一区 90/100 = 90.0%, 乙一县 8/10 = 80.0%, 甲二县 25/50 = 50.0%: best first
    at = run_present(fixture_dir, monkeypatch, each="county")
    assert not at.exception
    order = [("县域聚焦：甲一区", "990101"), ("县域聚焦：乙一县", "990201"), ("县域聚焦：甲二县", "990102")]
    for i, (title, code) in enumerate(order, 1):
        assert shown(at) == (title, f"第 {i} / 3 页")
        assert at.query_params["county"] == code
        assert at.query_params["each"] == "county"
        at.button(key="present_next").click().run()
        assert not at.exception
    assert shown(at) == (order[0][0], "第 1 / 3 页")  # past the last county: the first again


def test_a_copied_playlist_link_reopens_at_its_county_with_the_rest(fixture_dir, monkeypatch):
    at = run_present(fixture_dir, monkeypatch, each="county", county="990201")
    assert not at.exception
    assert shown(at) == ("县域聚焦：乙一县", "第 2 / 3 页")  # the county= of the link is the one shown
    at.button(key="present_next").click().run()
    assert shown(at) == ("县域聚焦：甲二县", "第 3 / 3 页")
    assert at.query_params["county"] == "990102"
    bad = run_present(fixture_dir, monkeypatch, each="city")
    assert "“each=city”无效（只能是 each=county），已显示议程。" in [w.value for w in bad.warning]
    assert shown(bad) == (TITLES[0], "第 1 / 7 页")
