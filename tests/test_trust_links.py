"""Views that survive a link (issue 13): every control that changes what is shown is in the URL,
and a value that cannot be honoured is named in a notice and dropped from the URL. AppTest on
the hand-made fixture."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(fixture_dir, monkeypatch):
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))

    def make(page: str | None = None, **params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(f"app_pages/{page}.py").run()
        return at

    return make


def param(at: AppTest, key: str):
    """A query parameter as the app left it: one value, or a list for a repeated key."""
    return at.query_params.get(key)


def notices(at: AppTest) -> str:
    return " ".join(w.value for w in at.main.warning).replace("\\", "")  # markdown escapes dropped


def test_stations_link_with_nan_radius_and_evil_status(app):
    at = app("stations", gaps="1", gap_km="nan", status="evil")
    assert not at.exception
    text = notices(at)
    assert "gap_km=nan" in text
    assert "status=evil" in text
    assert "已忽略" in text
    assert at.number_input(key="gap_km").value == 2.0  # the default radius, not NaN
    assert at.session_state["status"] == ["open", "suspended"]  # not "every status" (closed included)
    assert "gap_km" not in at.query_params
    assert "status" not in at.query_params
    assert param(at, "gaps") == "1"


@pytest.mark.parametrize("value", ["inf", "-1", "1e309", "abc"])
def test_stations_link_with_other_bad_numbers(app, value):
    at = app("stations", gaps="1", gap_km=value)
    assert not at.exception
    assert f"gap_km={value}" in notices(at)


def test_unknown_snapshot_county_and_a_compare_after_the_snapshot(app):
    at = app(snapshot="2019-01-01", county=["990101", "123456"], compare="2023-12-31")
    assert not at.exception
    text = notices(at)
    assert "snapshot=2019-01-01" in text
    assert "county=123456" in text
    assert "compare=2023-12-31" in text  # the snapshot shown is 2023-12-31 itself
    assert param(at, "county") in ("990101", ["990101"])
    assert "snapshot" not in at.query_params
    assert "compare" not in at.query_params


def test_compare_after_an_earlier_snapshot_is_refused(app):
    at = app(snapshot="2022-12-31", compare="2023-12-31")
    assert not at.exception
    assert "compare=2023-12-31" in notices(at)
    assert param(at, "snapshot") == "2022-12-31"
    assert "compare" not in at.query_params


def test_a_good_link_has_no_notice(app):
    at = app("stations", city="990100", kind="outdoor_rest", gaps="1", gap_km="3.5")
    assert not at.exception
    assert notices(at) == ""


def test_english_notice(app):
    at = app(lang="en", county="999999")
    assert "could not be used and were ignored: county=999999" in notices(at)


def test_coverage_rate_is_in_the_url(app):
    at = app("coverage", rate="membership_rate")
    assert not at.exception
    assert at.session_state["coverage_rate"] == "membership_rate"
    assert param(at, "rate") == "membership_rate"
    at.session_state["coverage_rate"] = "migrant_membership_rate"
    at.run()
    assert param(at, "rate") == "migrant_membership_rate"
    bad = app("coverage", rate="evil")
    assert "rate=evil" in notices(bad)
    assert bad.session_state["coverage_rate"] == "union_founding_rate"


def test_overview_ranking_kpi_and_area_tab_are_in_the_url(app):
    at = app(rank="membership_rate", area="party_discipline")
    assert not at.exception
    assert at.selectbox(key="rank_kpi").value == "membership_rate"
    assert at.session_state["area"] == "从严治党"
    labels = [m.label for m in at.metric]
    assert any(label.startswith("赴基层蹲点工作组") for label in labels)  # the party-discipline tab is drawn
    assert param(at, "rank") == "membership_rate"
    assert param(at, "area") == "party_discipline"
    bad = app(rank="evil", area="nowhere")
    assert "rank=evil" in notices(bad)
    assert "area=nowhere" in notices(bad)


def test_pilots_card_without_data_for_the_year_says_so(app):
    at = app(snapshot="2022-12-31", area="quality_of_life")
    assert not at.exception
    pilots = [m for m in at.metric if m.label.startswith("共同缔造试点")]
    assert pilots
    assert (pilots[0].value, pilots[0].delta) == ("—", "2022 年无数据")


def test_region_wide_figure_at_city_scope_is_region_only(app):
    at = app(city="990100", area="party_discipline")
    groups = [m for m in at.metric if m.label.startswith("赴基层蹲点工作组")]
    assert (groups[0].value, groups[0].delta) == ("—", "仅全省口径")


def test_planned_and_unknown_paths_are_registered(app):
    at = app()
    assert not at.exception
    from uniondash.ui.paths import unknown_path

    assert unknown_path("nosuchpage", ["", "stations"]) == "nosuchpage"
    assert unknown_path("stations", ["", "stations"]) is None
    assert unknown_path("a/b", []) is None  # cannot be registered: Streamlit's own handling


def test_a_page_opens_as_it_was_left_after_another_page(app):
    at = app("coverage", rate="membership_rate")
    at.switch_page("app_pages/overview.py").run()
    at.session_state["rank_kpi"] = "membership_rate"
    at.run()
    at.switch_page("app_pages/stations.py").run()
    at.switch_page("app_pages/coverage.py").run()
    assert not at.exception
    assert at.session_state["coverage_rate"] == "membership_rate"  # Streamlit had forgotten the widget
    at.switch_page("app_pages/overview.py").run()
    assert not at.exception
    assert at.selectbox(key="rank_kpi").value == "membership_rate"


def test_supply_layer_link_opens(app):
    at = app("stations", layer="supply", measure="share_24h")
    assert not at.exception  # the measure selectbox was given a function as its index
    assert at.selectbox(key="measure").value == "share_24h"
