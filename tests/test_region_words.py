"""The words for the whole region follow the region's own level (issue 27): 全省 for a province,
全市 for a city federation, 全区 only for a district or an autonomous region; in strings, sentences,
KPI definitions, slides and export names. The app is run with a city region from the config
(UNIONDASH_REGION, UNIONDASH_ORG_NAME) over the hand-made fixture, in Chinese and English."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from uniondash.config import load_settings
from uniondash.metrics.kpis import load_catalogue
from uniondash.text.i18n import t
from uniondash.text.region_words import level_words

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("adcode", "org", "words"),
    [
        ("420000", "湖北省总工会", ("省", "province")),
        ("110000", "北京市总工会", ("市", "city")),  # a municipality is a province-level city
        ("450000", "广西壮族自治区总工会", ("区", "region")),
        ("420500", "宜昌市总工会", ("市", "city")),
        ("422800", "恩施州总工会", ("州", "prefecture")),
        ("422800", "", ("市", "city")),  # a city-level code with no name to refine it
        ("420106", "武昌区总工会", ("区", "district")),
        ("420683", "枣阳市总工会", ("市", "city")),  # a county-level city
        ("420921", "孝昌县总工会", ("县", "county")),
    ],
)
def test_level_words(adcode, org, words):
    assert level_words(adcode, org) == words


@pytest.fixture
def city_region(fixture_dir, monkeypatch):
    """A city federation: 宜昌市 (420500) over the fixture's data."""
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    monkeypatch.setenv("UNIONDASH_REGION", "420500")
    monkeypatch.setenv("UNIONDASH_ORG_NAME", "宜昌市总工会")
    monkeypatch.setenv("UNIONDASH_ORG_NAME_EN", "Yichang Federation of Trade Unions")
    yield load_settings()
    monkeypatch.undo()
    load_settings()  # the process's words back to the configured region's


def test_strings_and_definitions_say_quan_shi(city_region):
    assert t("scope.region", "zh") == "全市"
    assert t("scope.region", "en") == "Whole city"
    assert t("overview.region_only", "zh") == "仅全市口径"
    assert t("overview.region_only", "en") == "City-wide only"
    assert t("col.rank_of", "zh") == "全市排名"
    assert t("ui.file.region", "en") == "whole-city"
    assert t("present.rank", "zh", rank=2, n=3) == "全市第 2 位（共 3 个）"
    sentence = t("profile.weakness", "zh", kpi="工会组建率", value="50.0%", rank=3, n=3)
    assert sentence == "工会组建率 50.0%，居全市县级单位第 3 位（共 3 个），处于后四分之一。"
    region_only = [k for k in load_catalogue().kpis if "口径" in k.definition_zh]
    assert region_only, "the catalogue has region-only KPIs"
    for kpi in region_only:
        assert "（全市口径）" in kpi.definition("zh")
        assert "全区" not in kpi.definition("zh")
        assert "(City-wide)" in kpi.definition("en")


def run(page: str | None = None, area: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if area:
        at.session_state["area"] = area
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception
    return at


def test_overview_county_profile_and_slides_in_a_city_region(city_region):
    at = run(city="990100", area="从严治党")
    groups = next(m for m in at.metric if m.label.startswith("赴基层蹲点工作组"))
    assert (groups.value, groups.delta) == ("—", "仅全市口径")
    at = run("app_pages/county.py", county="990102")
    kpis = at.dataframe[0].value.set_index("指标")
    assert kpis.loc["工会组建率", "全市排名"] == "3 / 3"  # 甲二县 25/50, the lowest of three
    assert "全市" in kpis.columns
    assert "全省" not in kpis.columns
    assert "全区" not in kpis.columns
    at = run("app_pages/present.py")
    foot = next(e.proto.body for e in at.get("html") if 'class="ud-foot"' in e.proto.body)
    assert "范围：全市" in foot
    assert "宜昌市总工会" in foot


def test_english_in_a_city_region(city_region):
    at = run(city="990100", area="Party discipline", lang="en")
    groups = next(m for m in at.metric if m.label.startswith("Work groups"))
    assert groups.delta == "City-wide only"
