"""AppTest: everywhere a county is ranked it shows its change against the compare snapshot (对比快照)
and can be sorted by it; the overview ranking shows who is behind target; the coverage table names
its counts, separates thousands and pins the county; /county follows 对比快照.

Every value is worked out by hand from tests/fixtures.py (region 990000: 甲一区 990101, 甲二县
990102, 乙一县 990201; snapshots 2022-12-31 and 2023-12-31). The coverage rows:

    county   legal units  founded  employees  members        2022: founded  members
    甲一区        100         90       1000       900                 80       800
    甲二县         50         25        400       200                 30       240
    乙一县         10          8        100        90                  5        60

membership rate 2023: 甲一区 90%, 甲二县 50%, 乙一县 90%; 2022: 80%, 60%, 60%
    change: 甲一区 +10 pp, 甲二县 −10 pp, 乙一县 +30 pp
founding rate 2023: 甲一区 90%, 甲二县 50%, 乙一县 80%; 2022: 80%, 60%, 50%
    change: +10, −10, +30 pp; against the region's 90% target (fixtures._targets):
    甲一区 reached (已达标); 乙一县 10 pp short, ceil(0.9 × 10 − 8) = 1 unit; 甲二县 40 pp short,
    ceil(0.9 × 50 − 25) = 20 units
worker service stations (not closed) 2023: 甲一区 S1 S2 = 2 (target 4), 甲二县 S4 S6 = 2 (target 3),
    乙一县 S5 = 1 (target 1, reached)
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from uniondash.ui.computed import signed

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(fixture_dir, monkeypatch):
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    monkeypatch.delenv("UNIONDASH_USERS", raising=False)

    def make(page: str | None = None, **params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        if page:
            at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return make


def shown(frame_element) -> pd.DataFrame:
    """A grid as the screen shows it: a Styler's display text where it sets one (已达标, +10.0),
    else the value."""
    styler = frame_element.proto.arrow_data.styler
    if not styler.display_values:
        return frame_element.value
    return pa.ipc.open_stream(styler.display_values).read_all().to_pandas()


def param(at: AppTest, key: str):
    """A query parameter as the app left it (one value)."""
    value = at.query_params.get(key)
    return value[-1] if isinstance(value, list) else value


def column_config(frame_element) -> dict:
    return json.loads(frame_element.proto.columns)


def tinted(frame_element) -> dict[int, str]:
    """Row → the background a Styler gives the change cells (GOOD blue or BAD vermilion washes)."""
    out = {}
    for rule in frame_element.proto.arrow_data.styler.styles.split("}"):
        if "background-color" not in rule:
            continue
        selectors, body = rule.split("{")
        for selector in selectors.split(","):  # cells styled alike share one rule
            out[int(selector.split("_row")[1].split("_")[0])] = body.split("background-color:")[1].strip(" ;")
    return out


GOOD_WASH, BAD_WASH = "rgba(0,114,178,0.16)", "rgba(213,94,0,0.16)"


def _decoded(obj):
    if isinstance(obj, dict):
        if set(obj) >= {"dtype", "bdata"}:
            return np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"])).tolist()
        return {k: _decoded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decoded(v) for v in obj]
    return obj


def chart(at: AppTest) -> dict:
    (spec,) = [_decoded(json.loads(el.proto.spec)) for el in at.get("plotly_chart")]
    return spec


# 1. The change column, everywhere a county is ranked


def test_overview_ranking_shows_each_countys_change(app):
    at = app(rank="membership_rate", compare="2022-12-31")
    table = at.dataframe[0].value
    # of three counties one best and one worst: 甲一区 90% (+10 pp), 甲二县 50% (−10 pp)
    assert list(table["县（市、区）"]) == ["甲一区", "甲二县"]
    assert list(table["较 2022-12-31 变化"]) == ["+10.0个百分点", "-10.0个百分点"]
    assert tinted(at.dataframe[0]) == {0: GOOD_WASH, 1: BAD_WASH}  # membership is better up
    assert column_config(at.dataframe[0])["县（市、区）"]["pinned"] is True
    # the chart writes each bar's change beside it, its arrow in the good or bad colour
    notes = [a["text"] for a in chart(at)["layout"]["annotations"]]
    assert notes[-1] == "较 2022-12-31"  # the column's header
    assert '<span style="color:#D55E00">▼</span> -10.0个百分点' in notes  # 甲二县, drawn bottom-up
    assert '<span style="color:#0072B2">▲</span> +10.0个百分点' in notes


def test_overview_ranking_by_change_in_english(app):
    at = app(rank="membership_rate", order="change", lang="en")
    assert at.segmented_control(key="rank_order").value == "change"
    assert param(at, "order") == "change"  # kept in the URL
    table = at.dataframe[0].value
    # most improved 乙一县 (+30 pp), least 甲二县 (−10 pp); the rank column stays the value's
    assert list(table["County"]) == ["乙一县", "甲二县"]
    assert list(table["Change vs 2022-12-31"]) == ["+30.0 pp", "-10.0 pp"]
    assert list(table["Rank"]) == [2, 3]
    bars = chart(at)["data"][0]
    assert bars["y"] == ["甲二县", "乙一县"]  # bottom-up: the best on top
    assert bars["x"] == pytest.approx([-10.0, 30.0])  # percentage points
    assert bars["marker"]["color"] == ["#D55E00", "#0072B2"]
    assert chart(at)["layout"]["title"]["text"] == "Membership rate: change since 2022-12-31"


def test_no_compare_snapshot_no_change(app):
    at = app(rank="membership_rate", order="change", snapshot="2022-12-31")
    assert any("没有对比快照" in i.value for i in at.info)
    at = app(rank="membership_rate", snapshot="2022-12-31")
    assert list(at.dataframe[0].value["变化"]) == ["—", "—"]


def test_coverage_table_change_sort_and_export(app, monkeypatch):
    import uniondash.ui.parts as parts

    exported = []
    real = parts.export_sheet
    monkeypatch.setattr(parts, "export_sheet", lambda *a, **k: exported.append(a) or real(*a, **k))
    at = app("coverage", rate="membership_rate", compare="2022-12-31")
    grid = at.dataframe[0]
    change = "较 2022-12-31 变化（百分点）"
    table = grid.value.set_index("县（市、区）")
    assert table[change].to_dict() == pytest.approx({"甲一区": 10.0, "乙一县": 30.0, "甲二县": -10.0})
    assert list(shown(grid)[change]) == ["+10.0", "+30.0", "-10.0"]  # by rank: 90%, 90%, 50%
    assert tinted(grid) == {0: GOOD_WASH, 1: GOOD_WASH, 2: BAD_WASH}
    # the export: the change a number (percentage points) under a one-decimal format
    (_, title, frame, formats) = exported[0]
    assert title == "县域排名与达标缺口 · 职工入会率"
    assert frame.set_index("县（市、区）")[change].to_dict() == pytest.approx(
        {"甲一区": 10, "乙一县": 30, "甲二县": -10}
    )
    assert formats[change] == "decimal1"
    # sorted by change: 乙一县 +30, 甲一区 +10, 甲二县 −10; kept in the URL
    at.segmented_control(key="coverage_order").set_value("change").run()
    assert list(at.dataframe[0].value["县（市、区）"]) == ["乙一县", "甲一区", "甲二县"]
    assert param(at, "sort") == "change"
    # and a link reopens it so
    again = app("coverage", rate="membership_rate", sort="change")
    assert list(again.dataframe[0].value["县（市、区）"]) == ["乙一县", "甲一区", "甲二县"]


# 2. /county follows 对比快照


def test_county_profile_follows_the_compare_snapshot(app):
    at = app("county", county="990102", compare="2022-12-31")
    kpis = at.dataframe[0].value.set_index("指标")
    # 甲二县: membership 60% → 50%, founding 60% → 50%, members 240 → 200, stations S4 → S4 S6
    assert kpis.loc["职工入会率", "较 2022-12-31 变化"] == "-10.0个百分点"
    assert kpis.loc["工会组建率", "较 2022-12-31 变化"] == "-10.0个百分点"
    assert kpis.loc["工会会员", "较 2022-12-31 变化"] == "-40"
    assert kpis.loc["服务职工站点", "较 2022-12-31 变化"] == "+1"
    assert column_config(at.dataframe[0])["指标"]["pinned"] is True
    # the 2022 snapshot has nothing before it: no compare snapshot, no change
    earliest = app("county", county="990102", snapshot="2022-12-31")
    kpis = earliest.dataframe[0].value.set_index("指标")
    assert set(kpis["变化（无对比快照）"]) == {"—"}


def test_county_profile_sorted_by_change_in_english(app):
    at = app("county", county="990102", sort="change", lang="en")
    order = list(at.dataframe[0].value["Indicator"])
    # relative to where each stood, better first: visits per station 5 → 20 (+300%), stations 1 → 2
    assert order[:2] == ["Monthly visits per station", "Worker service stations"]
    assert param(at, "sort") == "change"


def test_a_county_planner_sees_their_own_change(tmp_path, monkeypatch, fixture_dir):
    from test_access_app import make_accounts, signed_in

    accounts = make_accounts(tmp_path, monkeypatch, fixture_dir)
    at = signed_in(accounts, "pa", county="990101", compare="2022-12-31")  # a planner of 甲一区
    at.switch_page("app_pages/county.py").run()
    assert not at.exception
    kpis = at.dataframe[0].value.set_index("指标")
    assert kpis.loc["职工入会率", "较 2022-12-31 变化"] == "+10.0个百分点"  # 800 → 900 of 1,000
    assert kpis.loc["工会会员", "较 2022-12-31 变化"] == "+100"


# 3. Behind target on the overview


def test_overview_behind_target(app):
    at = app(rank="union_founding_rate", order="gap")
    grid = at.dataframe[0]
    table = shown(grid).set_index("县（市、区）")
    # the furthest behind first; 甲一区 at 90% has reached the 90% target: 已达标, never −0
    assert list(table.index) == ["甲二县", "乙一县", "甲一区"]
    assert table["距目标（百分点）"].to_dict() == {"甲二县": "40.0", "乙一县": "10.0", "甲一区": "已达标"}
    assert grid.value.set_index("县（市、区）")["达标尚需（家）"].to_dict() == {"甲二县": 20, "乙一县": 1, "甲一区": 0}
    assert column_config(grid)["达标尚需（家）"]["type_config"]["format"] == "%,d"
    # (too wide for a phone, the title goes on two lines after its colon: render.charts.wrap_title)
    assert chart(at)["layout"]["title"]["text"] == "工会组建率：<br>距目标最远的县级单位（目标 90.0%，2025 年）"
    bars = chart(at)["data"][0]
    assert bars["y"] == ["乙一县", "甲二县"]  # bottom-up: only those short of target
    assert bars["x"] == pytest.approx([10.0, 40.0])
    assert bars["text"] == ["还差 10.0 个百分点 · 尚需 1 家", "还差 40.0 个百分点 · 尚需 20 家"]
    caption = " ".join(c.value for c in at.caption)
    assert "2 个县级单位未达标，1 个已达标；未达标的合计尚需 21 家。" in caption


def test_overview_behind_target_of_a_count_in_english(app):
    at = app(rank="stations_registered", order="gap", lang="en")
    table = shown(at.dataframe[0]).set_index("County")
    # each county against its own target: 甲一区 2 of 4, 甲二县 2 of 3, 乙一县 1 of 1 (reached)
    assert table["To target (stations)"].to_dict() == {"甲一区": "2", "甲二县": "1", "乙一县": "Reached"}
    assert at.dataframe[0].value.set_index("County")["Still needed (stations)"].to_dict() == {
        "甲一区": 2,
        "甲二县": 1,
        "乙一县": 0,
    }
    title = chart(at)["layout"]["title"]["text"]
    assert title == "Worker service stations:<br>counties furthest from their targets (by 2025)"
    at = app(rank="membership_rate", order="gap")  # no target for counties in the fixture
    assert any("职工入会率 没有县级目标" in i.value for i in at.info)


# 5. The coverage table


def test_coverage_table_names_its_counts_and_reads_reached(app):
    at = app("coverage", compare="2022-12-31")  # 工会组建率
    grid = at.dataframe[0]
    assert list(grid.value.columns) == [
        "县（市、区）",
        "名次",
        "市（州）",
        "工会组建率",
        "较 2022-12-31 变化（百分点）",
        "距目标（百分点）",
        "达标尚需",
        "已建会法人单位数",
        "法人单位数",
    ]
    table = shown(grid).set_index("县（市、区）")
    assert table["距目标（百分点）"].to_dict() == {"甲一区": "已达标", "乙一县": "10.0", "甲二县": "40.0"}
    assert grid.value.set_index("县（市、区）")["距目标（百分点）"].min() == 0  # never negative
    config = column_config(grid)
    assert config["县（市、区）"]["pinned"] is True
    for col in ("名次", "达标尚需", "已建会法人单位数", "法人单位数"):
        assert config[col]["type_config"]["format"] == "%,d", col
    nef = column_config(at.dataframe[1])
    assert nef["劳动者"]["type_config"]["format"] == "%,d"
    assert nef["会员"]["type_config"]["format"] == "%,d"
    en = app("coverage", rate="membership_rate", lang="en")
    assert list(en.dataframe[0].value.columns)[-2:] == ["Union members", "Employees"]


def test_signed_changes_separate_thousands():
    assert signed(1234.56, 1) == "+1,234.6"
    assert signed(-12345, 0) == "-12,345"
    assert signed(0.04, 1) == "0.0"  # rounds to nothing: no sign
    assert signed(float("nan"), 1) == "—"
