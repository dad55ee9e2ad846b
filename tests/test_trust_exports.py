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
    assert founding["全省排名"] == 3
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


# The row count in the header block is a number (issue "The questions leaders and planners ask"):
# a number cell under a number format in the XLSX, digits Excel reads as a number in the CSV.
COUNTED = (*CONTEXT, ("导出时间（北京时间）", "2030-01-02 09:30"), ("行数", 12_345))


def test_row_count_is_a_number_cell():
    ws = _book(to_xlsx_bytes(Sheet(_sheet().frame, _sheet().formats, COUNTED), "stations"))
    label, count = ws.cell(6, 1), ws.cell(6, 2)
    assert label.value == "行数"
    assert count.value == 12_345
    assert count.data_type == "n"  # not the text "12,345"
    assert count.number_format == "#,##0"  # shown with a thousands separator all the same
    assert ws.cell(5, 2).data_type == "s"  # the time stays text
    lines = to_csv_bytes(Sheet(_sheet().frame, _sheet().formats, COUNTED)).decode("utf-8-sig").splitlines()
    assert lines[5] == "行数,12345"  # "12,345" would be quoted text to a CSV reader


def test_export_context_gives_the_row_count_as_a_number(monkeypatch):
    from types import SimpleNamespace

    from uniondash.metrics.scope import Scope
    from uniondash.ui import parts

    monkeypatch.setattr(parts, "_now_in_region", lambda: "2030-01-02 09:30")
    monkeypatch.setattr(
        parts, "carried_line", lambda _view: None
    )  # no round made this snapshot (tests/test_rounds_app.py)
    settings = SimpleNamespace(org_name_zh="测试省总工会", org_name_en="Test FTU")
    view = SimpleNamespace(
        lang="zh",
        settings=settings,
        snapshot="2023-12-31",
        compare=None,
        is_demo=False,
        scope=Scope("990000", (), (), ("990101",), ("990000",)),
    )
    context = parts.export_context(view, "站点列表", rows=8299)
    assert context[-1] == ("行数", 8299)
    assert isinstance(context[-1][1], int)
    ws = _book(to_xlsx_bytes(Sheet(pd.DataFrame({"a": [1]}), {}, context), "stations"))
    count = ws.cell(len(context), 2)
    assert (count.value, count.data_type) == (8299, "n")


def _view(lang: str, cities=(), counties=()):
    """What file_scope reads of a View: language, scope and the units' names."""
    from types import SimpleNamespace

    from uniondash.metrics.scope import Scope

    names = {"990100": "甲市", "990200": "乙市", "990101": "甲一区", "990102": "甲二县", "990201": "乙一县"}
    scope = Scope("990000", tuple(cities), tuple(counties), tuple(counties), tuple(counties or cities))
    return SimpleNamespace(lang=lang, scope=scope, names=lambda: names)


@pytest.mark.parametrize(
    ("lang", "cities", "counties", "expected"),
    [
        ("zh", (), (), "全省"),
        ("en", (), (), "whole-province"),
        ("zh", ("990100",), (), "甲市"),
        ("zh", ("990100",), ("990101",), "甲一区"),
        ("zh", (), ("990101", "990102"), "甲一区、甲二县"),
        ("zh", (), ("990101", "990102", "990201"), "甲一区、甲二县等3个"),
        ("en", (), ("990101", "990102", "990201"), "甲一区、甲二县+1"),
    ],
)
def test_file_scope_names_the_scope(lang, cities, counties, expected):
    from uniondash.ui.parts import file_scope

    assert file_scope(_view(lang, cities, counties)) == expected


@pytest.mark.parametrize(
    ("name", "scope", "stem"),
    [
        ("stations-2023-12-31", "枣阳市", "stations-枣阳市-2023-12-31"),  # the scope before the snapshot date
        ("county-420683-awards-2023-12-31", "枣阳市", "county-420683-awards-枣阳市-2023-12-31"),
        ("medals-county-all", "襄阳市", "medals-county-襄阳市-all"),  # … before "all" years
        ("trades-2023", "全区", "trades-全区-2023"),  # … before a year
        ("coverage", "甲市", "coverage-甲市"),  # a name without a period: at the end
        ("stations-2023-12-31", "", "stations-2023-12-31"),
        ("stations-2023-12-31", 'a/b\\c:d*e?f"g<h>i|j', "stations-a_b_c_d_e_f_g_h_i_j-2023-12-31"),
        ("stations-2023-12-31", "..\\..\\etc", "stations-etc-2023-12-31"),  # no way up a folder
        ("stations-2023-12-31", "甲\u202e市\t一区", "stations-甲_市_一区-2023-12-31"),  # control and bidi characters
        ("stations-2023-12-31", " . ", "stations-2023-12-31"),  # nothing left of the scope
        ("CON", "", "_CON"),  # a device name Windows reserves
        ("nul", "", "_nul"),
        ("stations-2023-12-31", "长" * 100, "stations-" + "长" * 40 + "-2023-12-31"),  # cut the scope, not the date
    ],
)
def test_file_names_carry_the_scope_and_open_on_any_desktop(name, scope, stem):
    from uniondash.render.export import file_stem

    got = file_stem(name, scope)
    assert got == stem
    assert not set(got) & set('<>:"/\\|?*')
    assert all(ord(ch) >= 32 for ch in got)
    assert not got.endswith((".", " "))
    assert len(f"{got}.xlsx".encode()) <= 255  # a name ext4 takes (bytes) as well as Windows (characters)


def test_export_buttons_offer_the_scoped_name():
    from uniondash.ui.parts import LaterSheet, export_file_stem

    frame = pd.DataFrame({"a": [1]})
    assert export_file_stem(Sheet(frame, scope="枣阳市"), "stations-2023-12-31") == "stations-枣阳市-2023-12-31"
    later = LaterSheet(lambda: Sheet(frame), "枣阳市")
    assert export_file_stem(later, "stations-2023-12-31") == "stations-枣阳市-2023-12-31"
    assert export_file_stem(lambda: Sheet(frame), "stations-2023-12-31") == "stations-2023-12-31"


def test_export_sheet_writes_its_header_block_at_the_click_stamped_when_drawn(monkeypatch):
    """A page draws every export button on every rerun and few are clicked: the header block is
    written at the click, the same as if written while drawing, with the time the page was drawn."""
    from types import SimpleNamespace

    from uniondash.metrics.scope import Scope
    from uniondash.text.i18n import t
    from uniondash.ui import parts

    clock = iter(["2030-01-02 09:30", "2030-01-02 09:45", "2030-01-02 10:00"])
    monkeypatch.setattr(parts, "_now_in_region", lambda: next(clock))
    carried = []
    monkeypatch.setattr(parts, "carried_line", lambda view: carried.append(view) or "沿用 2023-12-31：甲一区")
    view = SimpleNamespace(
        lang="zh",
        settings=SimpleNamespace(org_name_zh="测试省总工会", org_name_en="Test FTU"),
        snapshot="2023-12-31",
        compare="2022-12-31",
        is_demo=True,
        scope=Scope("990000", (), (), ("990101",), ("990000",)),
    )
    frame = pd.DataFrame({"a": [1, 2]})
    formats = {"a": "int"}
    later = parts.export_sheet(view, "站点列表", frame, formats, ["站点类型：爱心驿站"])
    formats["a"] = "date"  # the page's dict changing afterwards changes nothing
    assert carried == []  # nothing of the header block is worked out while the page draws
    sheet = later()
    assert carried == [view]
    assert (sheet.frame is frame, sheet.formats, sheet.scope) == (True, {"a": "int"}, later.scope)
    drawn = parts.export_context(view, "站点列表", ["站点类型：爱心驿站"], rows=2, at="2030-01-02 09:30")
    assert sheet.context == drawn
    assert dict(sheet.context)[t("export.exported_at", "zh")] == "2030-01-02 09:30"  # when drawn, not clicked
    assert dict(sheet.context)[t("export.rows", "zh")] == 2
