"""Exports a planner can hand on (issue 13): numbers as numbers under number formats, a header
block, a frozen header row, sized columns, CSV with a BOM, and the formula guard."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from fixtures import _regions

from uniondash.analysis.profile import profile_export, profile_rows
from uniondash.metrics.kpis import load_catalogue
from uniondash.render.export import Sheet, formula_safe, to_csv_bytes, to_xlsx_bytes

CAT = load_catalogue()
CONTEXT = (("单位", "测试省总工会"), ("数据快照", "2023-12-31"), ("对比快照", "2022-12-31"), ("数据性质", "演示数据"))


def _sheet() -> Sheet:
    frame = pd.DataFrame(
        {
            "县（市、区）": ["甲一区", "甲二县", "乙一县"],
            "工会组建率": [0.9, 0.5, 0.8],  # 90/100, 25/50, 8/10
            "会员": [900, 200, 90],
            "每万名劳动者": [1 / 30 * 10000, 2 / 300 * 10000, float("nan")],
        }
    )
    formats = {"工会组建率": "percent", "会员": "int", "每万名劳动者": "decimal1"}
    return Sheet(frame, formats, CONTEXT)


def _book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def test_xlsx_holds_numbers_under_number_formats_below_a_header_block():
    ws = _book(to_xlsx_bytes(_sheet(), "coverage"))
    # The header block: one (label, value) per row, then a blank row, then the table's header.
    assert [(ws.cell(r, 1).value, ws.cell(r, 2).value) for r in range(1, 5)] == list(CONTEXT)
    assert ws.cell(5, 1).value is None
    assert [c.value for c in ws[6]] == ["县（市、区）", "工会组建率", "会员", "每万名劳动者"]
    assert ws.freeze_panes == "A7"  # the header row stays on screen
    rate, members, per10k = ws["B7"], ws["C7"], ws["D7"]
    assert rate.value == pytest.approx(0.9)
    assert rate.data_type == "n"
    assert rate.number_format == "0.0%"
    assert members.value == 900
    assert members.number_format == "#,##0"
    assert per10k.value == pytest.approx(333.3333, abs=1e-3)
    assert per10k.number_format == "#,##0.0"
    assert ws["D9"].value is None  # unknown stays empty, not "nan"
    assert ws.max_row == 9
    # Columns sized to their contents: the Chinese header counts two units a character.
    assert ws.column_dimensions["A"].width >= 2 * len("县（市、区）")


def test_csv_has_a_bom_and_the_numbers_excel_reads():
    raw = to_csv_bytes(_sheet())
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel and WPS on Chinese Windows
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == "单位,测试省总工会"
    assert lines[3] == "数据性质,演示数据"
    assert lines[4] == ""
    assert lines[5] == "县（市、区）,工会组建率,会员,每万名劳动者"
    assert lines[6] == "甲一区,90.0%,900,333.3"  # not 0.9 nor 333.33333333333
    assert lines[8] == "乙一县,80.0%,90,"


@pytest.mark.parametrize("text", ["=1+1", " =1+1", "\u3000=1", "＝1+1", "|cmd", "+1", "-2", "@SUM(A1)", "\t=1"])
def test_no_text_cell_can_start_a_formula(text):
    df = pd.DataFrame({"name": [text], "n": [-2]})
    assert formula_safe(df).name[0] == "'" + text
    ws = _book(to_xlsx_bytes(df, "t"))
    assert ws["A2"].value == "'" + text
    assert ws["A2"].data_type == "s"
    assert ws["B2"].value == -2  # a negative number is a number, not guarded text
    row = to_csv_bytes(df).decode("utf-8-sig").splitlines()[1]
    assert row.lstrip('"').startswith("'")


def test_plain_text_is_left_alone():
    assert formula_safe(pd.DataFrame({"a": ["正常", "a=b", "1-2"]})).a.tolist() == ["正常", "a=b", "1-2"]


def test_county_profile_export_holds_numbers(fixture_wh):
    per_unit = fixture_wh.run("unit_measures", as_ofs=("2022-12-31", "2023-12-31"))
    targets = fixture_wh.run("targets", as_of="2023-12-31")
    rows = profile_rows(per_unit, CAT, _regions(), "990102", "2023-12-31", ["2022-12-31", "2023-12-31"], targets)
    frame, formats = profile_export(rows, CAT, "zh")
    ws = _book(to_xlsx_bytes(Sheet(frame, formats), "county"))
    header = [c.value for c in ws[1]]
    by_kpi = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    founding = by_kpi["工会组建率"]
    assert founding["数值"] == pytest.approx(0.5)  # 25 / 50, a number under a percent format
    assert founding["全区排名"] == 3
    assert founding["参与排名县数"] == 3
    assert founding["所在市"] == pytest.approx(115 / 150)
    stations = by_kpi["服务职工站点"]
    assert stations["数值"] == 2
    assert stations["目标"] == 3
    assert stations["单位"] == "家"
    cells = {ws.cell(r, 1).value: ws.cell(r, 3) for r in range(2, ws.max_row + 1)}
    assert cells["工会组建率"].number_format == "0.0%"
    assert cells["服务职工站点"].number_format == "#,##0"
    assert len(by_kpi) == len(rows)  # every indicator, none as text
    assert all(not isinstance(v["数值"], str) for v in by_kpi.values())


def test_english_export_headers(fixture_wh):
    per_unit = fixture_wh.run("unit_measures", as_ofs=("2023-12-31",))
    targets = fixture_wh.run("targets", as_of="2023-12-31")
    rows = profile_rows(per_unit, CAT, _regions(), "990102", "2023-12-31", ["2023-12-31"], targets)
    frame, _ = profile_export(rows, CAT, "en")
    assert list(frame.columns)[:3] == ["Indicator", "Unit", "Value"]
    assert "Union founding rate" in set(frame.Indicator)
