"""The importer on a corpus of bad files (tests/import_corpus): every kind of error is named with its
file, spreadsheet row and column, all at once, and the data folder stays byte-identical; good files
(also in GBK and with a BOM) become a snapshot that carries the tables not given."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
import zipfile

import openpyxl
import pandas as pd
import pytest
from fixtures import build_fixture
from import_corpus import export_fixture, frame, settings_for, tree_digest, write_csv

from uniondash.data.importer import error_workbook, expand, import_files, to_frame
from uniondash.data.snapshots import list_snapshots
from uniondash.data.warehouse import Warehouse

NEW = "2024-06-30"


@pytest.fixture
def data(tmp_path):
    build_fixture(tmp_path / "data")
    return tmp_path / "data"


def run(data, *paths, **changes):
    return import_files(expand(list(paths)), NEW, settings_for(data, **changes.pop("settings", {})), **changes)


def assert_refused(data, result, before, *expected):
    """Nothing written; each expected (file, row, column, words) is among the problems."""
    assert not result.ok
    assert tree_digest(data) == before, "the data folder changed"
    lines = [p.line("zh") for p in result.problems]
    for file, row, column, words in expected:
        hits = [
            p
            for p in result.problems
            if p.file == file and p.row == row and (column is None or column in (p.column or ""))
        ]
        assert hits, f"no problem for {file} row {row} column {column}: {lines}"
        assert any(words in p.expected_zh for p in hits), f"{words!r} not in {[p.expected_zh for p in hits]}"


def stations_csv(data, tmp_path, edit=None, name="stations.csv", encoding="utf-8"):
    df = frame("stations", data / "snapshots")
    if edit:
        edit(df)
    return write_csv(df, tmp_path / name, encoding)


def test_a_good_csv_becomes_a_snapshot_carrying_the_other_tables(data, tmp_path):
    path = stations_csv(data, tmp_path)
    result = run(data, path)
    assert result.ok, [p.line() for p in result.problems]
    manifest = json.loads((data / "snapshots" / NEW / "manifest.json").read_text())
    assert manifest["source"] == "import"
    imported = manifest["import"]["imported"]["stations"]
    assert imported["file"] == "stations.csv"
    assert len(imported["sha256"]) == 64
    old = json.loads((data / "snapshots" / "2023-12-31" / "manifest.json").read_text())
    carried = manifest["import"]["carried"]
    assert set(carried) == set(old["tables"]) - {"stations"}
    for table, entry in carried.items():
        assert entry["from"] == "2023-12-31"
        assert manifest["tables"][table]["sha256"] == old["tables"][table]["sha256"]  # byte for byte
    wh = Warehouse(data / "snapshots")
    assert wh.as_ofs[-1] == NEW
    count = "select count(*) from stations where as_of = ?"
    assert wh.con.execute(count, [NEW]).fetchone() == wh.con.execute(count, ["2023-12-31"]).fetchone()


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_gbk_and_bom_variants_of_a_good_file(data, tmp_path, encoding):
    path = stations_csv(data, tmp_path, name="服务站点.csv", encoding=encoding)
    result = run(data, path)
    assert result.ok, [p.line() for p in result.problems]
    wh = Warehouse(data / "snapshots")
    names = wh.con.execute("select name from stations where as_of = ? order by station_id", [NEW]).df().name
    assert "甲二县新驿站" in set(names)  # Chinese text came through whichever the encoding


def test_an_undecodable_csv_names_the_encodings_tried(data, tmp_path):
    before = tree_digest(data)
    path = tmp_path / "stations.csv"
    path.write_bytes(frame("stations", data / "snapshots").to_csv(index=False).encode("utf-16"))
    result = run(data, path)
    assert_refused(data, result, before, ("stations.csv", None, None, "UTF-8, GB18030"))


def test_every_error_kind_at_once_with_file_row_and_column(data, tmp_path):
    """Rows are as the spreadsheet numbers them: the header is row 1, the first station row 2."""
    before = tree_digest(data)

    def edit(df):
        df.loc[1, "站点类型"] = "evil_kind"  # row 3: unknown enum value
        df.loc[2, "经度"] = "abc"  # row 4: wrong type
        df.loc[3, "站点名称"] = ""  # row 5: empty required value
        df.loc[4, "启用日期"] = "2023-02-30"  # row 6: impossible date
        df.loc[5, "站点编号"] = df.loc[0, "站点编号"]  # row 7 (and row 2): duplicate key
        df.loc[2, "区划代码"] = "999999"  # row 4: unknown adcode
        df.loc[0, "经度"] = "114.9"  # row 2: outside 甲一区 (east edge 114.075)
        df.loc[1, "星级"] = "9"  # row 3: out of range

    path = stations_csv(data, tmp_path, edit)
    result = run(data, path)
    assert_refused(
        data,
        result,
        before,
        ("stations.csv", 3, "站点类型", "outdoor_rest, nursing_room, mental_care"),
        ("stations.csv", 4, "经度", "数字"),
        ("stations.csv", 5, "站点名称", "必填"),
        ("stations.csv", 6, "启用日期", "日期"),
        ("stations.csv", 7, "站点编号", "唯一"),
        ("stations.csv", 2, "站点编号", "第 7 行"),
        ("stations.csv", 4, "区划代码", "县级单位"),
        ("stations.csv", 2, "经度, 纬度", "公里"),
        ("stations.csv", 3, "星级", "1 到 5"),
    )
    outside = next(p for p in result.problems if p.rule == "station_in_county")
    assert "距边界 79.0" in outside.expected_zh  # (114.9 − 114.075)° × 111.32 km × cos 30.6° ≈ 79.0 km
    english = to_frame(result.problems, "en")
    assert list(english.columns) == ["File", "Sheet", "Row", "Column", "Value", "Expected"]
    assert "one of: outdoor_rest" in " ".join(english.Expected)


def test_members_above_employees_and_unionised_above_legal_units(data, tmp_path):
    before = tree_digest(data)
    df = frame("coverage", data / "snapshots")
    df.loc[0, "会员人数"] = "5000"  # row 2: 甲一区 has 1,000 employees
    df.loc[1, "已建会法人单位数"] = "60"  # row 3: 甲二县 has 50 legal units
    path = write_csv(df, tmp_path / "组建入会.csv")
    result = run(data, path)
    assert_refused(
        data,
        result,
        before,
        ("组建入会.csv", 2, "会员人数", "职工人数"),
        ("组建入会.csv", 3, "已建会法人单位数", "法人单位数"),
    )


def test_missing_and_unknown_columns(data, tmp_path):
    before = tree_digest(data)

    def edit(df):
        del df["地址"]
        df["备注"] = "x"

    result = run(data, stations_csv(data, tmp_path, edit))
    assert_refused(data, result, before, ("stations.csv", 1, "地址", "包含列"))
    ignored = [p for p in result.warnings if p.rule == "unknown_column"]
    assert [(p.file, p.row, p.column, p.severity) for p in ignored] == [("stations.csv", 1, "T 备注", "warning")]
    assert not any(p.rule == "unknown_column" for p in result.problems)


def test_headers_may_be_the_contract_names(data, tmp_path):
    from uniondash.data.importer.contract import specs

    df = frame("stations", data / "snapshots")
    df.columns = [c.name for c in specs()["stations"].columns]
    result = run(data, write_csv(df, tmp_path / "stations.csv"))
    assert result.ok, [p.line() for p in result.problems]


def test_empty_header_only_and_oversized_files(data, tmp_path):
    before = tree_digest(data)
    empty = tmp_path / "stations.csv"
    empty.write_bytes(b"")
    assert_refused(data, run(data, empty), before, ("stations.csv", None, None, "为空"))
    header_only = tmp_path / "coverage.csv"
    header_only.write_text(",".join(frame("coverage", data / "snapshots").columns) + "\n", encoding="utf-8")
    assert_refused(data, run(data, header_only), before, ("coverage.csv", None, None, "至少一行数据"))
    big = stations_csv(data, tmp_path)
    result = run(data, big, settings={"import_max_mb": 0.0001})
    assert_refused(data, result, before, ("stations.csv", None, None, "超过上限"))


def test_a_file_named_for_no_table_is_told_by_its_headers(data, tmp_path):
    path = stations_csv(data, tmp_path, name="my_stations.csv")
    result = run(data, path)
    assert result.ok, [p.line() for p in result.problems]
    assert result.imported["stations"]["file"] == "my_stations.csv"
    assert [p.expected_zh for p in result.warnings] == ["按表头识别为“服务站点”（stations）表"]


def test_as_of_in_the_future_and_existing(data, tmp_path):
    before = tree_digest(data)
    path = stations_csv(data, tmp_path)
    future = import_files(expand([path]), "2999-01-01", settings_for(data))
    assert_refused(data, future, before, ("--as-of", None, None, "不晚于今天"))
    existing = import_files(expand([path]), "2023-12-31", settings_for(data))
    assert_refused(data, existing, before, ("--as-of", None, None, "--replace"))
    impossible = import_files(expand([path]), "2024-02-30", settings_for(data))
    assert_refused(data, impossible, before, ("--as-of", None, None, "YYYY-MM-DD"))


def test_today_in_the_region_time_zone_is_not_the_future(data, tmp_path, monkeypatch):
    """At 07:00 Beijing time it is still yesterday in UTC: today's data must import all the same."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from uniondash.data import snapshots

    morning = dt.datetime(2024, 6, 30, 7, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return morning.astimezone(tz) if tz else morning.replace(tzinfo=None)

    monkeypatch.setattr(snapshots.dt, "datetime", Clock)
    assert snapshots.region_today("Asia/Shanghai") == dt.date(2024, 6, 30)
    result = run(data, stations_csv(data, tmp_path))
    assert result.ok, [p.line() for p in result.problems]
    manifest = json.loads((data / "snapshots" / NEW / "manifest.json").read_text())
    assert manifest["created_at"].startswith("2024-06-29T23:00")  # UTC, the day before
    assert [s.ok for s in list_snapshots(data / "snapshots")] == [True, True, True]


def test_replace_keeps_the_old_snapshot_aside(data, tmp_path):
    path = stations_csv(data, tmp_path)
    result = import_files(expand([path]), "2023-12-31", settings_for(data), replace=True)
    assert result.ok, [p.line() for p in result.problems]
    assert result.replaced is not None
    assert result.replaced.is_dir()
    assert result.replaced.parent == data / "replaced"
    old = json.loads((result.replaced / "manifest.json").read_text())
    assert old["as_of"] == "2023-12-31"
    assert old["source"] == "demo"
    assert [s.as_of for s in list_snapshots(data / "snapshots") if s.ok] == ["2022-12-31", "2023-12-31"]


def write_workbook(path, sheets: dict, formula: tuple | None = None):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, df in sheets.items():
        ws = book.create_sheet(name)
        ws.append(list(df.columns))
        for row in df.itertuples(index=False):
            ws.append(list(row))
    if formula:
        sheet, cell, text = formula
        book[sheet][cell] = text
    book.save(path)
    return path


def test_a_formula_cell_is_refused_by_its_cell(data, tmp_path):
    before = tree_digest(data)
    df = frame("coverage", data / "snapshots")
    path = write_workbook(tmp_path / "组建入会.xlsx", {"组建入会": df}, formula=("组建入会", "F3", "=E3*0.9"))
    result = run(data, path)
    assert_refused(data, result, before, ("组建入会.xlsx", 3, "会员人数", "公式"))
    formula = next(p for p in result.problems if p.rule == "formula")
    assert (formula.sheet, formula.row, formula.column, formula.column_key) == ("组建入会", 3, "会员人数", "members")
    assert "F3" in formula.expected_zh


def test_a_workbook_with_several_sheets(data, tmp_path):
    """Each sheet's table is told by its headers; 说明 is skipped by name; a sheet named Sheet2
    holding the targets is the targets; a sheet that is no table is skipped with a warning."""
    sheets = {
        "服务站点": frame("stations", data / "snapshots"),
        "coverage": frame("coverage", data / "snapshots"),
        "说明": frame("targets", data / "snapshots"),
        "Sheet2": frame("targets", data / "snapshots"),
        "Sheet3": pd.DataFrame({"备注": ["以上数据已经审核"]}),
    }
    result = run(data, write_workbook(tmp_path / "月报.xlsx", sheets))
    assert result.ok, [p.line() for p in result.problems]
    assert set(result.imported) == {"stations", "coverage", "targets"}
    assert result.imported["stations"]["sheet"] == "服务站点"
    assert result.imported["targets"]["sheet"] == "Sheet2"
    notes = {(p.sheet, p.severity, p.rule) for p in result.warnings}
    assert notes == {("Sheet2", "info", "table"), ("Sheet3", "warning", "sheet")}
    skipped = next(p for p in result.warnings if p.sheet == "Sheet3")
    assert "没有一个单元格是任何数据表的列名" in skipped.expected_zh


def test_exported_xlsx_templates_import_as_they_are_and_numbers_typed_as_numbers(data, tmp_path):
    out = export_fixture(data / "snapshots", tmp_path / "export")
    book = openpyxl.load_workbook(out / "服务站点.xlsx")
    ws = book["服务站点"]
    ws["D2"] = 990101  # an adcode typed as a number, as Excel users do
    book.save(out / "服务站点.xlsx")
    result = run(data, out)
    assert result.ok, [p.line() for p in result.problems]
    assert set(result.imported) == {
        "regions", "region_shapes", "coverage", "nef_membership", "stations", "competitions",
        "competition_results", "indicators", "targets", "demand_points",
    }  # fmt: skip


def test_error_workbook_highlights_the_offending_cells(data, tmp_path):
    def edit(df):
        df.loc[1, "站点类型"] = "evil_kind"

    result = run(data, stations_csv(data, tmp_path, edit))
    book_path = tmp_path / "errors.xlsx"
    book_path.write_bytes(error_workbook(result.problems, result.sources, "zh"))
    book = openpyxl.load_workbook(book_path)
    assert book.sheetnames[0] == "错误清单"
    listing = book["错误清单"]
    assert [c.value for c in listing[1]] == ["文件", "工作表", "行", "列", "值", "应为", "级别"]
    assert [listing["C2"].value, listing["G2"].value] == [3, "错误"]
    data_sheet = book[book.sheetnames[1]]
    kind_col = [c.value for c in data_sheet[1]].index("站点类型") + 1
    cell = data_sheet.cell(row=3, column=kind_col)  # the same row number as in the uploaded file
    assert cell.value == "evil_kind"
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert "outdoor_rest" in cell.comment.text
    assert data_sheet.cell(row=2, column=kind_col).fill.fgColor.rgb in (None, "00000000")


def test_first_import_needs_every_table(tmp_path):
    data = tmp_path / "empty"
    before = tree_digest(tmp_path)
    path = write_csv(frame("stations", build_fixture(tmp_path / "src")), tmp_path / "stations.csv")
    before = tree_digest(data) if data.exists() else {}
    result = import_files(expand([path]), NEW, settings_for(data))
    assert not result.ok
    assert any("首次导入" in p.expected_zh and "regions" in p.expected_zh for p in result.problems)
    assert not data.exists() or tree_digest(data) == before


def test_templates_have_drop_downs_and_an_explanation_sheet(tmp_path):
    from uniondash.data.importer import write_templates

    written = {p.name for p in write_templates(tmp_path)}
    assert "区划边界.csv" in written
    assert "区划边界.xlsx" not in written
    assert {"服务站点.xlsx", "服务站点.csv"} <= written
    book = openpyxl.load_workbook(tmp_path / "服务站点.xlsx")
    assert book.sheetnames == ["服务站点", "说明"]
    sheet = book["服务站点"]
    assert sheet["A1"].value == "站点编号"
    assert sheet["A2"].value is None
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["C2"] == '"outdoor_rest,nursing_room,mental_care"'  # 站点类型
    explanation = [[c.value for c in row] for row in book["说明"].iter_rows()]
    flat = " ".join(str(v) for row in explanation for v in row if v)
    assert "station_id" in flat
    assert "GCJ-02" in flat
    assert "420102-0001" in flat
    csv_header = (tmp_path / "服务站点.csv").read_bytes()
    assert csv_header.startswith("\ufeff站点编号,".encode())


def test_cli_import_lists_every_problem_and_exits_non_zero(data, tmp_path):
    def edit(df):
        df.loc[1, "站点类型"] = "evil_kind"

    path = stations_csv(data, tmp_path, edit)
    env = {"UNIONDASH_DATA": str(data), "UNIONDASH_REGION": "990000", "PATH": "/usr/bin:/bin"}
    before = tree_digest(data)
    cmd = [sys.executable, "-m", "uniondash", "import", str(path), "--as-of", NEW]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert out.returncode == 1
    assert "stations.csv，第 3 行，列“站点类型”：值“evil_kind”" in out.stdout
    assert "未写入任何数据" in out.stderr
    english = subprocess.run([*cmd, "--lang", "en"], capture_output=True, text=True, env=env)
    assert "stations.csv, row 3, column '站点类型 (kind)': value 'evil_kind'" in english.stdout
    assert tree_digest(data) == before
    ok = subprocess.run(
        [sys.executable, "-m", "uniondash", "import", str(stations_csv(data, tmp_path)), "--as-of", NEW],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert f"snapshots/{NEW}" in ok.stdout


def test_cli_template_and_export(data, tmp_path):
    env = {"UNIONDASH_DATA": str(data), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "uniondash", "template", "--out", str(tmp_path / "t")], capture_output=True, env=env
    )
    assert out.returncode == 0
    assert len(list((tmp_path / "t").iterdir())) == 19  # 9 tables × (XLSX, CSV) + boundaries CSV
    out = subprocess.run(
        [sys.executable, "-m", "uniondash", "export", "--as-of", "2023-12-31", "--out", str(tmp_path / "e")],
        capture_output=True, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert len(list((tmp_path / "e").iterdir())) == 10


def test_templates_zip_holds_every_template():
    import io

    from uniondash.data.importer import templates_zip

    names = zipfile.ZipFile(io.BytesIO(templates_zip())).namelist()
    assert len(names) == 19
    assert "服务站点.xlsx" in names


def test_boundaries_from_geojson(data, tmp_path):
    shapes = frame("region_shapes", data / "snapshots")
    features = [
        {"type": "Feature", "properties": {"区划代码": a, "level": lv}, "geometry": json.loads(g)}
        for a, lv, g in zip(shapes["区划代码"], shapes["层级"], shapes["边界"])
    ]
    path = tmp_path / "区划边界.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    result = run(data, path)
    assert result.ok, [p.line() for p in result.problems]
    assert result.imported["region_shapes"]["rows"] == 6
    bad = dict(features[0], geometry={"type": "Point", "coordinates": [114.0, 30.6]})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [bad, *features[1:]]}), encoding="utf-8")
    before = tree_digest(data)
    result = import_files(expand([path]), "2024-07-31", settings_for(data))
    assert_refused(data, result, before, ("区划边界.geojson", 2, "geometry", "Polygon"))


def test_error_workbook_for_a_file_name_excel_would_refuse_as_a_sheet(data, tmp_path):
    def edit(df):
        df.loc[1, "站点类型"] = "evil_kind"

    path = stations_csv(data, tmp_path, edit)
    renamed = path.with_name("stations.csv")
    result = run(data, renamed)
    for source in result.sources:
        source.file = "stations[1]:?.csv"
    problems = [dataclasses.replace(p, file="stations[1]:?.csv") for p in result.problems]
    book = openpyxl.load_workbook(io.BytesIO(error_workbook(problems, result.sources, "en")))
    assert book.sheetnames == ["Problems", "stations_1___.csv"]
