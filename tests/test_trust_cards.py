"""KPI cards and sentences people can trust (issue 13): capped projections and progress, no
"-0.0", "no data for the year" apart from "region-wide only", percentage points in sentences,
one name per definition, and what changed both ways with the KPIs behind target."""

from __future__ import annotations

import pytest
from fixtures import _regions

from uniondash.analysis.overview import Target, behind_target, kpi_result, region_only_codes
from uniondash.analysis.profile import ProfileRow, summary
from uniondash.analysis.stations import scope_supply
from uniondash.metrics.kpis import load_catalogue
from uniondash.metrics.measures import scope_measures
from uniondash.text import fmt
from uniondash.text.i18n import t

CAT = load_catalogue()
RATE = CAT.by_code("union_founding_rate")
COUNTIES = ("990101", "990102", "990201")


def test_a_rate_is_never_projected_past_100_percent():
    # 0.80, 0.90, 0.95 rising ~7.5 pp a year: the straight line passes 100 % before 2025's end.
    trend = {"2021-12-31": 0.80, "2022-12-31": 0.90, "2023-12-31": 0.95}
    r = kpi_result(RATE, trend, "2023-12-31", "2022-12-31", Target(2025, 0.98))
    assert r.projected == 1.0
    assert r.projected_capped is True
    assert r.on_track is True
    assert r.reached is False
    assert r.progress == pytest.approx(0.95 / 0.98)


def test_progress_beyond_the_target_is_reached_not_108_percent():
    trend = {"2022-12-31": 0.80, "2023-12-31": 0.972}
    r = kpi_result(RATE, trend, "2023-12-31", None, Target(2025, 0.90))
    assert r.reached is True
    assert r.progress == 1.0  # 0.972 / 0.90 = 108 %: capped, and the card says 已达目标
    assert r.on_track is True
    assert t("trust.target_reached", "zh", target="90.0%", year=2025) == "目标 90.0%（2025 年）· 已达目标"


def test_a_count_is_never_projected_below_zero():
    count = CAT.by_code("stations_registered")
    r = kpi_result(
        count, {"2021-12-31": 20.0, "2022-12-31": 10.0, "2023-12-31": 2.0}, "2023-12-31", None, Target(2025, 30)
    )
    assert r.projected == 0.0
    assert r.projected_capped is True
    assert r.on_track is False


def test_changes_that_round_to_zero_read_as_unchanged():
    assert fmt.delta(-0.00004, True, "zh") == "持平"
    assert fmt.delta(-0.00004, True, "en") == "unchanged"
    assert fmt.delta(-0.0004, False, "zh") == "持平"
    assert fmt.delta(-0.0012, True, "zh") == "-0.1个百分点"
    assert fmt.percent(-0.0004) == "0.0%"
    assert fmt.decimal(-0.04) == "0.0"
    assert fmt.number(-0.04) == "0.0"
    assert fmt.number(-0.04, "en") == "0.0"
    assert fmt.number(-1.5) == "-1.5"


def test_region_only_is_said_only_of_region_wide_figures(fixture_wh):
    per_unit = fixture_wh.run("unit_measures", as_ofs=("2022-12-31", "2023-12-31"))
    only = region_only_codes(per_unit, CAT.kpis, "990000")
    assert "work_groups" in only  # the fixture's 蹲点工作组 exist for 990000 alone
    assert "co_creation_pilots" not in only  # pilots are counted by county (990101, 990201)
    assert "union_founding_rate" not in only
    # The pilots at 2022, whole region: no rows that year. "2022 年无数据", not "仅全省口径".
    sums = scope_measures(per_unit, _regions().adcode)
    pilots = CAT.by_code("co_creation_pilots")
    trend = {str(a)[:10]: pilots.value_from(dict(zip(g.measure, g.value))) for a, g in sums.groupby("as_of")}
    r = kpi_result(pilots, trend, "2022-12-31", None, None, region_only=False)
    assert r.value is None
    assert r.missing == "no_data"
    assert r.year == 2022
    assert t("trust.no_data_year", "zh", year=r.year) == "2022 年无数据"
    assert kpi_result(pilots, trend, "2023-12-31", None, None).value == 3.0  # 2 + 1
    groups = kpi_result(CAT.by_code("work_groups"), {"2023-12-31": None}, "2023-12-31", None, None, True)
    assert groups.missing == "region_only"


def card(code: str, value: float, target: float):
    """The county's KpiResult for one snapshot against a 2025 target (what profile_rows attaches)."""
    from uniondash.analysis.overview import Target, kpi_result

    return kpi_result(CAT.by_code(code), {"2023-12-31": value}, "2023-12-31", None, Target(2025, target))


def test_gap_to_target_of_a_rate_is_in_percentage_points():
    # 甲二县 founding rate 50.0 % against a 59.2 % target: 还差 9.2 个百分点, not 9.2%.
    row = ProfileRow("union_founding_rate", 0.5, 3, 3, 0.77, 0.77, (0.6, 0.5), card("union_founding_rate", 0.5, 0.592))
    _, gaps = summary([row], CAT, "甲二县", "zh")
    assert any("还差 9.2 个百分点" in g for g in gaps), gaps
    assert not any("还差 9.2%" in g for g in gaps)
    _, gaps_en = summary([row], CAT, "甲二县", "en")
    assert any("9.2 pp short" in g for g in gaps_en), gaps_en
    count = ProfileRow("stations_registered", 2.0, 2, 3, 4.0, 5.0, (1.0, 2.0), card("stations_registered", 2.0, 3.0))
    _, gaps = summary([count], CAT, "甲二县", "zh")
    assert any("还差 1 家" in g for g in gaps), gaps


def test_two_station_measures_two_names(fixture_wh):
    """Decision: the stations page's supply measure counts whatever the filters pass; the catalogue's
    KPI counts outdoor rest stations not closed. Two measures, two names; equal when the filters
    are outdoor rest stations, open and suspended."""
    catalogue_name = CAT.by_code("stations_per_10k_nef").name("zh")
    page_name = t("stations.measure.per_10k_workers", "zh")
    assert catalogue_name == "每万名新就业形态劳动者爱心驿站数"
    assert page_name == "每万名新就业形态劳动者筛选站点数"
    base = {
        "as_of": "2023-12-31",
        "counties": COUNTIES,
        "kinds": (),
        "statuses": ("open", "suspended"),
        "hosts": (),
        **{f: False for f in ("water", "microwave", "seating", "first_aid", "toilet", "charging", "aircon")},
        "only_24h": False,
        "min_star": 0,
        "opened_year": None,
    }
    every_kind = fixture_wh.run("stations_supply_by_county", filters=base)
    # S1 S2 S4 S5 S6 over 380 new-employment-form workers (100 + 200 + 50 + 30).
    assert scope_supply(every_kind, "per_10k_workers") == pytest.approx(5 / 380 * 10000)
    rest = fixture_wh.run("stations_supply_by_county", filters={**base, "kinds": ("outdoor_rest",)})
    per_unit = fixture_wh.run("unit_measures", as_ofs=("2023-12-31",))
    sums = scope_measures(per_unit, _regions().adcode)
    kpi = CAT.by_code("stations_per_10k_nef").value_from(dict(zip(sums.measure, sums.value)))
    # S1 S5 S6 (S3 is closed) over the same 380: the two agree on the same definition.
    assert kpi == pytest.approx(3 / 380 * 10000)
    assert scope_supply(rest, "per_10k_workers") == pytest.approx(kpi)


def test_behind_target_lists_the_kpis_projected_to_miss():
    rate, count = CAT.by_code("membership_rate"), CAT.by_code("stations_registered")
    results = {
        # +5 pp a year from 70 % at the end of 2023: two years on, 80 % against 90 %: 11.1 % short.
        "membership_rate": kpi_result(
            rate, {"2022-12-31": 0.65, "2023-12-31": 0.70}, "2023-12-31", None, Target(2025, 0.90)
        ),
        # +1 a year from 5: ~7 against 8, 12.5 % short (further behind: listed first).
        "stations_registered": kpi_result(
            count, {"2022-12-31": 4.0, "2023-12-31": 5.0}, "2023-12-31", None, Target(2025, 8)
        ),
        "union_founding_rate": kpi_result(
            RATE, {"2022-12-31": 0.8, "2023-12-31": 0.9}, "2023-12-31", None, Target(2025, 0.9)
        ),
    }
    behind = behind_target(results, CAT.kpis)
    assert [b.code for b in behind] == ["stations_registered", "membership_rate"]
    assert behind[0].projected == pytest.approx(7.0, abs=0.01)
    assert behind[1].projected == pytest.approx(0.80, abs=0.001)
    assert behind[1].shortfall == pytest.approx(0.1 / 0.9, abs=0.002)


def test_gaps_keep_the_same_kpis_in_every_language():
    """Short of target everywhere: the furthest first (shortfall relative to the target), the same
    five in zh and en (the order once fell to the sentences' text, and the Chinese 短板 of 汉南区
    left out its largest gap while the English one listed it)."""
    rows = [
        # (code, value, target): shortfalls 0.30/0.88 = 34 %, 0.05/0.90 = 6 %, 0.20/0.80 = 25 % …
        ProfileRow("membership_rate", 0.58, 3, 3, 0.8, 0.8, (0.6, 0.58), card("membership_rate", 0.58, 0.88)),
        ProfileRow("union_founding_rate", 0.85, 3, 3, 0.8, 0.8, (0.8, 0.85), card("union_founding_rate", 0.85, 0.90)),
        ProfileRow("nef_membership_rate", 0.60, 3, 3, 0.7, 0.7, (0.5, 0.60), card("nef_membership_rate", 0.60, 0.80)),
    ]
    _, zh = summary(rows, CAT, "甲二县", "zh")
    _, en = summary(rows, CAT, "甲二县", "en")
    order = ["membership_rate", "nef_membership_rate", "union_founding_rate"]
    assert [next(c for c in order if CAT.by_code(c).name("zh") in g) for g in zh] == order
    assert [next(c for c in order if CAT.by_code(c).name("en") in g) for g in en] == order
