"""Every named query runs on the hand-made fixture and returns hand-computed values."""

from __future__ import annotations

import duckdb
import pytest

from uniondash.data.warehouse import all_queries, load_query
from uniondash.metrics.kpis import compute_kpis, load_catalogue
from uniondash.metrics.measures import scope_measures

COUNTIES = ("990101", "990102", "990201")
ALL_UNITS = ("990000", "990100", "990101", "990102", "990200", "990201")
CITY_JIA = dict(counties=("990101", "990102"), units=("990100", "990101", "990102"))


def measures(wh, as_of="2023-12-31", units=ALL_UNITS) -> dict[str, float]:
    df = scope_measures(wh.run("unit_measures", as_ofs=(as_of,)), units)
    return dict(zip(df.measure, df.value))


def test_every_query_is_documented():
    for q in all_queries():
        for part in ("title", "description", "grain"):
            assert getattr(q, part), f"{q.name}.sql lacks a {part}"
        header = q.sql.split("\n\n")[0]
        for p in q.params:
            assert p in header, f"{q.name}.sql uses ${p} but its header does not document it"


def test_query_names_are_allow_listed():
    with pytest.raises(ValueError):
        load_query("../etc/passwd")


def test_regions(fixture_wh):
    df = fixture_wh.run("regions", as_of="2023-12-31")
    assert list(df.level) == ["province", "city", "city", "county", "county", "county"]
    assert df.set_index("adcode").loc["990102", "parent_adcode"] == "990100"


def test_measures_whole_region(fixture_wh):
    m = measures(fixture_wh)
    assert m["legal_units"] == 160
    assert m["legal_units_unionised"] == 123
    assert m["employees"] == 1500
    assert m["members"] == 1190
    assert m["nef_workers"] == 380
    assert m["nef_members"] == 115
    assert m["nef_workers_courier"] == 100
    # S1, S2, S4, S5, S6 registered (S3 closed); S1, S2, S5, S6 open; only S1 open 24h.
    assert m["stations_registered"] == 5
    assert m["stations_open"] == 4
    assert m["stations_open_24h"] == 1
    assert m["stations_outdoor_rest"] == 3
    assert m["stations_mental_care"] == 1
    assert m["station_monthly_visits"] == 200  # 100+50+30+20
    # 2023 events: C1 (region host) and C2 (甲市 host); C3 is 2022.
    assert m["competitions_in_year"] == 2
    assert m["competition_participants_in_year"] == 140
    assert m["awards_in_year"] == 3
    assert m["honour_jingchu_craftsman_in_year"] == 1
    assert m["innovation_benefit_10k_yuan_in_year"] == 12.5
    assert m["ind_work_groups"] == 4
    assert m["ind_work_groups_cum"] == 7
    assert m["ind_co_creation_pilots"] == 3
    # Mediation: 4 of 5 city/county units; the city level is full, the county level is not.
    assert m["ind_court_union_mediation"] == 4
    assert m["units_city_county"] == 5
    assert m["mediation_levels_full"] == 1


def test_city_rates_are_recomputed_from_counts_not_averaged(fixture_wh):
    per_unit = fixture_wh.run("unit_measures", as_ofs=("2023-12-31",))
    kpis = compute_kpis(scope_measures(per_unit, CITY_JIA["units"]), load_catalogue())
    value = dict(zip(kpis.code, kpis.value))
    # 甲市 = 甲一区 (90/100) + 甲二县 (25/50): 115/150, not the mean of 0.9 and 0.5 (0.7).
    assert value["union_founding_rate"] == pytest.approx(115 / 150)
    assert value["membership_rate"] == pytest.approx(1100 / 1400)
    assert value["stations_registered"] == 4  # S1, S2, S4, S6
    assert value["awards_in_year"] == 2  # R1 (甲一区), R3 (甲二县)
    # Region-level indicators are not split by city: absent, never zero.
    assert value["work_groups"] is None or value["work_groups"] != value["work_groups"]


def test_trend_across_snapshots(fixture_wh):
    df = fixture_wh.run("unit_measures", as_ofs=("2022-12-31", "2023-12-31"))
    kpis = compute_kpis(scope_measures(df, ALL_UNITS), load_catalogue())
    rate = kpis[kpis.code == "union_founding_rate"].set_index("as_of").value
    assert rate["2022-12-31"] == pytest.approx(115 / 160)  # 80+30+5
    assert rate["2023-12-31"] == pytest.approx(123 / 160)
    stations = kpis[kpis.code == "stations_registered"].set_index("as_of").value
    assert stations.to_dict() == {"2022-12-31": 4, "2023-12-31": 5}


def test_values_are_bound_not_pasted(fixture_wh):
    with pytest.raises(duckdb.ConversionException):  # the hostile text is one value (not a date), not SQL
        fixture_wh.run("regions", as_of="2023-12-31' or '1'='1")


def test_mediation_levels_by_scope(fixture_wh):
    assert measures(fixture_wh, units=("990100", "990101", "990102"))["mediation_levels_full"] == 2  # 甲市 all
    assert measures(fixture_wh, units=("990200", "990201"))["mediation_levels_full"] == 1  # 乙一县 lacks it
