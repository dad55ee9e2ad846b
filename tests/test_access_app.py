"""AppTest per role: a planner of 甲一区 (990101) sees only its figures on every page whatever the
URL says; leaders see everything and names; sign-in, rate limit, single sign-on, demo mode.

The planner's pages are checked on tests/scope_fixture.py's data (fixtures.py's region with rows
inside and outside 甲一区 for every figure): each page's own figures exactly (metrics, tables,
chart traces, map layers), and no other unit's name, code, person or point anywhere in the text,
the Plotly specs or the pydeck specs."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pytest
from fixtures import XSS_NAME
from scope_fixture import build_scope_fixture
from streamlit.testing.v1 import AppTest

from uniondash.access.accounts import Account, Accounts, hash_password, load_accounts, save_accounts
from uniondash.access.data_scope import SessionAccess
from uniondash.access.gate import account_identity
from uniondash.access.sessions import Store

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse 1"
OTHER = ("乙一县", "990201", "甲二县", "990102")  # the other counties' names and codes
# Nothing of another unit may show for the planner of 甲一区: names and codes of the other counties
# and of the cities (甲市's figures sum 甲二县's), the other counties' winners (masked or not) and
# the trade only they competed in (电工, C5 in 甲二县).
FOREIGN = (*OTHER, "乙市", "990200", "甲市", "990100", "李*", "李四", "赵*", "赵六", "钱*", "钱七", "电工")
# Points of other counties' stations (S4, S5, S6), demand points (D3, D4) and label points.
FOREIGN_POINTS = {(114.15, 30.7), (114.5, 30.2), (114.1, 30.7), (114.45, 30.25), (114.45, 30.259)}


def make_accounts(tmp_path, monkeypatch, data_dir: Path) -> Accounts:
    monkeypatch.setenv("UNIONDASH_DATA", str(data_dir))
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "users.toml"))
    monkeypatch.delenv("UNIONDASH_SHOW_NAMES", raising=False)
    monkeypatch.delenv("UNIONDASH_PUBLIC", raising=False)
    hashed = hash_password(PASSWORD)
    acc = Accounts(tmp_path / "users.toml")
    acc.users = {
        "lead": Account("lead", "leader", (), hashed),
        "pa": Account("pa", "planner", ("990101",), hashed),
        "pc": Account("pc", "planner", ("990100",), hashed),
        "adm": Account("adm", "admin", (), hashed),
        "chen@example.org": Account("chen@example.org", "planner", ("990101",)),
    }
    save_accounts(acc)
    return load_accounts()


@pytest.fixture
def accounts(tmp_path, monkeypatch, fixture_dir) -> Accounts:
    return make_accounts(tmp_path, monkeypatch, fixture_dir)


@pytest.fixture(scope="module")
def scope_dir(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("scope-data")
    build_scope_fixture(data)
    return data


@pytest.fixture
def scope_accounts(tmp_path, monkeypatch, scope_dir) -> Accounts:
    """The same accounts over scope_fixture's data."""
    return make_accounts(tmp_path, monkeypatch, scope_dir)


def app(**params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    return at


def signed_in(accounts: Accounts, name: str, **params) -> AppTest:
    """A session signed in with a local account (what the sign-in form leaves in session state)."""
    at = app(**params)
    sid = Store(accounts.folder).create(name, "local")
    identity = account_identity(accounts.users[name], accounts, "local", sid)
    at.session_state["_access"] = SessionAccess(identity, None, identity.sees_names)
    return at.run()


def page_text(at: AppTest) -> str:
    """Everything the page shows as figures: metrics, markdown, captions, tables, titles (not the
    warning that names the link's out-of-scope county)."""
    parts = [m.label + " " + m.value for m in at.metric]
    parts += [e.value for e in (*at.markdown, *at.caption, *at.title, *at.subheader, *at.info)]
    for df in at.dataframe:
        parts.append(df.value.to_csv())
    return "\n".join(str(p) for p in parts)


def metric(at: AppTest, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table(at: AppTest, index: int, columns: list[str]) -> list[tuple]:
    """A dataframe's rows (the given columns) as plain tuples; NaN as None."""
    frame = at.dataframe[index].value[columns].astype(object)
    return [tuple(None if pd.isna(v) else v for v in row) for row in frame.itertuples(index=False, name=None)]


def subset(shown: dict, want: dict) -> dict:
    """The wanted keys' values as shown (so that a failure prints both)."""
    return {k: shown.get(k) for k in want}


def _decoded(obj):
    """A Plotly spec with its typed arrays ({"dtype", "bdata"}: base64 of the raw values) as lists."""
    if isinstance(obj, dict):
        if set(obj) >= {"dtype", "bdata"}:
            return np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"])).tolist()
        return {k: _decoded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decoded(v) for v in obj]
    return obj


def plotly_specs(at: AppTest) -> list[dict]:
    return [_decoded(json.loads(el.proto.spec)) for el in at.get("plotly_chart")]


def traces(spec: dict) -> list[tuple]:
    """(name, x, y) of every trace, values rounded to 6 places."""
    return [(tr.get("name"), list(tr["x"]), [round(v, 6) for v in tr["y"]]) for tr in spec["data"]]


def decks(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.json) for el in at.get("deck_gl_json_chart")]


def layers(deck: dict) -> dict[str, list]:
    """Each layer's data by id (a GeoJSON layer's: its features)."""
    out = {}
    for layer in deck["layers"]:
        data = layer["data"]
        out[layer["id"]] = data["features"] if isinstance(data, dict) else data
    return out


def points(data: list) -> list[tuple]:
    """The rows' positions: lon and lat, or a stations layer's pair p."""
    return sorted((round(x, 5), round(y, 5)) for x, y in (d["p"] if "p" in d else (d["lon"], d["lat"]) for d in data))


def assert_nothing_foreign(at: AppTest, page: str) -> None:
    """No other unit's name, code, winner or trade in the page's text, chart specs or map specs; no
    map point of another county's station or demand point; choropleth areas of 甲一区 only; the
    basemap's outlines (the named exception region_shapes) carry geometry and nothing else."""
    shown = {"text": page_text(at)}
    shown |= {f"chart {i}": json.dumps(s, ensure_ascii=False) for i, s in enumerate(plotly_specs(at))}
    shown |= {f"map {i}": json.dumps(d, ensure_ascii=False) for i, d in enumerate(decks(at))}
    for where, text in shown.items():
        found = [f for f in FOREIGN if f in text]
        assert not found, f"{page} {where} shows {found}"
    for deck in decks(at):
        for layer_id, data in layers(deck).items():
            located = [d for d in data if isinstance(d, dict) and ("lon" in d or "p" in d)]
            assert not set(points(located)) & FOREIGN_POINTS, f"{page} map layer {layer_id} has another county's point"
            areas = [d["properties"]["adcode"] for d in data if isinstance(d, dict) and "properties" in d]
            assert set(areas) <= {"990101"}, f"{page} map layer {layer_id} draws {areas}"
        style = json.loads(unquote(deck["mapStyle"]).split(",", 1)[1])
        for source in style["sources"].values():
            assert all(f["properties"] == {} for f in source["data"]["features"]), "outlines with properties"


def own_overview(at: AppTest) -> None:
    want = {
        "新就业形态劳动者（人）": "300",  # courier 100 + food_delivery 200 (甲二县's 50, 乙一县's 30 not added)
        "新就业形态劳动者入会率": "30.0%",  # members 40 + 50 = 90 of 300
        "服务职工站点（家）": "2",  # S1, S2 (S3 closed); not S4, S5, S6
        "共同缔造试点（家）": "2",  # 990101's 2 (乙一县's 1 not added)
        "工会组建率": "90.0%",  # 90 of 100 legal units (the region's would be 123 of 160)
        "职工入会率": "90.0%",  # 900 of 1,000 employees
    }
    assert subset(metrics(at), want) == want
    changes = "\n".join(m.value for m in at.markdown)
    assert "甲一区 工会组建率上升 10.0 个百分点" in changes  # 80 → 90 of 100
    assert "甲一区 职工入会率上升 10.0 个百分点" in changes  # 800 → 900 of 1,000
    assert "新增技术能手 1 人" in changes  # R1; R2 荆楚工匠, R6 五一劳动奖章, R7 劳动模范 are others'
    assert "甲一区 关闭站点 1 家" in changes  # S3
    assert "服务职工站点：预计 2025 年 0.0，目标 4" in changes  # 990101's target 4, not the region's 8


def own_competitions(at: AppTest) -> None:
    assert metrics(at) == {"劳模和工匠人才创新工作室": "3"}  # 990101's 3 (not + 甲二县 2, 乙一县 5)
    # 甲一区's awards in 2023: R1 (C1 一等奖 技术能手) and R5 (C4 一等奖, benefit 8.0)
    assert table(at, 0, ["县（市、区）", "一等奖", "二等奖", "三等奖", "合计", "荣誉"]) == [("甲一区", 2, 0, 0, 2, 1)]
    # no city table: 甲市 is not theirs whole, and its sum would be 甲一区's under 甲市's name
    assert "按市统计只列出您负责的整个市；您负责的县级单位见左表。" in [c.value for c in at.caption]
    assert table(at, 1, ["工种", "合计", "一等奖"]) == [("焊工", 1, 1)]  # R1 (R2 焊工 乙一县's, R7 电工 甲二县's)
    assert table(at, 2, ["单位", "县（市、区）", "合计", "创效（万元）"]) == [
        ("甲一区机械厂", "甲一区", 1, 0.0),
        ("甲一区电机厂", "甲一区", 1, 8.0),
    ]
    assert table(at, 3, ["荣誉", "人数"]) == [("技术能手", 1)]
    assert table(at, 4, ["竞赛", "获奖者", "创效（万元）"]) == [
        ("全省技能大赛（焊工）", "张*", None),
        ("甲一区五小创新", "甲一区创新团队", 8.0),
    ]
    participation, benefit = plotly_specs(at)
    assert traces(participation) == [("五小", ["2023"], [25.0])]  # C4 hosted by 甲一区: 25 (not C1 100, C2 40, C5 30)
    assert traces(benefit) == [("五小", ["2023"], [8.0])]  # R5 (not R3's 12.5, R6's 3.5)


def own_stations(at: AppTest) -> None:
    assert metrics(at) == {
        "符合条件站点": "2",  # open or suspended: S1, S2
        "正常开放": "2",
        "24 小时开放占比": "50.0%",  # S1 of the two
        "每万名新就业形态劳动者筛选站点数": "66.7",  # 2 per 300 workers × 10,000
    }
    assert table(at, 0, ["站点", "月服务人次"]) == [(XSS_NAME, 100), ("甲一区母婴室", 50)]
    (deck,) = decks(at)
    data = layers(deck)
    assert points(data["stations-outdoor_rest"]) == [(114.0, 30.6)]  # S1
    assert points(data["stations-nursing_room"]) == [(114.03, 30.62)]  # S2
    assert [d["name"] for d in data["names"]] == ["甲一区"]


def own_stations_supply_changes(at: AppTest) -> None:
    (deck,) = decks(at)
    data = layers(deck)
    assert [(f["properties"]["adcode"], f["properties"]["tip"]) for f in data["choropleth"]] == [
        ("990101", "甲一区\n每万名新就业形态劳动者筛选站点数: 66.7")  # 2 stations per 300 workers × 10,000
    ]
    assert [(d["lon"], d["lat"], d["tip"]) for d in data["changes"]] == [
        (113.95, 30.55, "关闭: 甲一区旧驿站\n990101 测试路 1 号")  # S3 closed; S5, S6 opened elsewhere
    ]
    assert table(at, 0, ["变化", "站点"]) == [("关闭", "甲一区旧驿站")]


def own_stations_density_gaps(at: AppTest) -> None:
    (deck,) = decks(at)
    data = layers(deck)
    assert [(d["lon"], d["lat"], d["stations"]) for d in data["density"]] == [
        (114.005, 30.605, 1),  # S1's cell
        (114.035, 30.625, 1),  # S2's cell
    ]
    assert [(d["lon"], d["lat"], d["tip"]) for d in data["uncovered"]] == [(114.085, 30.62, "30 · 5.3 km")]  # D2
    assert table(at, 0, ["县（市、区）", "未覆盖人数", "未覆盖占比"]) == [("甲一区", 30, 37.5)]  # D2's 30 of 50 + 30
    assert table(at, 1, ["县（市、区）", "经度", "纬度", "新增覆盖人数"]) == [("甲一区", 114.085, 30.62, 30)]


def own_coverage(at: AppTest) -> None:
    assert metrics(at) == {
        "工会组建率": "90.0%",  # 90 of 100
        "职工入会率": "90.0%",  # 900 of 1,000
        "农民工入会率": "75.0%",  # 150 of 200
        "新就业形态劳动者入会率": "30.0%",  # 90 of 300
    }
    counts = ["县（市、区）", "工会组建率", "已建会法人单位数", "法人单位数"]
    assert table(at, 0, counts) == [("甲一区", 90.0, 90.0, 100.0)]
    assert table(at, 1, ["群体", "劳动者", "会员"]) == [
        ("货车司机", 0, 0),  # 甲二县's 50 truck drivers not added
        ("网约车司机", 0, 0),  # 乙一县's 30 not added
        ("快递员", 100, 40),
        ("外卖配送员", 200, 50),
        ("合计", 300, 90),
    ]
    trend, nef = plotly_specs(at)
    assert traces(trend) == [("甲一区", ["2022", "2023"], [0.8, 0.9])]  # 80 → 90 of 100
    groups = ["货车司机", "网约车司机", "快递员", "外卖配送员"]
    assert traces(nef) == [("劳动者", groups, [0, 0, 100, 200]), ("会员", groups, [0, 0, 40, 50])]
    (deck,) = decks(at)
    choropleth = layers(deck)["choropleth"]
    assert [(f["properties"]["adcode"], f["properties"]["label"]) for f in choropleth] == [("990101", "90.0%")]


def own_county(at: AppTest) -> None:
    kpis = at.dataframe[0].value.set_index("指标")
    want = {
        "当年竞赛项目": "1",  # C4 (hosted by 甲一区)
        "当年竞赛参与职工": "25",
        "当年获奖": "2",  # R1, R5
        "劳模和工匠人才创新工作室": "3",
        "当年创新创效": "8",  # R5
        "服务职工站点": "2",
        "工会组建率": "90.0%",
        "新就业形态劳动者": "300",
    }
    assert subset(dict(kpis["数值"]), want) == want
    assert set(kpis["全省"]) == {"—"}  # the region's figures sum counties the planner may not read
    assert set(kpis["所在市"]) == {"—"}  # and so do the city's
    assert kpis.loc["服务职工站点", "目标"] == "4"  # 990101's target
    assert table(at, 1, ["竞赛", "获奖者", "创效（万元）"]) == [
        ("全省技能大赛（焊工）", "张*", None),
        ("甲一区五小创新", "甲一区创新团队", 8.0),
    ]
    (deck,) = decks(at)
    data = layers(deck)
    assert points(data["stations-outdoor_rest"]) == [(114.0, 30.6)]  # S1 (S3 closed)
    assert points(data["stations-nursing_room"]) == [(114.03, 30.62)]  # S2


# Each view of the planner of 甲一区: its page, its URL parameters, and its own figures.
PLANNER_VIEWS = {
    "overview": ("overview.py", {}, own_overview),
    "competitions": ("competitions.py", {}, own_competitions),
    "stations": ("stations.py", {}, own_stations),
    "stations-supply-changes": ("stations.py", {"layer": "supply", "changes": "1"}, own_stations_supply_changes),
    "stations-density-gaps": ("stations.py", {"layer": "density", "gaps": "1"}, own_stations_density_gaps),
    "coverage": ("coverage.py", {}, own_coverage),
    "county": ("county.py", {}, own_county),
}


@pytest.mark.parametrize("view", PLANNER_VIEWS)
def test_planner_opening_another_county_sees_only_their_own_figures(scope_accounts, view):
    """A planner of 甲一区 opening a link to 乙一县: every page shows 甲一区's own figures, exactly
    (a blank page or another county's numbers fail), and nothing of another unit anywhere."""
    page, params, own_figures = PLANNER_VIEWS[view]
    at = signed_in(scope_accounts, "pa", county="990201", **params)
    assert [w.value for w in at.warning] == ["链接中的 乙一县 不在您的查看范围内，未予显示；当前显示您的范围：甲一区。"]
    at.switch_page(f"app_pages/{page}").run()
    assert not at.exception
    own_figures(at)
    assert_nothing_foreign(at, view)


@pytest.mark.parametrize("view", PLANNER_VIEWS)
def test_the_page_checks_fail_on_another_countys_figures(scope_accounts, view):
    """The same link opened by a leader shows 乙一县's figures: both checks above fail on that page,
    so they can see a leak (a page of another county's numbers does not pass)."""
    page, params, own_figures = PLANNER_VIEWS[view]
    at = signed_in(scope_accounts, "lead", county="990201", **params)
    at.switch_page(f"app_pages/{page}").run()
    assert not at.exception
    with pytest.raises(AssertionError):
        own_figures(at)
    with pytest.raises(AssertionError, match="shows"):
        assert_nothing_foreign(at, view)


def test_city_planner_sees_their_two_counties_figures_and_no_others(scope_accounts):
    """A planner of 甲市 (甲一区 + 甲二县) on the competitions page: both counties' figures, none of 乙一县's."""
    at = signed_in(scope_accounts, "pc", year="2023")
    at.switch_page("app_pages/competitions.py").run()
    assert not at.exception
    assert metrics(at) == {"劳模和工匠人才创新工作室": "5"}  # 3 + 2 (乙一县's 5 not added)
    assert table(at, 1, ["市（州）", "一等奖", "合计", "荣誉"]) == [("甲市", 4, 4, 2)]  # R1, R5 + R3, R7
    assert table(at, 2, ["工种", "合计", "一等奖"]) == [("焊工", 1, 1), ("电工", 1, 1)]  # R1; R7 (not R2)
    assert sorted(table(at, 4, ["荣誉", "人数"])) == [("劳动模范", 1), ("技术能手", 1)]  # R7; R1 (not R2, R6)
    participation, benefit = plotly_specs(at)
    # hosted by 甲二县 (C5 30), 甲市 (C2 40), 甲一区 (C4 25); not C1 (the region's 100)
    assert traces(participation) == [
        ("职工职业技能大赛", ["2023"], [30.0]),
        ("安康杯", ["2023"], [40.0]),
        ("五小", ["2023"], [25.0]),
    ]
    assert traces(benefit) == [("安康杯", ["2023"], [12.5]), ("五小", ["2023"], [8.0])]  # R3; R5 (not R6's 3.5)
    shown = page_text(at) + "".join(json.dumps(s, ensure_ascii=False) for s in plotly_specs(at))
    for other in ("乙一县", "990201", "乙市", "李*", "赵*", "乙一县纺织厂"):
        assert other not in shown


def test_planner_totals_equal_duckdb_restricted_to_the_county(accounts, fixture_wh):
    at = signed_in(accounts, "pa", county="990201")
    assert not at.exception
    con = fixture_wh.con
    stations = con.execute(
        "select count(*) from stations where as_of = '2023-12-31' and adcode = '990101' and status <> 'closed'"
    ).fetchone()[0]
    unionised, units = con.execute(
        "select sum(legal_units_unionised), sum(legal_units) from coverage"
        " where as_of = '2023-12-31' and adcode = '990101'"
    ).fetchone()
    assert metric(at, "服务职工站点") == str(stations) == "2"  # S1, S2
    assert metric(at, "工会组建率") == f"{unionised / units:.1%}" == "90.0%"
    assert at.multiselect[1].options == ["甲一区"]  # the county picker lists the planner's unit only
    assert at.multiselect[0].options == []  # no city of theirs


def test_planner_county_profile_ranks_among_all_without_other_figures(accounts):
    at = signed_in(accounts, "pa", county="990101")
    at.switch_page("app_pages/county.py").run()
    assert not at.exception
    kpis = at.dataframe[0].value.set_index("指标")
    assert kpis.loc["工会组建率", "数值"] == "90.0%"
    assert kpis.loc["工会组建率", "全省排名"] == "1 / 3"  # the named exception: rank among all three
    assert kpis.loc["工会组建率", "全省"] == "—"  # the region's figure sums counties they may not read


def test_planner_search_finds_no_masked_name(accounts):
    real = signed_in(accounts, "pa", year="0", who="张三")
    real.switch_page("app_pages/competitions.py").run()
    made_up = signed_in(accounts, "pa", year="0", who="王五")
    made_up.switch_page("app_pages/competitions.py").run()
    assert not real.exception
    assert not made_up.exception
    assert real.dataframe[-1].value.equals(made_up.dataframe[-1].value)
    everything = signed_in(accounts, "pa", year="0")
    everything.switch_page("app_pages/competitions.py").run()
    assert list(everything.dataframe[-1].value["获奖者"]) == ["张*"]  # R1 is 甲一区's, masked for planners


def test_leader_sees_every_county_and_names(accounts):
    at = signed_in(accounts, "lead", year="0", who="张三")
    at.switch_page("app_pages/competitions.py").run()
    assert not at.exception
    assert list(at.dataframe[-1].value["获奖者"]) == ["张三"]  # names shown, so searched
    overview = signed_in(accounts, "lead")
    assert metric(overview, "服务职工站点") == "5"


def test_without_a_session_every_page_asks_to_sign_in(accounts):
    at = app(county="990101").run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert not at.metric
    assert not at.dataframe


def sign_in(at: AppTest, user: str, password: str) -> AppTest:
    at.text_input[0].input(user)
    at.text_input[1].input(password)
    return at.button[0].click().run()


def test_sign_in_form_then_the_view_the_url_asked_for(accounts):
    at = app(county="990201", lang="en").run()
    at = sign_in(at, "lead", PASSWORD)
    assert not at.exception
    assert metric(at, "Worker service stations") == "1"  # 乙一县: S5
    log = (accounts.folder / "audit.jsonl").read_text(encoding="utf-8")
    assert '"action": "sign-in"' in log
    assert '"user": "lead"' in log


def test_wrong_passwords_are_rate_limited_per_user(accounts):
    at = app().run()
    for _ in range(5):
        at = sign_in(at, "pa", "wrong password")
        assert "用户名或密码不正确" in at.error[0].value
    at = sign_in(at, "pa", PASSWORD)  # even the right password waits now
    assert "登录失败次数过多" in at.error[0].value
    assert not at.metric
    actions = [line for line in (accounts.folder / "audit.jsonl").read_text().splitlines()]
    assert sum('"failure"' in a for a in actions) == 5
    assert any('"locked"' in a for a in actions)


def test_idle_session_expires(accounts, monkeypatch):
    at = signed_in(accounts, "lead")
    assert at.metric
    monkeypatch.setenv("UNIONDASH_IDLE_MINUTES", "0")
    at.run()
    assert "会话已过期" in at.info[0].value
    assert not at.metric


def test_sign_out(accounts):
    at = signed_in(accounts, "lead")
    at.button(key="signout").click().run()
    assert not at.exception
    assert "已退出登录" in at.info[0].value
    assert [t.label for t in at.text_input] == ["用户名", "密码"]


def test_single_sign_on_user_gets_the_role_of_their_email(accounts):
    at = app(county="990201")
    at.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x" * 32}
    at.user = {"is_logged_in": True, "email": "chen@example.org", "sub": "s-1", "iat": 1}
    at.run()
    assert not at.exception
    assert metric(at, "服务职工站点") == "2"  # a planner of 990101, whatever the link said
    stranger = app()
    stranger.secrets["auth"] = {"redirect_uri": "http://localhost/oauth2callback", "cookie_secret": "x" * 32}
    stranger.user = {"is_logged_in": True, "email": "nobody@example.org", "sub": "s-2", "iat": 1}
    stranger.run()
    assert "未在看板中分配角色" in stranger.error[0].value
    assert not stranger.metric


def test_demo_mode_is_admin_on_loopback_and_read_only_when_public(tmp_path, monkeypatch, fixture_dir):
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "none.toml"))
    monkeypatch.delenv("UNIONDASH_SHOW_NAMES", raising=False)
    # AppTest has no client connection (its address is a mock, which counts as not loopback)
    monkeypatch.setattr("uniondash.ui.signin.current_address", lambda: "127.0.0.1")
    at = app().run()
    assert any("按管理员身份" in w.value for w in at.sidebar.warning)
    monkeypatch.setenv("UNIONDASH_PUBLIC", "1")
    public = app(year="0", lang="en")
    public.run()
    public.switch_page("app_pages/competitions.py").run()
    assert any("read-only" in w.value for w in public.sidebar.warning)
    assert list(public.dataframe[-1].value["Winner"]).count("张*") == 1
    assert not (tmp_path / "access.sqlite").exists()  # demo mode writes nothing beside the accounts file
