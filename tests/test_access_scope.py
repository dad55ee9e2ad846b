"""The query layer's scope: every named query run for a planner gives exactly the planner's own
figures, whatever its parameters ask for (so a new query cannot forget the scope).

The expected values are independent of the named queries and of the gateway's narrowing: plain
pandas over the parquet files' rows of the planner's units only (EXPECTED, one small function per
query), checked against hand counts for a county planner (HAND_COUNTED), and checked to mean what
the SQL means by computing them for the whole region and comparing with the unscoped query. The
data is tests/scope_fixture.py's: fixtures.py's region with rows added so that every query has rows
inside and outside each planner's scope (asserted below, so that no case compares two empty frames).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scope_fixture import build_scope_fixture, read_snapshot_tables

from uniondash.access.data_scope import (
    SCOPE_EXCEPTIONS,
    DataScope,
    ScopeError,
    default_selection,
    out_of_scope,
    planner_scope,
    restrict_rows,
)
from uniondash.data.schema import FACILITIES
from uniondash.data.warehouse import Warehouse, all_queries, load_query

AS_OF, COMPARE = "2023-12-31", "2022-12-31"
ALL_COUNTIES = ("990101", "990102", "990201")
ALL_UNITS = ("990000", "990100", "990101", "990102", "990200", "990201")
OTHER_COUNTY = "990201"  # 乙一县: outside both planners' scopes
OWN_COUNTY = "990101"  # 甲一区: inside both
# Whole-region values for every parameter a named query takes: the scope must win over them.
WIDE = {
    "as_of": AS_OF,
    "compare": COMPARE,
    "as_ofs": (COMPARE, AS_OF),
    "counties": ALL_COUNTIES,
    "units": ALL_UNITS,
    "adcode": OTHER_COUNTY,
    "year": 0,
    "search": "",
    "search_names": True,
    "max_rows": 10_000,
    "level": "county",
    "cell_deg": 0.05,
}
# The stations queries take the page's filters as one STRUCT, its counties region-wide too.
WIDE["filters"] = {
    "as_of": AS_OF,
    "counties": ALL_COUNTIES,
    "kinds": (),
    "statuses": (),
    "hosts": (),
    "water": False,
    "microwave": False,
    "seating": False,
    "first_aid": False,
    "toilet": False,
    "charging": False,
    "aircon": False,
    "only_24h": False,
    "min_star": 0,
    "opened_year": None,
}
PLANNERS = {"county": ["990101"], "city": ["990100"]}  # 甲一区; 甲市 = 甲一区 + 甲二县
QUERIES = [q.name for q in all_queries()]
REGION = DataScope(ALL_COUNTIES, ALL_UNITS)  # the whole region, for checking the expected values themselves


@pytest.fixture(scope="module")
def scope_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("scope-data")
    build_scope_fixture(data)
    return data


@pytest.fixture(scope="module")
def wh(scope_dir) -> Warehouse:
    return Warehouse(scope_dir / "snapshots")


@pytest.fixture(scope="module")
def tables(scope_dir) -> dict[str, dict[str, pd.DataFrame]]:
    return read_snapshot_tables(scope_dir / "snapshots")


@pytest.fixture(scope="module")
def scopes(tables) -> dict[str, DataScope]:
    regions = tables[AS_OF]["regions"]
    return {case: planner_scope(regions, assigned) for case, assigned in PLANNERS.items()}


def params_of(query: str, adcode: str = OTHER_COUNTY) -> dict:
    return {p: (adcode if p == "adcode" else WIDE[p]) for p in load_query(query).params}


# ---------------------------------------------------------------------------------------------
# Expected values: pandas over the rows of the scope's units only. Not the .sql files, not the
# gateway's restrict_params: what each query means, computed again from the parquet files.


class Own:
    """The parquet rows of a scope's units, per snapshot."""

    def __init__(self, tables: dict[str, dict[str, pd.DataFrame]], scope: DataScope):
        self.tables, self.scope = tables, scope

    def rows(self, as_of: str, table: str) -> pd.DataFrame:
        """A table's rows of units in the scope (competitions: the events they hosted)."""
        frame = self.tables[as_of][table]
        return frame[frame.adcode.isin(self.scope.units)].reset_index(drop=True)

    def awards(self, as_of: str) -> pd.DataFrame:
        """Awards won by winners of the scope, with the competition they were won in (any host)."""
        comps = self.tables[as_of]["competitions"].rename(columns={"name": "competition_name", "adcode": "host_adcode"})
        return self.rows(as_of, "competition_results").merge(comps, on="competition_id")

    def stations(self, filters: dict) -> pd.DataFrame:
        """Stations passing WIDE's filters (no condition but the snapshot and the counties)."""
        assert filters == {**WIDE["filters"], "counties": filters["counties"]}, "only WIDE's filters are modelled"
        frame = self.rows(filters["as_of"], "stations")
        return frame[frame.adcode.isin(filters["counties"]) & frame.adcode.isin(self.scope.counties)]


def _frame(rows, columns) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=columns)


def _by_year(frame: pd.DataFrame, p: dict) -> pd.DataFrame:
    return frame if p["year"] == 0 else frame[frame.year == p["year"]]


def _counties(own: Own, p: dict) -> list[str]:
    return [c for c in p["counties"] if c in own.scope.counties]


def _awards(own: Own, p: dict) -> pd.DataFrame:
    a = own.awards(p["as_of"])
    return _by_year(a[a.adcode.isin(_counties(own, p))], p)


def e_competition_participation(own: Own, p: dict) -> pd.DataFrame:
    c = own.rows(p["as_of"], "competitions")
    c = c[c.adcode.isin(p["units"])]
    g = c.groupby(["year", "series"]).agg(events=("competition_id", "size"), participants=("participants", "sum"))
    return g.reset_index()


AWARD_COLUMNS = ["year", "series", "competition", "award_tier", "winner_type", "winner_name", "employer"]


def e_county_results(own: Own, p: dict) -> pd.DataFrame:
    a = own.awards(p["as_of"]).rename(columns={"competition_name": "competition"})
    return a[a.adcode == p["adcode"]][[*AWARD_COLUMNS, "honour", "benefit_10k_yuan"]]


def e_county_stations(own: Own, p: dict) -> pd.DataFrame:
    s = own.rows(p["as_of"], "stations")
    cols = ["station_id", "name", "kind", "status", "host_type", "address", "is_24h", "lon", "lat", "opened_on"]
    return s[s.adcode == p["adcode"]][[*cols, "monthly_visits"]]


def e_demand_points(own: Own, p: dict) -> pd.DataFrame:
    d = own.rows(p["as_of"], "demand_points")
    return d[d.adcode.isin(_counties(own, p))][["point_id", "adcode", "kind", "lon", "lat", "workers"]]


def e_honours_by_type(own: Own, p: dict) -> pd.DataFrame:
    a = _awards(own, p).dropna(subset=["honour"])
    return a.groupby("honour").size().rename("winners").reset_index()


def e_honours_since(own: Own, p: dict) -> pd.DataFrame:
    a = own.awards(p["as_of"]).dropna(subset=["honour"])
    a = a[(a.year > int(p["compare"][:4])) & (a.year <= int(p["as_of"][:4]))]
    return a.groupby(["adcode", "honour"]).size().rename("winners").reset_index()


def e_innovation_benefit(own: Own, p: dict) -> pd.DataFrame:
    a = _awards(own, {**p, "year": 0}).dropna(subset=["benefit_10k_yuan"])
    g = a.groupby(["year", "series"]).agg(results=("result_id", "size"), benefit_10k_yuan=("benefit_10k_yuan", "sum"))
    return g.reset_index()


def e_medal_table(own: Own, p: dict) -> pd.DataFrame:
    a = _awards(own, p)
    rows = []
    for county in _counties(own, p):
        w = a[a.adcode == county]
        tiers = [int((w.award_tier == tier).sum()) for tier in ("一等奖", "二等奖", "三等奖")]
        rows.append((county, *tiers, len(w), int(w.honour.notna().sum())))
    columns = ["adcode", "first_prizes", "second_prizes", "third_prizes", "awards", "honours"]
    return _frame(rows, columns)


def e_region_shapes(own: Own, p: dict) -> pd.DataFrame:
    """The named exception: every unit's boundary of the level, whatever the scope."""
    s = own.tables[p["as_of"]]["region_shapes"]
    return s[s.level == p["level"]][["adcode", "level", "geojson"]]


def e_regions(own: Own, p: dict) -> pd.DataFrame:
    return own.rows(p["as_of"], "regions")


def e_results_search(own: Own, p: dict) -> pd.DataFrame:
    assert p["search"] == "", "only the empty search is modelled"
    a = _awards(own, p).rename(columns={"competition_name": "competition"})
    return a[[*AWARD_COLUMNS, "adcode", "honour", "benefit_10k_yuan", "result_id"]].head(p["max_rows"])


def _changes(own: Own, p: dict) -> pd.DataFrame:
    """Stations of the scope new (not closed) since the compare snapshot, or closed since."""
    now = own.rows(p["as_of"], "stations")
    before = own.tables[p["compare"]]["stations"].set_index("station_id").status
    was = now.station_id.map(before)
    opened = was.isna() & (now.status != "closed")
    closed = (now.status == "closed") & was.notna() & (was != "closed")
    return now.assign(change=np.where(opened, "opened", "closed"), opened=opened, closed=closed)[opened | closed]


def e_station_changes_by_county(own: Own, p: dict) -> pd.DataFrame:
    g = _changes(own, p).groupby("adcode")[["opened", "closed"]].sum()
    return g.reset_index()


def e_station_changes_points(own: Own, p: dict) -> pd.DataFrame:
    c = _changes(own, p)
    c = c[c.adcode.isin(_counties(own, p))]
    return c[["station_id", "name", "kind", "address", "adcode", "lon", "lat", "change"]]


def e_stations_count(own: Own, p: dict) -> pd.DataFrame:
    return _frame([(len(own.stations(p["filters"])),)], ["stations"])


def e_stations_grid(own: Own, p: dict) -> pd.DataFrame:
    s = own.stations(p["filters"])
    cell = p["cell_deg"]
    s = s.assign(cx=np.floor(s.lon / cell), cy=np.floor(s.lat / cell))
    rows = []
    for (cx, cy), g in s.groupby(["cx", "cy"]):
        kinds = [int((g.kind == k).sum()) for k in ("outdoor_rest", "nursing_room", "mental_care")]
        rows.append((round((cx + 0.5) * cell, 5), round((cy + 0.5) * cell, 5), len(g), *kinds))
    return _frame(rows, ["lon", "lat", "stations", "outdoor_rest", "nursing_room", "mental_care"])


STATION_TAIL = [*FACILITIES, "star", "monthly_visits", "opened_on"]


def e_stations_points(own: Own, p: dict) -> pd.DataFrame:
    s = own.stations(p["filters"])
    cols = ["station_id", "name", "kind", "status", "host_type", "address", "adcode", "lon", "lat", "is_24h"]
    return s[[*cols, *STATION_TAIL]]


def e_stations_supply_by_county(own: Own, p: dict) -> pd.DataFrame:
    s = own.stations(p["filters"])
    nef = own.rows(p["filters"]["as_of"], "nef_membership")
    workers = nef[nef.adcode.isin(_counties(own, p["filters"]))].groupby("adcode").workers.sum()
    rows = []
    for county, outdoor in workers.items():
        w = s[s.adcode == county]
        live = w[w.status == "open"]
        rows.append((county, len(w), len(live), int(live.is_24h.sum()), int(live.monthly_visits.sum()), outdoor))
    columns = ["adcode", "stations", "stations_open", "stations_open_24h", "monthly_visits", "outdoor_workers"]
    return _frame(rows, columns)


def e_stations_table(own: Own, p: dict) -> pd.DataFrame:
    assert p["search"] == "", "only the empty search is modelled"
    s = own.stations(p["filters"])
    cols = ["station_id", "name", "adcode", "kind", "status", "host_type", "address", "is_24h"]
    return s[[*cols, *STATION_TAIL]].assign(rows_matching=len(s)).head(p["max_rows"])


def e_stations_xy(own: Own, p: dict) -> pd.DataFrame:
    return own.stations(p["filters"])[["lon", "lat"]]


def e_targets(own: Own, p: dict) -> pd.DataFrame:
    return own.rows(p["as_of"], "targets")[["kpi_code", "adcode", "year", "target"]]


def e_top_employers(own: Own, p: dict) -> pd.DataFrame:
    a = _awards(own, p)
    rows = [
        (employer, adcode, len(g), int((g.award_tier == "一等奖").sum()), g.benefit_10k_yuan.sum())
        for (employer, adcode), g in a.groupby(["employer", "adcode"])
    ]
    return _frame(rows[:20], ["employer", "adcode", "awards", "first_prizes", "benefit_10k_yuan"])


def e_top_trades(own: Own, p: dict) -> pd.DataFrame:
    a = _awards(own, p).dropna(subset=["trade"])
    rows = [(trade, len(g), int((g.award_tier == "一等奖").sum())) for trade, g in a.groupby("trade")]
    return _frame(rows, ["trade", "awards", "first_prizes"])


COVERAGE = ["legal_units", "legal_units_unionised", "grassroots_unions", "employees", "members"]
COVERAGE += ["migrant_workers", "migrant_members"]
HONOURS = {
    "jingchu_craftsman": "荆楚工匠",
    "may_day_medal": "五一劳动奖章",
    "technical_expert": "技术能手",
    "model_worker": "劳动模范",
}


def _coverage_measures(own: Own, as_of: str):
    for adcode, g in own.rows(as_of, "coverage").groupby("adcode"):
        yield from ((adcode, col, g[col].sum()) for col in COVERAGE)


def _nef_measures(own: Own, as_of: str):
    nef = own.rows(as_of, "nef_membership")
    for r in nef.itertuples():
        yield (r.adcode, f"nef_workers_{r.worker_group}", r.workers)
        yield (r.adcode, f"nef_members_{r.worker_group}", r.members)
    for adcode, g in nef.groupby("adcode"):
        yield (adcode, "nef_workers", g.workers.sum())
        yield (adcode, "nef_members", g.members.sum())


def _station_measures(own: Own, as_of: str):
    for adcode, g in own.rows(as_of, "stations").groupby("adcode"):
        live, open_ = g[g.status != "closed"], g[g.status == "open"]
        yield (adcode, "stations_registered", len(live))
        yield (adcode, "stations_open", len(open_))
        for kind in ("outdoor_rest", "nursing_room", "mental_care"):
            yield (adcode, f"stations_{kind}", int((live.kind == kind).sum()))
        yield (adcode, "stations_open_24h", int(open_.is_24h.sum()))
        yield (adcode, "station_monthly_visits", open_.monthly_visits.sum())


def _competition_measures(own: Own, as_of: str):
    year = int(as_of[:4])
    comps = own.rows(as_of, "competitions")
    for adcode, g in comps[comps.year == year].groupby("adcode"):
        yield (adcode, "competitions_in_year", len(g))
        yield (adcode, "competition_participants_in_year", g.participants.sum())
    awards = own.awards(as_of)
    for adcode, g in awards[awards.year == year].groupby("adcode"):
        yield (adcode, "awards_in_year", len(g))
        for code, honour in HONOURS.items():
            yield (adcode, f"honour_{code}_in_year", int((g.honour == honour).sum()))
        yield (adcode, "innovation_benefit_10k_yuan_in_year", g.benefit_10k_yuan.sum())


def _indicator_measures(own: Own, as_of: str):
    year = int(as_of[:4])
    ind = own.rows(as_of, "indicators")
    for (code, adcode), g in ind[ind.year == year].groupby(["kpi_code", "adcode"]):
        yield (adcode, f"ind_{code}", g.value.sum())
    for (code, adcode), g in ind[ind.year <= year].groupby(["kpi_code", "adcode"]):
        yield (adcode, f"ind_{code}_cum", g.value.sum())


def _unit_measures(own: Own, as_of: str):
    year = int(as_of[:4])
    ind = own.rows(as_of, "indicators")
    mediation = ind[(ind.kpi_code == "court_union_mediation") & (ind.year == year)].set_index("adcode").value
    units = own.rows(as_of, "regions")
    units = units[units.level.isin(["city", "county"])]
    for adcode in units.adcode.unique():
        yield (adcode, "units_city_county", 1)
    for r in units.itertuples():
        yield (r.adcode, f"units_{r.level}", 1)
        if mediation.get(r.adcode, 0) < 1:
            yield (r.adcode, f"mediation_gaps_{r.level}", 1)


def e_unit_measures(own: Own, p: dict) -> pd.DataFrame:
    parts = (_coverage_measures, _nef_measures, _station_measures, _competition_measures)
    parts += (_indicator_measures, _unit_measures)
    rows = [(as_of, *m) for as_of in p["as_ofs"] for part in parts for m in part(own, as_of)]
    return _frame(rows, ["as_of", "adcode", "measure", "value"])


EXPECTED: dict[str, Callable[[Own, dict], pd.DataFrame]] = {
    name.removeprefix("e_"): f for name, f in globals().items() if name.startswith("e_")
}


def expected(query: str, tables, scope: DataScope, params: dict) -> pd.DataFrame:
    assert query in EXPECTED, f"named query {query} has no independent expected value: add e_{query} here"
    own = Own(tables, scope)
    if "adcode" in params and params["adcode"] not in scope.units:
        return EXPECTED[query](own, {**params, "adcode": "-"})  # another unit's: nothing of it
    return EXPECTED[query](own, params)


def _value(v):
    """Comparable cell: numbers as floats (counts come back int64 or float), dates as ISO text."""
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, bool | np.bool_):
        return bool(v)
    if isinstance(v, int | float | np.integer | np.floating):
        return round(float(v), 6)
    if isinstance(v, pd.Timestamp | dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def rows(frame: pd.DataFrame) -> list[tuple]:
    """A frame's rows as comparable tuples, sorted (the scope decides which rows, not their order)."""
    out = [tuple(_value(v) for v in r) for r in frame.itertuples(index=False, name=None)]
    return sorted(out, key=repr)


def assert_same(got: pd.DataFrame, want: pd.DataFrame, what: str) -> None:
    assert list(got.columns) == list(want.columns), f"{what}: columns"
    assert rows(got) == rows(want), f"{what}:\n got {rows(got)}\nwant {rows(want)}"


# ---------------------------------------------------------------------------------------------


def test_planner_scope_of_a_county_and_of_a_city(fixture_wh):
    regions = fixture_wh.run("regions", as_of=AS_OF)
    assert planner_scope(regions, ["990101"]) == DataScope(("990101",), ("990101",), ("990101",))
    city = planner_scope(regions, ["990100"])
    assert city.counties == ("990101", "990102")
    assert city.units == ("990100", "990101", "990102")
    assert default_selection(city, ["990100", "990200"]) == (("990100",), ())
    assert default_selection(planner_scope(regions, ["990101"]), ["990100", "990200"]) == ((), ("990101",))
    assert out_of_scope(city, ["990201", "990101", "990201"]) == ["990201"]
    assert out_of_scope(None, ["990201"]) == []


@pytest.mark.parametrize("query", QUERIES)
def test_the_expected_values_mean_what_the_query_means(wh, tables, query):
    """Computed for the whole region, each expected value equals the unscoped query: the pandas
    above counts what the SQL counts, so for a planner's units it is the planner's answer."""
    for adcode in (OWN_COUNTY, OTHER_COUNTY):
        params = params_of(query, adcode)
        assert_same(wh.run(query, **params), expected(query, tables, REGION, params), f"{query} region-wide")


@pytest.mark.parametrize("planner", PLANNERS)
@pytest.mark.parametrize("query", QUERIES)
def test_every_named_query_gives_a_planner_their_own_figures(wh, tables, scopes, planner, query):
    """The gateway's answer for a planner, asked region-wide (every county, every unit, another
    county's adcode) and asked for their own county, equals the count over their units' rows."""
    scope = scopes[planner]
    for adcode in (OTHER_COUNTY, OWN_COUNTY):
        params = params_of(query, adcode)
        got = wh.run(query, data_scope=scope, **params)
        assert_same(got, expected(query, tables, scope, params), f"{query} for the {planner} planner ({adcode=})")


@pytest.mark.parametrize("planner", PLANNERS)
@pytest.mark.parametrize("query", QUERIES)
def test_the_fixture_has_rows_inside_and_outside_every_scope(wh, tables, scopes, planner, query):
    """No case compares two empty frames: the planner's own answer has rows, the region's has
    rows, and the region-wide ask differs from what the planner gets (the scope removed something)."""
    scope = scopes[planner]
    own = wh.run(query, data_scope=scope, **params_of(query, OWN_COUNTY))
    assert not own.empty, f"{query}: the fixture has nothing of the {planner} planner's"
    assert not expected(query, tables, scope, params_of(query, OWN_COUNTY)).empty
    region = wh.run(query, **params_of(query))
    assert not region.empty, f"{query}: the fixture has nothing region-wide"
    scoped = wh.run(query, data_scope=scope, **params_of(query))
    if query in SCOPE_EXCEPTIONS:  # boundaries: the same outlines for everyone
        assert rows(scoped) == rows(region)
        assert list(scoped.columns) == ["adcode", "level", "geojson"]  # geography, no figures
    else:
        assert rows(scoped) != rows(region), (
            f"{query}: the {planner} planner gets the region-wide answer (a leak, or no rows outside their scope)"
        )


# Hand counts for the planner of 甲一区 (990101) in the 2023-12-31 snapshot, from the rows listed
# in tests/scope_fixture.py's docstring and tests/fixtures.py: (columns compared, rows).
HAND_COUNTED = {
    # events hosted by 990101: C4 only (five_small, 2023, 25); not C1 (region), C2 (甲市), C5 (甲二县), C3 (乙一县)
    "competition_participation": (["year", "series", "events", "participants"], [(2023, "five_small", 1, 25)]),
    # 990101's awards: R1 (C1 2023 skills_contest 一等奖 焊工 技术能手) and R5 (C4 2023 five_small 一等奖, 8.0)
    "county_results": (
        ["competition", "award_tier", "honour", "benefit_10k_yuan"],
        [("全省技能大赛（焊工）", "一等奖", "技术能手", None), ("甲一区五小创新", "一等奖", None, 8.0)],
    ),
    "county_stations": (["station_id"], [("S1",), ("S2",), ("S3",)]),  # asked for 990101 below
    "demand_points": (["point_id", "workers"], [("D1", 50), ("D2", 30)]),  # D3, D4 are 乙一县's
    "honours_by_type": (["honour", "winners"], [("技术能手", 1)]),  # R1; not R2 荆楚工匠, R6 五一, R7 劳模
    "honours_since": (["adcode", "honour", "winners"], [("990101", "技术能手", 1)]),  # 2022 < year <= 2023: R1
    "innovation_benefit": (["year", "series", "results", "benefit_10k_yuan"], [(2023, "five_small", 1, 8.0)]),  # R5
    # R1 一等奖 + R5 一等奖 = 2 first, 2 awards, 1 honour (R1's)
    "medal_table": (["adcode", "first_prizes", "second_prizes", "awards", "honours"], [("990101", 2, 0, 2, 1)]),
    "region_shapes": (["adcode"], [("990101",), ("990102",), ("990201",)]),  # the exception: every outline
    "regions": (["adcode", "name", "employees"], [("990101", "甲一区", 1000)]),
    "results_search": (["result_id", "adcode"], [("R1", "990101"), ("R5", "990101")]),
    # S3 closed since 2022 (open then); S5 (乙一县) and S6 (甲二县) opened elsewhere
    "station_changes_by_county": (["adcode", "opened", "closed"], [("990101", 0, 1)]),
    "station_changes_points": (["station_id", "change"], [("S3", "closed")]),
    "stations_count": (["stations"], [(3,)]),  # S1, S2, S3, every status (WIDE filters none)
    # cells of 0.05°: S1 (114.0, 30.6) → (2280, 612); S2 (114.03, 30.62) → (2280, 612); S3 (113.95, 30.55) → (2279, 611)
    "stations_grid": (
        ["lon", "lat", "stations", "outdoor_rest", "nursing_room"],
        [(114.025, 30.625, 2, 1, 1), (113.975, 30.575, 1, 1, 0)],
    ),
    "stations_points": (["station_id", "monthly_visits"], [("S1", 100), ("S2", 50), ("S3", 0)]),
    # 3 stations, open S1 and S2, 24h S1, visits of the open 100 + 50, workers courier 100 + food_delivery 200
    "stations_supply_by_county": (
        ["adcode", "stations", "stations_open", "stations_open_24h", "monthly_visits", "outdoor_workers"],
        [("990101", 3, 2, 1, 150, 300)],
    ),
    "stations_table": (["station_id", "rows_matching"], [("S1", 3), ("S2", 3), ("S3", 3)]),
    "stations_xy": (["lon", "lat"], [(113.95, 30.55), (114.0, 30.6), (114.03, 30.62)]),
    "targets": (["kpi_code", "adcode", "target"], [("stations_registered", "990101", 4.0)]),
    # 甲一区机械厂 R1 (一等奖, no benefit); 甲一区电机厂 R5 (一等奖, 8.0)
    "top_employers": (
        ["employer", "awards", "first_prizes", "benefit_10k_yuan"],
        [("甲一区机械厂", 1, 1, 0.0), ("甲一区电机厂", 1, 1, 8.0)],
    ),
    "top_trades": (["trade", "awards", "first_prizes"], [("焊工", 1, 1)]),  # R1; R2 焊工 and R7 电工 are others'
}
# unit_measures, a few of 990101's 2023 values: 2 of 3 stations not closed (S3 closed); C4's 25
# participants; awards R1 + R5; benefit 8.0; members 900 (coverage row); nef workers 100 + 200;
# studios 3; no mediation gap (court_union_mediation 990101 2023 = 1.0).
HAND_COUNTED_MEASURES = {
    "stations_registered": 2.0,
    "stations_open": 2.0,
    "competitions_in_year": 1.0,
    "competition_participants_in_year": 25.0,
    "awards_in_year": 2.0,
    "innovation_benefit_10k_yuan_in_year": 8.0,
    "honour_technical_expert_in_year": 1.0,
    "honour_jingchu_craftsman_in_year": 0.0,
    "members": 900.0,
    "nef_workers": 300.0,
    "ind_innovation_studios": 3.0,
    "units_county": 1.0,
}


def test_hand_counted_figures_for_a_county_planner(wh, scopes):
    scope = scopes["county"]
    assert set(HAND_COUNTED) | {"unit_measures"} == set(QUERIES), "every query has a hand count"
    for query, (columns, want) in HAND_COUNTED.items():
        got = wh.run(query, data_scope=scope, **params_of(query, OWN_COUNTY))
        want = rows(pd.DataFrame(want, columns=columns))
        assert rows(got[columns]) == want, f"{query}: {rows(got[columns])} != {want}"
    measures = wh.run("unit_measures", data_scope=scope, as_ofs=(AS_OF,))
    assert set(measures.adcode) == {"990101"}
    got = measures.set_index("measure").value
    assert {m: got.get(m) for m in HAND_COUNTED_MEASURES} == HAND_COUNTED_MEASURES
    assert not any(m.startswith("mediation_gaps") for m in got.index)
    # asked for 乙一县 by its adcode, the single-county queries give nothing
    for query in ("county_results", "county_stations"):
        assert wh.run(query, data_scope=scope, **params_of(query, OTHER_COUNTY)).empty


def test_hand_counted_figures_for_a_city_planner(wh, scopes):
    """甲市 = 甲一区 + 甲二县 (and the city's own unit 990100)."""
    scope = scopes["city"]
    trades = wh.run("top_trades", data_scope=scope, **params_of("top_trades"))
    assert rows(trades) == rows(pd.DataFrame([("焊工", 1, 1), ("电工", 1, 1)], columns=trades.columns))  # R1; R7
    # events hosted by 990100 (C2, ankang_cup 40), 990101 (C4, five_small 25), 990102 (C5, skills_contest 30)
    part = wh.run("competition_participation", data_scope=scope, **params_of("competition_participation"))
    want = [(2023, "ankang_cup", 1, 40), (2023, "five_small", 1, 25), (2023, "skills_contest", 1, 30)]
    assert rows(part) == rows(pd.DataFrame(want, columns=part.columns))
    honours = wh.run("honours_by_type", data_scope=scope, **params_of("honours_by_type"))
    assert rows(honours) == rows(pd.DataFrame([("技术能手", 1), ("劳动模范", 1)], columns=honours.columns))  # R1; R7
    benefit = wh.run("innovation_benefit", data_scope=scope, **params_of("innovation_benefit"))
    want = [(2023, "ankang_cup", 1, 12.5), (2023, "five_small", 1, 8.0)]  # R3; R5 (not R6's 3.5, 乙一县's)
    assert rows(benefit) == rows(pd.DataFrame(want, columns=benefit.columns))
    count = wh.run("stations_count", data_scope=scope, **params_of("stations_count"))
    assert int(count.stations.iloc[0]) == 5  # S1, S2, S3 (甲一区), S4, S6 (甲二县); not S5


# Fillers (collection rounds) read as planners: their session's scope comes from the sign-in gate
# (access_for) for a filler account, and every named query gives them only their units.
FILLERS = {"county_filler": ("990101",), "city_filler": ("990100",)}


@pytest.fixture(scope="module")
def filler_scopes(tables) -> dict[str, DataScope]:
    from uniondash.access.accounts import Account, Accounts
    from uniondash.access.gate import access_for, account_identity

    accounts = Accounts(Path("users.toml"), {n: Account(n, "filler", s) for n, s in FILLERS.items()})
    regions = tables[AS_OF]["regions"]
    out = {}
    for name in FILLERS:
        access = access_for(account_identity(accounts.users[name], accounts, "local"), regions)
        assert access.identity.role == "filler"
        out[name] = access.data_scope
    return out


def test_a_fillers_session_is_scoped_like_a_planners(filler_scopes, scopes):
    assert filler_scopes["county_filler"] == scopes["county"] == DataScope(("990101",), ("990101",), ("990101",))
    assert filler_scopes["city_filler"] == scopes["city"]
    assert filler_scopes["city_filler"].counties == ("990101", "990102")


@pytest.mark.parametrize("filler", FILLERS)
@pytest.mark.parametrize("query", QUERIES)
def test_every_named_query_gives_a_filler_only_their_units(wh, tables, filler_scopes, filler, query):
    """Asked region-wide and for another county, a filler gets the count over their units' rows
    (the same expected values as a planner's), and never a row of another county."""
    scope = filler_scopes[filler]
    for adcode in (OTHER_COUNTY, OWN_COUNTY):
        params = params_of(query, adcode)
        got = wh.run(query, data_scope=scope, **params)
        assert_same(got, expected(query, tables, scope, params), f"{query} for the {filler} ({adcode=})")
        if "adcode" in got.columns and query not in SCOPE_EXCEPTIONS:
            assert set(got.adcode) <= set(scope.units), f"{query}: {filler} read {set(got.adcode) - set(scope.units)}"
    if query not in SCOPE_EXCEPTIONS:  # the scope removed something: 乙一县's rows exist region-wide
        assert rows(wh.run(query, data_scope=scope, **params_of(query))) != rows(wh.run(query, **params_of(query)))


def test_a_query_that_cannot_be_scoped_is_refused(scopes):
    frame = pd.DataFrame({"stations": [9]})
    with pytest.raises(ScopeError, match="cannot be restricted"):
        restrict_rows("new_query", frame, {"as_of": AS_OF}, scopes["county"])
    # with a scope parameter (narrowed before the query ran) it passes
    assert restrict_rows("new_query", frame, {"counties": ()}, scopes["county"]).equals(frame)
