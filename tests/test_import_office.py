"""Office files as they come (issue 21): a BOM CSV past 64 KiB, any file and sheet name, title rows
above the header, extra columns, a misspelt header, .xls/.xlsm and a ".xls" that is a web page,
semicolons and tabs, total rows. Each case imports the hand-made fixture's rows and checks the
values that arrive in the snapshot, or the exact file, row, column and header of the refusal."""

from __future__ import annotations

import io
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from fixtures import build_fixture
from import_corpus import english, frame, settings_for, stations_rows, tree_digest

from uniondash.data.importer import error_workbook, expand, import_files
from uniondash.data.importer.contract import specs
from uniondash.data.importer.read import read_source
from uniondash.data.importer.sources import SourceFile
from uniondash.data.warehouse import Warehouse

NEW = "2024-06-30"
VISITS = 200  # the fixture's six stations: 100 + 50 + 0 + 0 + 30 + 20 monthly visits


@pytest.fixture
def data(tmp_path):
    build_fixture(tmp_path / "data")
    return tmp_path / "data"


def run(data, *paths):
    return import_files(expand(list(paths)), NEW, settings_for(data))


def imported(data, sql: str):
    """One row of a query on the new snapshot's tables."""
    wh = Warehouse(data / "snapshots")
    return wh.con.execute(sql.replace("{as_of}", f"'{NEW}'")).fetchone()


def stations_totals(data):
    return imported(data, "select count(*), sum(monthly_visits) from stations where as_of = {as_of}")


def workbook(path, rows: list[list], sheet: str = "Sheet1", merge: str | None = None):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    book.save(path)
    return path


def table_rows(df: pd.DataFrame) -> list[list]:
    return [list(df.columns), *[list(r) for r in df.itertuples(index=False)]]


# 1. The BOM defect: utf-8-sig counted the decoding error after the 3-byte BOM, so a character cut
# at the end of the 64 KiB sample looked like a bad byte and the file was refused.


def _bom_csv_straddling(df: pd.DataFrame, path) -> bytes:
    """df written as Excel's "CSV UTF-8" (pandas to_csv, encoding utf-8-sig), padded in its first
    address until a multi-byte character straddles byte 65,536."""
    for pad in range(400):
        out = df.copy()
        out.iloc[0, list(out.columns).index(out.columns[4])] = "测试路 1 号" + "x" * pad
        out.to_csv(path, index=False, encoding="utf-8-sig")
        raw = path.read_bytes()
        if raw[65536] & 0xC0 == 0x80:  # a continuation byte: the character began before byte 65,536
            return raw
    raise AssertionError("no padding put a character across byte 65,536")


@pytest.mark.parametrize("headers", ["zh", "en"])
def test_a_bom_csv_larger_than_64_kib_with_a_character_across_the_sample_edge(data, tmp_path, headers):
    df = stations_rows(data / "snapshots", 500)  # 3,000 stations
    if headers == "en":
        df = english(df, "stations")
    path = tmp_path / "stations-utf8-bom.csv"
    raw = _bom_csv_straddling(df, path)
    assert raw.startswith(b"\xef\xbb\xbf")
    assert len(raw) > 65536
    assert raw[65536] & 0xC0 == 0x80  # a character cut by the 64 KiB sample
    result = run(data, path)
    assert result.ok, [p.line() for p in result.problems][:5]
    assert result.imported["stations"]["rows"] == 3000
    assert stations_totals(data) == (3000, 500 * VISITS)


# 2. The table told by its header row, whatever the file and sheet are called.


def test_any_file_name_and_sheet1(data, tmp_path):
    path = workbook(tmp_path / "2024年6月站点更新(2).xlsx", table_rows(frame("stations", data / "snapshots")))
    result = run(data, path)
    assert result.ok, [p.line() for p in result.problems]
    assert result.imported["stations"] == {**result.imported["stations"], "sheet": "Sheet1", "rows": 6}
    assert [(p.sheet, p.severity, p.expected_zh) for p in result.warnings] == [
        ("Sheet1", "info", "按表头识别为“服务站点”（stations）表")
    ]
    assert stations_totals(data) == (6, VISITS)


def test_a_gbk_csv_saved_as_a_copy(data, tmp_path):
    path = tmp_path / "站点台账 - 副本.csv"
    path.write_bytes(frame("stations", data / "snapshots").to_csv(index=False).encode("gbk"))
    result = run(data, path)
    assert result.ok, [p.line() for p in result.problems]
    assert stations_totals(data) == (6, VISITS)
    assert imported(data, "select name from stations where as_of = {as_of} and station_id = 'S6'") == ("甲二县新驿站",)


def test_the_name_is_a_hint_only_when_headers_fit_two_tables(data, tmp_path):
    """区划代码 + 层级 fit both regions and region_shapes: the file name decides; with a name that
    names neither, the table missing fewer columns is taken."""
    for name, table in (("regions.csv", "行政区划"), ("区划.csv", "区划边界")):
        path = tmp_path / name
        path.write_text("区划代码,层级\n990101,county\n", encoding="utf-8")
        sources, problems = read_source(SourceFile(name, path), 10)
        assert [s.table for s in sources] == ["regions" if table == "行政区划" else "region_shapes"]
        missing = [p.column for p in problems if p.rule == "columns"]
        assert ("名称" in missing) == (table == "行政区划")


def test_no_table_fits_names_the_closest_tables(data, tmp_path):
    before = tree_digest(data)
    path = workbook(tmp_path / "汇总.xlsx", [["序号", "站点编号", "站点名称", "备注"], [1, "S1", "x", ""]])
    result = run(data, path)
    assert not result.ok
    assert tree_digest(data) == before
    (problem,) = result.problems
    assert (problem.file, problem.sheet, problem.rule) == ("汇总.xlsx", "Sheet1", "table")
    assert "最接近：“服务站点”表匹配 2/20 列：站点编号、站点名称" in problem.expected_zh
    assert f"closest: the {specs()['stations'].name_en} table matches 2 of 20 columns" in problem.expected_en


# 2b. The header row within the first 10 rows; title rows, blank rows and merged titles skipped.


def test_title_rows_and_a_merged_title_above_the_header(data, tmp_path):
    before = tree_digest(data)
    df = frame("stations", data / "snapshots")
    df.loc[2, "星级"] = "9"  # the third station: spreadsheet row 4 + 3 = 7
    rows = [["2024 年服务站点台账"], ["填报单位：甲市总工会", None, None, "日期：2024-06-30"], [], *table_rows(df)]
    path = workbook(tmp_path / "台账.xlsx", rows, merge="A1:T1")
    result = run(data, path)
    assert tree_digest(data) == before
    (bad,) = result.problems
    assert (bad.file, bad.sheet, bad.row, bad.column, bad.value) == ("台账.xlsx", "Sheet1", 7, "星级", "9")
    skipped = next(p for p in result.warnings if p.rule == "header_row")
    assert skipped.expected_zh == "表头在第 4 行；其上的第 1–3 行（标题行、空行）已跳过"
    df.loc[2, "星级"] = "3"
    rows = [["2024 年服务站点台账"], [], [], *table_rows(df)]
    good = run(data, workbook(tmp_path / "台账.xlsx", rows, merge="A1:T1"))
    assert good.ok, [p.line() for p in good.problems]
    assert stations_totals(data) == (6, VISITS)


def test_title_rows_in_a_csv_keep_the_row_numbers(data, tmp_path):
    df = frame("stations", data / "snapshots")
    df.loc[4, "经度"] = "abc"  # the fifth station
    text = "服务站点台账（2024 年 6 月）\n\n" + df.to_csv(index=False)
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    result = run(data, path)
    (bad,) = [p for p in result.problems if p.rule != "station_in_county"]
    assert (bad.file, bad.row, bad.column, bad.value) == ("export.csv", 8, "经度", "abc")  # 3 + 5


# 3. Unknown columns ignored with a warning; a missing one suggests the closest header.


def test_extra_columns_are_ignored_and_named(data, tmp_path):
    df = frame("stations", data / "snapshots")
    df.insert(0, "序号", range(1, 7))
    df["备注"] = "已核对"
    path = workbook(tmp_path / "服务站点.xlsx", table_rows(df), sheet="服务站点")
    result = run(data, path)
    assert result.ok, [p.line() for p in result.problems]
    ignored = [(p.row, p.column, p.severity) for p in result.warnings]
    assert ignored == [(1, "A 序号", "warning"), (1, "V 备注", "warning")]
    assert result.warnings[0].expected_zh == "列“序号”不是“服务站点”表的列，已忽略"
    assert stations_totals(data) == (6, VISITS)


def test_a_missing_column_suggests_the_closest_header(data, tmp_path):
    before = tree_digest(data)
    df = frame("stations", data / "snapshots").rename(columns={"站点名称": "站点名"})
    path = tmp_path / "stations.csv"
    path.write_text(df.to_csv(index=False), encoding="utf-8")
    result = run(data, path)
    assert tree_digest(data) == before
    missing = next(p for p in result.problems if p.rule == "columns")
    assert (missing.file, missing.row, missing.column) == ("stations.csv", 1, "站点名称")
    assert missing.expected_zh == "包含列“站点名称”（name）；文件中的“站点名”是否就是这一列？请把表头改为“站点名称”"
    assert [p.column for p in result.warnings if p.rule == "unknown_column"] == ["B 站点名"]


def test_cli_prints_warnings_on_stderr_and_exits_zero(data, tmp_path):
    df = frame("stations", data / "snapshots")
    df["备注"] = ""
    path = tmp_path / "站点台账 - 副本.csv"
    path.write_text(df.to_csv(index=False), encoding="utf-8")
    env = {"UNIONDASH_DATA": str(data), "UNIONDASH_REGION": "990000", "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "uniondash", "import", str(path), "--as-of", NEW]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 条警告或提示（不影响导入）" in out.stderr
    assert "警告，站点台账 - 副本.csv，第 1 行，列“U 备注”：列“备注”不是“服务站点”表的列，已忽略" in out.stderr
    assert f"snapshots/{NEW}" in out.stdout


def test_the_error_workbook_lists_warnings_after_errors(data, tmp_path):
    df = frame("stations", data / "snapshots")
    df["备注"] = ""
    df.loc[1, "站点类型"] = "evil_kind"
    path = tmp_path / "stations.csv"
    path.write_text(df.to_csv(index=False), encoding="utf-8")
    result = run(data, path)
    book = openpyxl.load_workbook(io.BytesIO(error_workbook(result.problems + result.warnings, result.sources)))
    listing = [[c.value for c in row] for row in book["错误清单"].iter_rows(min_row=2)]
    assert [(r[6], r[2], r[3]) for r in listing] == [("错误", 3, "站点类型"), ("警告", 1, "U 备注")]


# 4. Formats: .xls (BIFF, written by xlwt), .xlsm, a ".xls" that is a web page or XML 2003,
# semicolons and tabs.


def _xls(df: pd.DataFrame, path, total: bool = False):
    """A real Excel 97–2003 workbook (BIFF8 in a compound document, written by xlwt) with date,
    number and boolean cells, and if asked a 合计 row under the stations summing a column."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Sheet1")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for j, name in enumerate(df.columns):
        ws.write(0, j, name)
    for i, row in enumerate(df.itertuples(index=False), start=1):
        for j, (name, value) in enumerate(zip(df.columns, row, strict=True)):
            if name == "启用日期":
                ws.write(i, j, pd.Timestamp(value).to_pydatetime(), date_style)  # a date cell
            elif name in ("月服务人次", "星级", "经度", "纬度"):
                ws.write(i, j, float(value))  # a number cell
            elif name == "24小时开放":
                ws.write(i, j, value == "TRUE")  # a boolean cell
            else:
                ws.write(i, j, value)
    if total:
        ws.write(len(df) + 1, 0, "合计")
        ws.write(len(df) + 1, 19, xlwt.Formula(f"SUM(T2:T{len(df) + 1})"))
    book.save(str(path))
    return path


def test_a_legacy_xls_workbook(data, tmp_path):
    df = frame("stations", data / "snapshots")
    path = _xls(df, tmp_path / "站点.xls", total=True)
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a real compound document
    before = tree_digest(data)
    result = run(data, path)
    assert tree_digest(data) == before
    (total,) = result.problems
    where = (total.file, total.sheet, total.row, total.column, total.rule)
    assert where == ("站点.xls", "Sheet1", 8, "站点编号", "total_row")
    assert total.expected_zh.startswith("明细行：第 8 行是合计行")
    result = run(data, _xls(df, path))
    assert result.ok, [p.line() for p in result.problems]
    assert stations_totals(data) == (6, VISITS)
    assert imported(data, "select opened_on, is_24h from stations where as_of = {as_of} and station_id = 'S1'") == (
        pd.Timestamp("2021-03-01").date(),
        True,
    )


def test_an_xlsm_workbook(data, tmp_path):
    path = workbook(tmp_path / "站点更新.xlsm", table_rows(frame("stations", data / "snapshots")))
    result = run(data, path)
    assert result.ok, [p.line() for p in result.problems]
    assert stations_totals(data) == (6, VISITS)


@pytest.mark.parametrize(
    ("body", "words", "words_en"),
    [
        (
            "<html><head><meta charset='utf-8'></head><body><table><tr><td>站点编号</td></tr></table></body></html>",
            "其实是网页（HTML）表格",
            "is in fact a web page (HTML) table",
        ),
        (
            '<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="Sheet1"/></Workbook>',
            "其实是“XML 电子表格 2003”",
            "is in fact an 'XML Spreadsheet 2003'",
        ),
    ],
)
def test_a_xls_that_is_really_html_or_xml_2003(data, tmp_path, body, words, words_en):
    before = tree_digest(data)
    path = tmp_path / "站点导出.xls"
    path.write_bytes(body.encode("utf-8"))
    result = run(data, path)
    assert tree_digest(data) == before
    (problem,) = result.problems
    assert (problem.file, problem.row, problem.rule) == ("站点导出.xls", None, "format")
    assert words in problem.expected_zh
    assert "另存为" in problem.expected_zh
    assert "*.xlsx" in problem.expected_zh
    assert words_en in problem.expected_en
    assert "Save As" in problem.expected_en


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated(data, tmp_path, sep):
    df = frame("coverage", data / "snapshots")
    df.loc[0, "职工人数"] = "1,000"  # a number as text with a thousands separator, inside a field
    path = tmp_path / "coverage-export.csv"
    path.write_text(df.to_csv(index=False, sep=sep), encoding="utf-8")
    result = run(data, path)
    assert result.ok, [p.line() for p in result.problems]
    assert imported(data, "select count(*), sum(employees), sum(members) from coverage where as_of = {as_of}") == (
        3,
        1500,
        1190,
    )


# 5. Total rows; numbers and dates typed as text still import.


def test_a_total_row_is_named_as_such(data, tmp_path):
    before = tree_digest(data)
    df = frame("coverage", data / "snapshots")
    total = {c: str(pd.to_numeric(df[c]).sum()) for c in df.columns[1:]}
    df = pd.concat([df, pd.DataFrame([{"区划代码": "合 计", **total}])], ignore_index=True)
    path = tmp_path / "组建入会.csv"
    path.write_text(df.to_csv(index=False), encoding="utf-8")
    result = run(data, path)
    assert tree_digest(data) == before
    (problem,) = result.problems
    assert (problem.file, problem.row, problem.column, problem.value) == ("组建入会.csv", 5, "区划代码", "合 计")
    assert problem.expected_zh == "明细行：第 5 行是合计行（“区划代码”为“合 计”）。汇总行不导入，请删去这一行"


def test_a_subtotal_in_the_name_cell(data, tmp_path):
    df = frame("stations", data / "snapshots")
    df.loc[3, "站点名称"] = "小计"
    path = workbook(tmp_path / "stations.xlsx", table_rows(df), sheet="stations")
    result = run(data, path)
    (problem,) = [p for p in result.problems if p.rule == "total_row"]
    assert (problem.sheet, problem.row, problem.column) == ("stations", 5, "站点名称")
    assert "第 5 行是小计行" in problem.expected_zh


def test_numbers_and_dates_typed_as_text(data, tmp_path):
    df = frame("stations", data / "snapshots")
    df.loc[0, "月服务人次"] = "12,345"
    df.loc[1, "启用日期"] = "2023/5/1"
    path = workbook(tmp_path / "stations.xlsx", table_rows(df), sheet="Sheet1")
    result = run(data, path)
    assert result.ok, [p.line() for p in result.problems]
    assert stations_totals(data) == (6, VISITS - 100 + 12345)
    assert imported(data, "select opened_on from stations where as_of = {as_of} and station_id = 'S2'") == (
        pd.Timestamp("2023-05-01").date(),
    )


def test_a_xls_that_is_tab_separated_text(data, tmp_path):
    """Systems export tab-separated text under the name .xls: read as the CSV it is, with a note."""
    df = frame("stations", data / "snapshots")
    path = tmp_path / "站点导出.xls"
    path.write_bytes(df.to_csv(index=False, sep="\t").encode("gbk"))
    result = run(data, path)
    assert result.ok, [p.line() for p in result.problems]
    assert [p.rule for p in result.warnings] == ["format", "table"]
    assert result.warnings[0].expected_zh == "这个“.xls”文件其实是文本表格（以制表符或逗号分隔），已按 CSV 读取"
    assert stations_totals(data) == (6, VISITS)


def test_a_header_broken_over_two_lines_in_its_cell(data, tmp_path):
    df = frame("stations", data / "snapshots").rename(columns={"站点名称": "站点\n名称", "月服务人次": "月服务 人次"})
    path = workbook(tmp_path / "stations.xlsx", table_rows(df))
    result = run(data, path)
    assert result.ok, [p.line() for p in result.problems]
    assert stations_totals(data) == (6, VISITS)
