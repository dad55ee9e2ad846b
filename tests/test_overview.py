"""The overview's arithmetic on the hand-made fixture: targets, projections, changes, rankings."""

from __future__ import annotations

import pandas as pd
import pytest
from fixtures import _regions

from uniondash.analysis.overview import (
    Target,
    best_first,
    county_changes,
    county_targets,
    county_values,
    kpi_result,
    on_track,
    projection,
    ranking_table,
    relative_change,
    scope_target,
    unit_wide,
    what_changed,
)
from uniondash.metrics.kpis import load_catalogue
from uniondash.metrics.scope import resolve_scope

CAT = load_catalogue()
REGIONS = _regions()


def test_projection_is_a_least_squares_line():
    # Points at year-ends 2021, 2022, 2023 (x ≈ 2022, 2023, 2024) rising by 10 a year: 2025 end → 50.
    trend = {"2021-12-31": 10.0, "2022-12-31": 20.0, "2023-12-31": 30.0}
    assert projection(trend, 2025) == pytest.approx(50.0, abs=0.1)
    assert projection({"2023-12-31": 5.0}, 2025) is None  # one point is no trend


def test_on_track_follows_direction():
    up, none = CAT.by_code("union_founding_rate"), CAT.by_code("nef_workers")
    assert on_track(up, 0.91, Target(2025, 0.9)) is True
    assert on_track(up, 0.85, Target(2025, 0.9)) is False
    assert on_track(none, 10, Target(2025, 5)) is None
    assert relative_change(115, 100) == pytest.approx(0.15)
    assert relative_change(5, 0) is None


def test_scope_targets(fixture_wh):
    targets = fixture_wh.run("targets", as_of="2023-12-31")
    stations, rate = CAT.by_code("stations_registered"), CAT.by_code("union_founding_rate")
    region = resolve_scope(REGIONS, "990000")
    city = resolve_scope(REGIONS, "990000", cities=["990100"])
    assert scope_target(stations, targets, region) == Target(2025, 8.0)
    assert scope_target(stations, targets, city) == Target(2025, 7.0)  # 4 + 3: counts add
    assert scope_target(rate, targets, city) == Target(2025, 0.9)  # a rate target is not summed
    assert scope_target(CAT.by_code("members"), targets, region) is None


def test_county_values_and_ranking(fixture_wh):
    per_unit = fixture_wh.run("unit_measures", as_ofs=("2023-12-31",))
    wide = unit_wide(per_unit, "2023-12-31")
    rate = county_values(wide, CAT.by_code("union_founding_rate"), ["990101", "990102", "990201"])
    assert rate.to_dict() == pytest.approx({"990101": 0.9, "990102": 0.5, "990201": 0.8})
    table = ranking_table(rate, "up", {"990101": "甲一区", "990102": "甲二县", "990201": "乙一县"}, n=5)
    assert list(table.name) == ["甲一区", "甲二县"]  # one best, one worst of three
    assert list(table["rank"]) == [1, 3]


def test_what_changed(fixture_wh):
    per_unit = fixture_wh.run("unit_measures", as_ofs=("2022-12-31", "2023-12-31"))
    counties = ["990101", "990102", "990201"]
    rates = [CAT.by_code("union_founding_rate"), CAT.by_code("membership_rate")]
    now = {k.code: county_values(unit_wide(per_unit, "2023-12-31"), k, counties) for k in rates}
    before = {k.code: county_values(unit_wide(per_unit, "2022-12-31"), k, counties) for k in rates}
    changes = fixture_wh.run("station_changes_by_county", as_of="2023-12-31", compare="2022-12-31")
    # S6 opened in 甲二县, S5 in 乙一县; S3 closed in 甲一区.
    assert changes.set_index("adcode")[["opened", "closed"]].to_dict("index") == {
        "990101": {"opened": 0, "closed": 1},
        "990102": {"opened": 1, "closed": 0},
        "990201": {"opened": 1, "closed": 0},
    }
    honours = fixture_wh.run("honours_since", as_of="2023-12-31", compare="2022-12-31")
    assert sorted(zip(honours.honour, honours.winners)) == [("技术能手", 1), ("荆楚工匠", 1)]
    items = what_changed(changes, honours, now, before, counties)
    declined = [(c.kind, c.adcode) for c in items.declined]
    # 甲二县 founding rate fell 60% → 50% (10 pp) and membership 60% → 50%; S3 closed in 甲一区.
    assert declined == [("rate_fell", "990102"), ("rate_fell", "990102"), ("stations_closed", "990101")]
    assert items.declined[0].detail["pp"] == pytest.approx(10.0)
    improved = [(c.kind, c.adcode) for c in items.improved]
    # 乙一县 rose 50% → 80% (founding) and 60% → 90% (membership): 30 pp each, then 甲一区 +10 pp.
    assert improved[:3] == [("rate_rose", "990201"), ("rate_rose", "990201"), ("rate_rose", "990101")]
    assert ("stations_opened", "990201") in improved
    assert sum(c.detail["n"] for c in items.improved if c.kind == "honours") == 2


def test_ranking_needs_two(fixture_wh):
    table = ranking_table(pd.Series({"990101": 0.9}), "up", {})
    assert table.empty


def test_kpi_result_is_computed_before_the_card_draws_it():
    # A rate at 0.50, 0.60, 0.70 (2021–2023 year-ends), compared with 2022, target 0.80 for 2025.
    rate = CAT.by_code("union_founding_rate")
    trend = {"2021-12-31": 0.50, "2022-12-31": 0.60, "2023-12-31": 0.70}
    r = kpi_result(rate, trend, "2023-12-31", "2022-12-31", Target(2025, 0.80))
    assert r.value == pytest.approx(0.70)
    assert r.change == pytest.approx(0.10)  # 0.70 − 0.60
    assert r.relative == pytest.approx(0.10 / 0.60)
    assert r.history == (0.50, 0.60, 0.70)
    assert r.progress == pytest.approx(0.70 / 0.80)
    assert r.projected == pytest.approx(0.90, abs=0.002)  # +0.10 a year, two years on
    assert r.on_track is True
    # at the 2022 snapshot the card knows nothing of 2023; a missing value means no data at all
    earlier = kpi_result(rate, trend, "2022-12-31", None, Target(2025, 0.80))
    assert earlier.history == (0.50, 0.60)
    assert earlier.change is None
    empty = kpi_result(rate, {"2023-12-31": float("nan")}, "2023-12-31", None, Target(2025, 0.80))
    assert empty.value is None
    assert empty.target is None
    assert empty.on_track is None


# Membership rate (members / employees) per county, from fixtures.py's coverage rows:
#   2022: 甲一区 800/1000 = 80%, 甲二县 240/400 = 60%, 乙一县 60/100 = 60%
#   2023: 甲一区 900/1000 = 90%, 甲二县 200/400 = 50%, 乙一县 90/100 = 90%
#   change: 甲一区 +10 pp, 甲二县 −10 pp, 乙一县 +30 pp
COUNTIES = ["990101", "990102", "990201"]
NAMES = {"990101": "甲一区", "990102": "甲二县", "990201": "乙一县"}


def membership(fixture_wh, as_of: str):
    per_unit = fixture_wh.run("unit_measures", as_ofs=("2022-12-31", "2023-12-31"))
    return county_values(unit_wide(per_unit, as_of), CAT.by_code("membership_rate"), COUNTIES)


def test_county_changes_against_the_compare_snapshot(fixture_wh):
    now, before = membership(fixture_wh, "2023-12-31"), membership(fixture_wh, "2022-12-31")
    changes = county_changes(now, before)
    assert changes.to_dict() == pytest.approx({"990101": 0.10, "990102": -0.10, "990201": 0.30})
    assert county_changes(now, None).isna().all()  # no compare snapshot: no change
    # the best change first for an "up" KPI, the largest fall first for a "down" one
    assert list(best_first(changes, "up").index) == ["990201", "990101", "990102"]
    assert list(best_first(changes, "down").index) == ["990102", "990101", "990201"]


def test_ranking_table_carries_the_change_and_sorts_by_it(fixture_wh):
    now, before = membership(fixture_wh, "2023-12-31"), membership(fixture_wh, "2022-12-31")
    changes = county_changes(now, before)
    by_value = ranking_table(now, "up", NAMES, changes=changes)
    # one best, one worst of three: 甲一区 (90%, ahead of 乙一县's 90% by code) and 甲二县 (50%)
    assert list(by_value.name) == ["甲一区", "甲二县"]
    assert list(by_value.change) == pytest.approx([0.10, -0.10])
    by_change = ranking_table(now, "up", NAMES, changes=changes, by="change")
    # by change: 乙一县 improved most (+30 pp), 甲二县 least (−10 pp); the rank stays the value's
    assert list(by_change.name) == ["乙一县", "甲二县"]
    assert list(by_change.change) == pytest.approx([0.30, -0.10])
    assert list(by_change["rank"]) == [2, 3]
    assert ranking_table(now, "up", NAMES).change.isna().all()  # without a compare snapshot


def test_county_targets_own_else_the_regions_for_a_rate(fixture_wh):
    targets = fixture_wh.run("targets", as_of="2023-12-31")
    founding = county_targets(CAT.by_code("union_founding_rate"), targets, COUNTIES, "990000")
    assert founding == {a: Target(2025, 0.9) for a in COUNTIES}  # the region's, a uniform policy
    stations = county_targets(CAT.by_code("stations_registered"), targets, COUNTIES, "990000")
    assert stations == {"990101": Target(2025, 4.0), "990102": Target(2025, 3.0), "990201": Target(2025, 1.0)}
    assert county_targets(CAT.by_code("members"), targets, COUNTIES, "990000") == {}
    # a count never takes the region's total as a county's target
    partial = targets[targets.adcode != "990201"]
    assert "990201" not in county_targets(CAT.by_code("stations_registered"), partial, COUNTIES, "990000")
