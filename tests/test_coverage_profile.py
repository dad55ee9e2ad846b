"""Coverage arithmetic, the county profile and exports, on the hand-made fixture."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from fixtures import _regions

from uniondash.analysis.coverage import gap_table, group_values, nef_breakdown, trend_by_group
from uniondash.analysis.overview import unit_wide
from uniondash.analysis.profile import profile_rows, summary
from uniondash.metrics.kpis import load_catalogue
from uniondash.render.export import formula_safe, to_csv_bytes, to_xlsx_bytes

CAT = load_catalogue()
NAMES = dict(zip(_regions().adcode, _regions().name))
PARENTS = {"990101": "990100", "990102": "990100", "990201": "990200"}
COUNTIES = ["990101", "990102", "990201"]


@pytest.fixture
def wide(fixture_wh):
    return unit_wide(fixture_wh.run("unit_measures", as_ofs=("2023-12-31",)), "2023-12-31")


def test_city_rate_from_two_counties_is_recomputed_from_counts(wide):
    rate = group_values(wide, CAT.by_code("membership_rate"), PARENTS)
    # 甲市: (900 + 200) / (1000 + 400) = 0.7857…, not the mean of 0.9 and 0.5 (0.7).
    assert rate["990100"] == pytest.approx(1100 / 1400)
    assert rate["990200"] == pytest.approx(0.9)


def test_gap_table_members_needed(wide):
    table = gap_table(wide, CAT.by_code("membership_rate"), COUNTIES, 0.88, NAMES, PARENTS).set_index("adcode")
    # 甲二县: 200 of 400 members; 88% needs ceil(0.88 × 400 − 200) = 152 more.
    assert table.loc["990102", "needed"] == 152
    assert table.loc["990102", "gap_pp"] == pytest.approx(38.0)
    assert table.loc["990101", "needed"] == 0
    assert table.loc["990201", "needed"] == 0
    assert table.loc["990102", "rank"] == 3
    assert table.loc["990102", "city"] == "甲市"


def test_trend_by_group(fixture_wh):
    per_unit = fixture_wh.run("unit_measures", as_ofs=("2022-12-31", "2023-12-31"))
    wides = {a: unit_wide(per_unit, a) for a in ["2022-12-31", "2023-12-31"]}
    trend = trend_by_group(wides, CAT.by_code("union_founding_rate"), PARENTS)
    got = {(a, g): v for a, g, v in zip(trend.as_of, trend.group, trend.value)}
    assert got[("2022-12-31", "990100")] == pytest.approx(110 / 150)  # 80 + 30
    assert got[("2023-12-31", "990100")] == pytest.approx(115 / 150)  # 90 + 25


def test_nef_breakdown(wide):
    nef = nef_breakdown(wide, COUNTIES).set_index("group")
    assert nef.loc["courier", "workers"] == 100
    assert nef.loc["courier", "members"] == 40
    assert nef.loc["all", "workers"] == 380
    assert nef.loc["all", "rate"] == pytest.approx(115 / 380)


def test_profile_rows_and_summary(fixture_wh):
    per_unit = fixture_wh.run("unit_measures", as_ofs=("2022-12-31", "2023-12-31"))
    targets = fixture_wh.run("targets", as_of="2023-12-31")
    rows = {
        r.code: r
        for r in profile_rows(per_unit, CAT, _regions(), "990102", "2023-12-31", ["2022-12-31", "2023-12-31"], targets)
    }
    founding = rows["union_founding_rate"]
    assert founding.value == pytest.approx(0.5)
    assert founding.rank == 3
    assert founding.n == 3
    assert founding.city == pytest.approx(115 / 150)
    assert founding.region == pytest.approx(123 / 160)
    assert founding.trend == pytest.approx((0.6, 0.5))
    assert rows["stations_registered"].target == 3.0  # the county's own target
    assert "work_groups" not in rows  # region-only figures have no county value
    strengths, gaps = summary(list(rows.values()), CAT, "甲二县", "zh")
    assert any("工会组建率 50.0%" in g and "第 3 位" in g for g in gaps)
    assert all("甲二县" not in s or "第" in s for s in strengths)


def test_exports_cannot_start_a_formula():
    df = pd.DataFrame({"name": ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "正常"], "n": [1, 2, 3, 4, 5]})
    safe = formula_safe(df)
    assert list(safe.name) == ['\'=HYPERLINK("http://x")', "'+1", "'-2", "'@SUM(A1)", "正常"]
    assert list(safe.n) == [1, 2, 3, 4, 5]
    csv = to_csv_bytes(df).decode("utf-8-sig")
    assert csv.splitlines()[1].startswith("\"'=HYPERLINK")
    assert csv.splitlines()[2] == "'+1,2"
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx_bytes(df, "t"))).active
    assert sheet["A2"].value == '\'=HYPERLINK("http://x")'
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 1
