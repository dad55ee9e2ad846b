"""The query layer's scope: every named query run for a planner returns nothing outside their units,
whatever its parameters ask for (so a new query cannot forget the scope)."""

from __future__ import annotations

import pandas as pd
import pytest

from uniondash.access.data_scope import (
    SCOPE_EXCEPTIONS,
    DataScope,
    ScopeError,
    default_selection,
    out_of_scope,
    planner_scope,
    restrict_rows,
)
from uniondash.data.warehouse import all_queries

AS_OF, COMPARE = "2023-12-31", "2022-12-31"
ALL_COUNTIES = ("990101", "990102", "990201")
ALL_UNITS = ("990000", "990100", "990101", "990102", "990200", "990201")
# Whole-region values for every parameter a named query takes: the scope must win over them.
WIDE = {
    "as_of": AS_OF,
    "compare": COMPARE,
    "as_ofs": (COMPARE, AS_OF),
    "counties": ALL_COUNTIES,
    "units": ALL_UNITS,
    "adcode": "990201",  # another county
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


@pytest.fixture(scope="module")
def county_a(fixture_wh) -> DataScope:
    return planner_scope(fixture_wh.run("regions", as_of=AS_OF), ["990101"])


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


@pytest.mark.parametrize("query", [q.name for q in all_queries()])
def test_every_named_query_stays_in_a_planners_scope(fixture_wh, county_a, query):
    params = {p: WIDE[p] for p in fixture_wh_params(query)}
    result = fixture_wh.run(query, data_scope=county_a, **params)
    if query in SCOPE_EXCEPTIONS:
        return
    if "adcode" in result.columns:
        assert set(result.adcode) <= {"990101"}, f"{query} returned {sorted(set(result.adcode))}"
    # The same query asked for the planner's own county only gives the same answer: the scope
    # removed exactly the other units, nothing of theirs was summed in.
    own = {**params, **{k: v for k, v in {"counties": ("990101",), "units": ("990101",)}.items() if k in params}}
    if "adcode" in own:
        own["adcode"] = "-"
    if "filters" in own:
        own["filters"] = {**own["filters"], "counties": ("990101",)}
    expected = fixture_wh.run(query, **own)
    if "adcode" in expected.columns:
        expected = expected[expected.adcode == "990101"].reset_index(drop=True)
    pd.testing.assert_frame_equal(result.reset_index(drop=True), expected.reset_index(drop=True))


def fixture_wh_params(query: str) -> tuple[str, ...]:
    from uniondash.data.warehouse import load_query

    return load_query(query).params


def test_aggregates_equal_duckdb_restricted_to_the_county(fixture_wh, county_a):
    con = fixture_wh.con
    params = {p: WIDE[p] for p in fixture_wh_params("stations_count")}
    got = int(fixture_wh.run("stations_count", data_scope=county_a, **params).stations.iloc[0])
    want = con.execute("select count(*) from stations where as_of = ? and adcode = '990101'", [AS_OF]).fetchone()[0]
    assert got == want == 3  # S1, S2, S3 (every status)
    measures = fixture_wh.run("unit_measures", data_scope=county_a, as_ofs=(AS_OF,))
    members = measures[(measures.measure == "members")].value.sum()
    assert (
        members
        == con.execute("select sum(members) from coverage where as_of = ? and adcode = '990101'", [AS_OF]).fetchone()[0]
    )
    honours = fixture_wh.run("honours_by_type", data_scope=county_a, as_of=AS_OF, year=0, counties=ALL_COUNTIES)
    assert list(zip(honours.honour, honours.winners)) == [("技术能手", 1)]  # R1 only; R2 (荆楚工匠) is 乙一县's
    part = fixture_wh.run("competition_participation", data_scope=county_a, as_of=AS_OF, units=ALL_UNITS)
    assert part.empty  # 甲一区 hosted no event; the region's and 甲市's are not its figures
    profile = fixture_wh.run("county_results", data_scope=county_a, as_of=AS_OF, adcode="990201")
    assert profile.empty  # another county's awards by naming it


def test_a_query_that_cannot_be_scoped_is_refused(county_a):
    frame = pd.DataFrame({"stations": [9]})
    with pytest.raises(ScopeError, match="cannot be restricted"):
        restrict_rows("new_query", frame, {"as_of": AS_OF}, county_a)
    # with a scope parameter (narrowed before the query ran) it passes
    assert restrict_rows("new_query", frame, {"counties": ()}, county_a).equals(frame)
