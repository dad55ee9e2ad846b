"""The questions leaders and planners ask, answered where they look (the stations page and its
slide): one name per figure (every "per 10,000" label names what it divides by), gaps a planner
can act on (a suggested site named by its nearest station's address and the distance, no blank
rows, the method in plain words), and a search that says the figures above leave it out.

Every value is checked against tests/fixtures.py's region 990000 (2023): new-employment-form
workers 990101 100 + 200, 990102 50, 990201 30 = 380; open stations S1 (114.0, 30.6) and S2
(114.03, 30.62) in 甲一区, S6 (114.1, 30.7) in 甲二县, S5 (114.5, 30.2) in 乙一县; S4 suspended, S3
closed; every address "<adcode> 测试路 1 号"; demand D1 on S1 (50), D2 (114.085, 30.62) 30, D3
(114.45, 30.25) 40 and D4 (114.45, 30.259) 20."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from uniondash.analysis.gaps import best_new_sites, nearest_stations, station_index, to_km, uncovered
from uniondash.analysis.stations import SUPPLY_RATIOS, open_anywhere
from uniondash.metrics.kpis import load_catalogue
from uniondash.text.i18n import strings, t
from uniondash.ui.stations.filters import PARAMS, filter_params, station_filters, url_station_filters
from uniondash.ui.stations.map import name_sites
from uniondash.ui.stations.tabs import rows_line, search_note, site_frame

ROOT = Path(__file__).resolve().parent.parent
CAT = load_catalogue()
COUNTIES = ("990101", "990102", "990201")
AS_OF = "2023-12-31"
DEFAULTS = {p.key: p.default for p in PARAMS}
# The plane the gap analysis measures on: lat0 is the mean latitude of the open stations it indexes
# (S1 S2 S5 S6: (30.6 + 30.62 + 30.2 + 30.7) / 4 = 30.53), 111.32 × cos(30.53°) = 95.888 km per
# degree of longitude, 110.574 km per degree of latitude.
LAT0 = 30.53
KM_LON = 111.320 * math.cos(math.radians(LAT0))

# ── 1. one name, one figure ──────────────────────────────────────────────────────────────────

# What each per-10,000 measure divides by, and that measure's name as the dashboard writes it.
DENOMINATORS = {
    # the KPI catalogue's measure and its own card's name: 新就业形态劳动者 / New-employment-form workers
    "nef_workers": (CAT.by_code("nef_workers").name_zh, CAT.by_code("nef_workers").name_en),
    # data/README.md, regions.employees: "urban employed persons (城镇就业人员)"
    "regions.employees": ("城镇就业人员", "urban employed persons"),
}
# Every per-10,000 label (a string key, or a KPI's name) and the measure it divides by:
# - stations.measure.per_10k_workers: SUPPLY_RATIOS' stations / outdoor_workers, and the supply
#   query's outdoor_workers are nef_workers (test_the_supply_query_divides_by_the_nef_workers);
# - stations_per_10k_nef: the catalogue's stations_outdoor_rest / nef_workers;
# - comp.per_10k: app_pages/competitions.py divides the medal counts by regions.employees.
PER_10K = {
    "strings:stations.measure.per_10k_workers": "nef_workers",
    "kpi:stations_per_10k_nef": "nef_workers",
    "strings:comp.per_10k": "regions.employees",
}
NOT_MINE: dict[str, str] = {}  # labels whose words another page owns and that still fail here


def unquoted(text: str) -> str:
    return re.sub(r"“[^”]*”", "", text)


def label_texts() -> dict[str, tuple[str, str]]:
    """Every string and every KPI name that says 每万名 in its own words (not quoting another
    label “…”), and every KPI formed per 10,000: (zh, en)."""
    out = {f"strings:{k}": (e["zh"], e["en"]) for k, e in strings().items() if "每万名" in unquoted(e["zh"])}
    for k in CAT.kpis:
        if "每万名" in k.name_zh or k.multiplier == 10_000:
            out[f"kpi:{k.code}"] = (k.name_zh, k.name_en)
    return out


def quoting_texts() -> dict[str, tuple[str, str]]:
    """Every other text that mentions a per-10,000 figure: help, definitions."""
    out = {}
    for key, e in strings().items():
        if f"strings:{key}" not in PER_10K and ("每万名" in e["zh"] or "per 10,000" in e["en"].lower()):
            out[f"strings:{key}"] = (e["zh"], e["en"])
    for k in CAT.kpis:
        if "每万名" in k.definition_zh or "per 10,000" in k.definition_en.lower():
            out[f"kpi-definition:{k.code}"] = (k.definition_zh, k.definition_en)
    return out


def _label(where: str) -> tuple[str, str]:
    kind, key = where.split(":", 1)
    if kind == "kpi":
        return CAT.by_code(key).name_zh, CAT.by_code(key).name_en
    return strings()[key]["zh"], strings()[key]["en"]


def test_every_per_10k_label_is_in_the_table():
    """A new per-10,000 label fails here until its denominator is written into PER_10K."""
    assert sorted(label_texts()) == sorted(PER_10K)


@pytest.mark.parametrize(
    "where",
    [
        pytest.param(w, marks=pytest.mark.xfail(strict=True, reason=NOT_MINE[w])) if w in NOT_MINE else w
        for w in PER_10K
    ],
)
def test_a_per_10k_label_names_its_denominator(where):
    zh, en = _label(where)
    name_zh, name_en = DENOMINATORS[PER_10K[where]]
    assert f"每万名{name_zh}" in zh, f"{where}: {zh!r} does not divide by {name_zh}"
    assert f"per 10,000 {name_en.lower()}" in en.lower(), f"{where}: {en!r} does not divide by {name_en}"


def test_the_tables_denominators_are_the_codes():
    assert SUPPLY_RATIOS["per_10k_workers"] == ("stations", "outdoor_workers", 10_000)
    kpi = CAT.by_code("stations_per_10k_nef")
    assert (kpi.numerator, kpi.denominator, kpi.multiplier) == ("stations_outdoor_rest", "nef_workers", 10_000)


def test_the_supply_query_divides_by_the_nef_workers(fixture_wh):
    """outdoor_workers of queries/stations_supply_by_county.sql counts nef_membership's four groups:
    per county exactly unit_measures' nef_workers (100 couriers + 200 food delivery; 50 truck
    drivers; 30 ride-hailing drivers), not the demand points' workers (甲一区 50 + 30)."""
    supply = fixture_wh.run("stations_supply_by_county", filters=filter_params(DEFAULTS, COUNTIES, AS_OF))
    measures = fixture_wh.run("unit_measures", as_ofs=(AS_OF,))
    nef = measures[measures.measure == "nef_workers"].set_index("adcode").value
    assert supply.set_index("adcode").outdoor_workers.to_dict() == {"990101": 300, "990102": 50, "990201": 30}
    assert {a: nef[a] for a in COUNTIES} == {"990101": 300, "990102": 50, "990201": 30}


@pytest.mark.parametrize("where", sorted(quoting_texts()))
def test_a_text_quotes_only_todays_per_10k_names(where):
    """Help and definitions that name a per-10,000 figure name it as it is labelled now (no
    "每万名户外劳动者…" left from before), in both languages."""
    zh, en = quoting_texts()[where]
    for label in PER_10K:
        if label in NOT_MINE:
            continue
        label_zh, label_en = _label(label)
        zh, en = zh.replace(label_zh, ""), re.sub(re.escape(label_en), "", en, flags=re.IGNORECASE)
    assert "每万名" not in zh, f"{where}: {zh!r}"
    assert "per 10,000" not in en.lower(), f"{where}: {en!r}"


def test_the_labels_as_shown():
    assert t("stations.measure.per_10k_workers", "zh") == "每万名新就业形态劳动者筛选站点数"
    assert t("stations.measure.per_10k_workers", "en") == "Filtered stations per 10,000 new-employment-form workers"
    assert CAT.by_code("stations_per_10k_nef").name("zh") == "每万名新就业形态劳动者爱心驿站数"
    assert "户外劳动者" not in t("stations.measure_help.per_10k_workers", "zh").split("÷")[1].split("×")[0]


# ── 2. gaps a planner can act on ─────────────────────────────────────────────────────────────


def open_stations(wh, counties=COUNTIES) -> pd.DataFrame:
    return wh.run("stations_points", filters=open_anywhere(filter_params(DEFAULTS, COUNTIES, AS_OF), counties))


def fixture_sites(wh) -> tuple[pd.DataFrame, object]:
    stations = open_stations(wh)
    index = station_index(stations, float(stations.lat.mean()))
    demand = wh.run("demand_points", as_of=AS_OF, counties=COUNTIES)
    return best_new_sites(uncovered(demand, index, 2.0), 2.0, 5, index.lat0), index


def test_a_suggested_site_is_named_by_its_nearest_station(fixture_wh):
    sites, index = fixture_sites(fixture_wh)
    assert index.lat0 == pytest.approx(LAT0)
    named = nearest_stations(sites, open_stations(fixture_wh), index.lat0)
    # Site 1 is D3 (it and D4, 0.995 km apart, 60 workers); its nearest open station is S5, 0.05°
    # east and 0.05° south: √((0.05 × 95.888)² + (0.05 × 110.574)²) = √(4.794² + 5.529²) = 7.32 km.
    # Site 2 is D2 (30 workers): S2 lies 0.055° west, 0.055 × 95.888 = 5.27 km (S6: 8.96 km).
    assert list(named.near_name) == ["乙一县驿站", "甲一区母婴室"]
    assert list(named.near_address) == ["990201 测试路 1 号", "990101 测试路 1 号"]
    assert named.near_km.tolist() == pytest.approx([math.hypot(0.05 * KM_LON, 0.05 * 110.574), 0.055 * KM_LON])
    assert named.near_km.round(1).tolist() == [7.3, 5.3]
    assert list(named.kind) == ["logistics_park", "market"]
    names = {"990101": "甲一区", "990201": "乙一县"}
    frame, formats = site_frame(named, names, "zh")
    assert list(frame["建议位置"]) == ["距 990201 测试路 1 号 7.3 公里", "距 990101 测试路 1 号 5.3 公里"]
    assert list(frame["最近的开放站点"]) == ["乙一县驿站", "甲一区母婴室"]
    assert list(frame["聚集点类型"]) == ["物流园", "市场"]
    assert list(frame["新增覆盖人数"]) == [60, 30]
    assert formats["距最近站点（公里）"] == "decimal1"
    en, _ = site_frame(named, names, "en")
    assert list(en["Where"]) == ["7.3 km from 990201 测试路 1 号", "5.3 km from 990101 测试路 1 号"]


class FixtureView:
    """What name_sites reads of a view: named queries and the snapshot's units."""

    def __init__(self, wh):
        self.wh, self.asked = wh, []

    def query(self, name, **params):
        self.asked.append(params["filters"]["counties"])
        return self.wh.run(name, **params)

    def regions(self):
        return self.wh.run("regions", as_of=AS_OF)


def test_a_site_whose_nearest_station_is_across_the_border(fixture_wh):
    """A site in 甲一区 at (114.09, 30.69): its own county's stations are S1 (8.9 km) and S2 (8.0
    km); S6 in 甲二县, 0.01° east and north, is nearer: √(0.959² + 1.106²) = 1.46 km. name_sites
    reads the sites' counties first, sees the index knows a nearer station, and reads them all."""
    stations = open_stations(fixture_wh)
    index = station_index(stations, float(stations.lat.mean()))
    site = pd.DataFrame(
        [{"rank": 1, "lon": 114.09, "lat": 30.69, "adcode": "990101", "kind": "market", "covered_workers": 9}]
    )
    view = FixtureView(fixture_wh)
    named = name_sites(view, filter_params(DEFAULTS, COUNTIES, AS_OF), site, index)
    assert view.asked == [("990101",), COUNTIES]
    assert (named.near_name[0], named.near_address[0]) == ("甲二县新驿站", "990102 测试路 1 号")
    assert named.near_km[0] == pytest.approx(math.hypot(0.01 * KM_LON, 0.01 * 110.574))
    # the index's own answer agrees
    assert index.nearest_km(np.array([114.09]), np.array([30.69]))[0] == pytest.approx(named.near_km[0])
    assert np.allclose(to_km([114.1], [30.7], LAT0) - to_km([114.09], [30.69], LAT0), [[0.01 * KM_LON, 1.10574]])


def test_no_station_at_all_names_no_station():
    sites = pd.DataFrame([{"rank": 1, "lon": 114.0, "lat": 30.6, "adcode": "990101", "kind": None}])
    empty = pd.DataFrame(columns=["name", "address", "lon", "lat"])
    named = nearest_stations(sites.assign(covered_workers=1), empty, 30.5)
    frame, _ = site_frame(named, {}, "zh")
    assert list(frame["建议位置"]) == ["附近没有开放站点可作参照"]


def test_the_method_is_said_in_plain_words():
    for lang in ("zh", "en"):
        shown = t("stations.gap_method", lang, km="2", n=5)
        for term in ("贪心", "k-d", "最大覆盖", "greedy", "maximal coverage", "spatial index", "树"):
            assert term not in shown, (lang, term)
    assert "贪心最大覆盖" in t("stations.gap_method_help", "zh")
    assert "k-d 树" in t("stations.gap_method_help", "zh")
    assert "greedy maximal coverage" in t("stations.gap_method_help", "en")


# ── AppTest: the page and the slide ──────────────────────────────────────────────────────────


@pytest.fixture
def app(fixture_dir, monkeypatch, request):
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))

    def make(page: str = "stations", state: dict | None = None, **params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        if "heights" in request.fixturenames:  # only the page's own tables (not the overview's)
            request.getfixturevalue("heights").clear()
        at.switch_page(f"app_pages/{page}.py").run()
        if state:
            for key, value in state.items():
                at.session_state[key] = value
            at.run()
        assert not at.exception
        return at

    return make


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def layer_ids(at: AppTest) -> set[str]:
    (deck,) = at.get("deck_gl_json_chart")
    return {layer["id"] for layer in json.loads(deck.proto.json)["layers"]}


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


@pytest.fixture
def heights(monkeypatch):
    """The height every st.dataframe of the run was given (none: the grid fits its rows, up to ten).
    Streamlit's caches are emptied first: a table drawn by a cached function (the station list) is
    replayed by later runs without calling st.dataframe again."""
    import streamlit

    streamlit.cache_data.clear()
    streamlit.cache_resource.clear()
    seen = []
    real = streamlit.dataframe

    def spy(data=None, *args, **kwargs):
        seen.append((len(data), kwargs.get("height", "auto")))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(streamlit, "dataframe", spy)
    return seen


def test_opening_the_gap_tab_shows_the_gaps(app, heights):
    at = app()
    assert at.session_state["gaps"] is False
    assert "gaps" not in at.query_params
    at.session_state["stations_tab"] = "服务缺口"  # what a click on the tab sets
    heights.clear()
    at.run()
    assert not at.exception
    assert at.session_state["gaps"] is True
    assert at.query_params["gaps"] == "1"
    assert not [i for i in at.info if "↑" in i.value]  # no box pointing elsewhere
    # 4 demand points, 140 workers; D2 (30) and D3 + D4 (60) have no open station within 2 km
    summary = "范围内 4 个需求点、140 名户外劳动者中，90 人（64.3%）在 2 公里内没有开放站点。"
    assert summary in [m.value for m in at.markdown]
    counties, sites = at.dataframe[0].value, at.dataframe[1].value
    assert list(sites["建议位置"]) == ["距 990201 测试路 1 号 7.3 公里", "距 990101 测试路 1 号 5.3 公里"]
    assert list(sites["县（市、区）"]) == ["乙一县", "甲一区"]
    assert list(sites["新增覆盖人数"]) == [60, 30]
    # 乙一县 60 of 60 uncovered, 甲一区 30 of 80; 甲二县 has no demand point: two rows, none blank
    assert counties.values.tolist() == [["乙一县", 60, 100.0], ["甲一区", 30, 37.5]]
    assert heights == [(2, "auto"), (2, "auto")]  # no fixed height: no blank rows under two
    method = next(c for c in at.caption if c.value.startswith("怎么算"))
    assert "贪心" not in method.value
    assert "k-d" not in method.value
    assert "贪心最大覆盖" in method.help
    # the map shows them too: the suggested sites' layer is in the deck
    assert {"uncovered", "sites", "site-labels"} <= layer_ids(at)
    at.session_state["stations_tab"] = "站点列表"  # another tab turns them off
    at.run()
    assert at.session_state["gaps"] is False
    assert "gaps" not in at.query_params
    assert not {"uncovered", "sites", "site-labels"} & layer_ids(at)


def test_a_link_with_gaps_opens_the_tab_in_english(app):
    at = app(lang="en", gaps="1", gap_km="10")
    # At 10 km only D3 and D4 are uncovered (S5 is 7.3 km from D3: covered now; D4 ≈ 7.9 km also):
    # nothing to suggest, and the county table says so instead of a blank grid.
    assert any("Of 4 demand points and 140 outdoor workers in scope, 0 (0.0%)" in m.value for m in at.markdown)
    infos = [i.value for i in at.info]
    assert "Every gathering point has an open station within 10 km: no gaps, no new sites needed." in infos
    assert not at.dataframe


def test_the_station_list_counts_its_rows_and_the_figures_say_they_leave_out_the_search(app, heights):
    at = app()
    assert metrics(at)["符合条件站点"] == "5"  # S1 S2 S4 S5 S6
    assert "共 5 个站点符合筛选条件。" in captions(at)
    assert not [c for c in captions(at) if "搜索" in c]
    assert heights == [(5, "auto")]  # five rows, no blank ones under them
    at = app(q="母婴")
    # the search finds S2 (甲一区母婴室) only; the figures above stay the filters' and say so
    assert metrics(at)["符合条件站点"] == "5"
    assert metrics(at)["每万名新就业形态劳动者筛选站点数"] == "131.6"  # 5 / 380 × 10,000, search or not
    assert "以上数字不含搜索条件“母婴”：搜索只作用于下方的站点列表。" in captions(at)
    assert "搜索“母婴”：1 个站点。上方数字不含搜索条件。" in captions(at)
    assert list(at.dataframe[0].value["站点"]) == ["甲一区母婴室"]
    en = app(lang="en", q="母婴")
    assert "The figures above leave out the search “母婴”: it narrows the station list below only." in captions(en)
    assert "Search “母婴”: 1 found. The figures above leave out the search." in captions(en)


def test_rows_line_and_search_note_words():
    assert rows_line(158, "", "zh") == "共 158 个站点符合筛选条件。"
    assert rows_line(40, "母婴", "zh") == "搜索“母婴”：40 个站点。上方数字不含搜索条件。"
    assert rows_line(40, "*a*", "en") == "Search “\\*a\\*”: 40 found. The figures above leave out the search."
    assert search_note("  ", "zh") is None
    assert search_note("母婴", "zh") == "以上数字不含搜索条件“母婴”：搜索只作用于下方的站点列表。"


def test_the_stations_metric_is_labelled_by_its_denominator(app):
    at = app(kind="nursing_room")
    # S2 alone over 380 new-employment-form workers: 1 / 380 × 10,000 = 26.3
    assert metrics(at)["每万名新就业形态劳动者筛选站点数"] == "26.3"
    help_text = next(m.help for m in at.metric if m.label.startswith("每万名"))
    assert "新就业形态劳动者人数" in help_text
    assert "每万名新就业形态劳动者爱心驿站数" in help_text


# ── /present's stations slide ────────────────────────────────────────────────────────────────


def tiles(slide) -> dict[str, tuple[str, str]]:
    return {x.label: (x.value, x.detail) for x in slide.tiles}


def html_tiles(at: AppTest) -> dict[str, str]:
    body = " ".join(e.proto.body for e in at.get("html"))
    return dict(re.findall(r'<div class="l">([^<]*)</div><div class="v">([^<]*)</div>', body))


def test_the_slide_shows_the_catalogue_kpi(app):
    at = app("present", slide="3")
    shown = html_tiles(at)
    # the KPI: outdoor rest stations not closed (S1 S5 S6; S3 closed) over 380 workers: 3 / 380 ×
    # 10,000 = 78.9, under the catalogue's name and unit, as its card shows it
    assert shown["每万名新就业形态劳动者爱心驿站数（家/万人）"] == "78.9"
    assert not [label for label in shown if "筛选" in label]


def test_the_slide_with_station_filters_shows_the_filtered_measure(fixture_dir):
    from tools.bench.briefing import offline_view
    from uniondash.ui.present.map_slides import stations_map

    view = offline_view(fixture_dir)
    plain = tiles(stations_map(view, "light"))
    assert plain["每万名新就业形态劳动者爱心驿站数（家/万人）"] == ("78.9", "")
    filters = url_station_filters(Params(kind="nursing_room", star="9", slide="3"))
    assert filters == {"kind": ["nursing_room"]}  # a bad value and other parameters left out
    filtered = tiles(stations_map(view, "light", filters))
    # S2 over 380: 26.3, the /stations page's figure for ?kind=nursing_room, with its filter named
    assert filtered["每万名新就业形态劳动者筛选站点数"] == ("26.3", "按筛选：站点类型：爱心母婴室")
    assert "每万名新就业形态劳动者爱心驿站数（家/万人）" not in filtered
    en = tiles(stations_map(offline_view(fixture_dir, "en"), "light", filters))
    assert en["Filtered stations per 10,000 new-employment-form workers"] == ("26.3", "Filtered: Kind: Nursing room")
    assert station_filters(DEFAULTS) == {}  # the page's defaults are no filter: the KPI


def test_present_with_kind_in_the_url_shows_the_filtered_measure(app):
    at = app("present", slide="3", kind="nursing_room")
    assert html_tiles(at).get("每万名新就业形态劳动者筛选站点数") == "26.3"


class Params(dict):
    def get_all(self, key):
        v = super().get(key, [])
        return v if isinstance(v, list) else [v]

    def get(self, key, default=None):
        v = super().get(key, default)
        return v[0] if isinstance(v, list) else v
