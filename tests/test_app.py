"""AppTest: the app runs every page for several scopes and shows the hand-computed figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(fixture_dir, monkeypatch):
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))

    def make(area: str | None = None, **params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
        if area:
            at.session_state["area"] = area
        for key, value in params.items():
            at.query_params[key] = value
        return at.run()

    return make


def metric(at: AppTest, label_start: str) -> str:
    for m in at.metric:
        if m.label.startswith(label_start):
            return m.value
    raise AssertionError(f"no metric {label_start!r} in {[m.label for m in at.metric]}")


def test_overview_whole_region(app):
    at = app()
    assert not at.exception
    assert metric(at, "服务职工站点") == "5"  # S1, S2, S4, S5, S6
    assert metric(at, "工会组建率") == "76.9%"  # 123 / 160
    assert any("演示数据" in i.value for i in at.info)


def test_overview_one_city(app):
    at = app(city="990100", area="从严治党")
    assert not at.exception
    assert metric(at, "工会组建率") == "76.7%"  # (90+25) / (100+50): counts, not the mean of rates
    groups = next(m for m in at.metric if m.label.startswith("赴基层蹲点工作组"))
    assert (groups.value, groups.delta) == ("—", "仅全省口径")  # the reason under the dash (issue 13)


def test_overview_one_county_earlier_snapshot(app):
    at = app(county="990101", snapshot="2022-12-31")
    assert not at.exception
    assert metric(at, "服务职工站点") == "3"  # S1, S2, S3 all open in 2022
    assert metric(at, "工会组建率") == "80.0%"  # 80 / 100


def test_overview_in_english(app):
    at = app(lang="en")
    assert not at.exception
    assert metric(at, "Worker service stations") == "5"


def test_missing_data_is_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("UNIONDASH_DATA", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30).run()
    assert not at.exception
    assert "make data" in at.error[0].value


def test_coverage_page(app):
    at = app()
    at.switch_page("app_pages/coverage.py").run()
    assert not at.exception
    assert metric(at, "工会组建率") == "76.9%"
    table = at.dataframe[0].value
    assert list(table["县（市、区）"]) == ["甲一区", "乙一县", "甲二县"]  # 90%, 80%, 50%


def test_coverage_page_english_one_city(app):
    at = app(city="990100", lang="en")
    at.switch_page("app_pages/coverage.py").run()
    assert not at.exception
    assert metric(at, "Union founding rate") == "76.7%"  # 115 / 150


def test_county_profile(app):
    at = app(county="990102")
    at.switch_page("app_pages/county.py").run()
    assert not at.exception
    assert at.title[0].value == "县域概况：甲二县"
    kpis = at.dataframe[0].value.set_index("指标")
    assert kpis.loc["工会组建率", "数值"] == "50.0%"
    assert kpis.loc["工会组建率", "全省排名"] == "3 / 3"
    assert kpis.loc["工会组建率", "所在市"] == "76.7%"
    # printed: every indicator in one HTML table, in the grid's order, the same values
    (printed,) = [h.value for h in at.html if "<table" in h.value]
    body = re.sub(r"\s+", "", printed.split("<tbody>")[1])
    assert body.count("<tr>") == len(kpis)
    assert "<tr><td>工会组建率</td><td>50.0%</td>" in body


def test_county_profile_without_a_county_asks_for_one(app):
    at = app(lang="en")
    at.switch_page("app_pages/county.py").run()
    assert not at.exception
    assert "Choose a county" in [s.label for s in at.selectbox]
    (pick,) = [s for s in at.selectbox if s.label == "Choose a county"]
    assert pick.options == ["甲市 · 甲一区", "甲市 · 甲二县", "乙市 · 乙一县"]  # each county under its city


def test_stations_page(app):
    at = app()
    at.switch_page("app_pages/stations.py").run()
    assert not at.exception
    assert metric(at, "符合条件站点") == "5"  # open + suspended by default


def test_stations_page_url_filters_english(app):
    at = app(lang="en", kind="outdoor_rest", status="open", gaps="1")
    at.switch_page("app_pages/stations.py").run()
    assert not at.exception
    assert metric(at, "Matching stations") == "3"  # S1 S5 S6
    assert any("Of 4 demand points" in m.value for m in at.markdown)


def test_competitions_page(app):
    at = app(year="2023")
    at.switch_page("app_pages/competitions.py").run()
    assert not at.exception
    medals = at.dataframe[0].value.set_index("县（市、区）")
    assert medals.loc["甲一区", "一等奖"] == 1
    assert medals.loc["乙一县", "二等奖"] == 1
    awards = at.dataframe[-1].value
    assert "张*" in list(awards["获奖者"])
    assert "张三" not in list(awards["获奖者"])


def test_competitions_page_english_names_for_trusted_network(app, monkeypatch):
    monkeypatch.setenv("UNIONDASH_SHOW_NAMES", "1")
    at = app(lang="en", year="0", county="990201")
    at.switch_page("app_pages/competitions.py").run()
    assert not at.exception
    assert sorted(at.dataframe[-1].value["Winner"]) == ["乙一县某厂", "李四"]


def test_returning_to_a_page_keeps_its_choices(app):
    # Streamlit drops the state of widgets a run does not draw: leaving the competitions page and
    # coming back used to fail with KeyError 'year' (and the stations page forgot its filters).
    at = app(year="2022")
    at.switch_page("app_pages/competitions.py").run()
    assert not at.exception
    assert at.session_state["year"] == 2022
    at.switch_page("app_pages/overview.py").run()
    at.switch_page("app_pages/competitions.py").run()
    assert not at.exception
    assert at.session_state["year"] == 2022


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("app_pages/overview.py", {}),
        ("app_pages/overview.py", {"order": "change", "lang": "en"}),
        ("app_pages/stations.py", {"q": "母婴"}),
        ("app_pages/coverage.py", {"lang": "en"}),
        ("app_pages/competitions.py", {}),
        ("app_pages/county.py", {"county": "990101"}),
    ],
)
def test_a_rerun_shows_what_the_first_run_drew(app, page, params):
    """Tables, charts and captions drawn once per view (the ranking's table, the station and award
    lists, charts nobody clicks, the county profile) come back from the cache on a rerun: the same
    elements, none lost or moved."""
    at = app(**params)
    if page != "app_pages/overview.py":
        at.switch_page(page).run()

    def drawn(at):
        return (
            [df.value.to_json(force_ascii=False) for df in at.dataframe],
            [c.proto.spec for c in at.get("plotly_chart")],
            [c.value for c in at.caption],
        )

    first = drawn(at)
    at.run()
    assert not at.exception
    assert drawn(at) == first
    assert first[0] or first[1]  # the page has tables or charts to compare
