"""Nothing a workbook holds can take the importer's process down: the sheet XML is scanned before
calamine sees it (a sheet past 64 columns or 25 million cells is refused by its farthest valued
cell), and the import runs in a child process under a memory and a time limit, so a file that
still makes a reader library run out ends that child only, with the file named."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import zipfile

import pytest
from fixtures import build_fixture
from hostile_xlsx import one_far_value, workbook
from import_corpus import frame, write_csv

from uniondash.config import load_settings
from uniondash.data.importer import SourceFile, import_isolated, xlsx_scan
from uniondash.data.importer.read import read_source
from uniondash.data.importer.xlsx_scan import scan_sheets
from uniondash.data.snapshots import list_snapshots

NEW = "2024-06-30"


def extent(path) -> tuple[int, int, str]:
    scan = scan_sheets(SourceFile(path.name, path))["stations"]
    return scan.rows, scan.columns, scan.farthest


def test_the_farthest_valued_cell_gives_the_extent(tmp_path):
    assert extent(one_far_value(tmp_path / "xfd.xlsx", "XFD1048576")) == (1_048_576, 16_384, "XFD1048576")
    assert extent(one_far_value(tmp_path / "zz.xlsx", "ZZ20000")) == (20_000, 702, "ZZ20000")
    # a styled empty cell far out holds nothing (calamine skips it): it does not count
    styled = workbook(tmp_path / "s.xlsx", '<row r="1"><c r="A1"><v>1</v></c><c r="XFD1" s="3"/></row>')
    assert extent(styled) == (1, 1, "A1")
    # nor does a styled empty row at the very end (Excel writes these for formatted rows)
    rows = '<row r="1"><c r="B1"><v>1</v></c></row><row r="1048576" s="2" customFormat="1"/>'
    assert extent(workbook(tmp_path / "r.xlsx", rows)) == (1, 2, "B1")


def test_cells_and_rows_without_references_count_by_position(tmp_path):
    # row 1 then an unnumbered row (2); its fourth cell (D) holds a value after a styled empty one
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row><c><v>1</v></c><c><v>2</v></c><c s="1"/><c><v>3</v></c></row>'
    assert extent(workbook(tmp_path / "p.xlsx", rows)) == (2, 4, "D2")


def test_prefixes_and_disorder_do_not_hide_a_far_value(tmp_path):
    prefixed = workbook(
        tmp_path / "ns.xlsx", '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="ZZ1"><x:v>2</x:v></x:c></x:row>'
    )
    assert extent(prefixed) == (1, 702, "ZZ1")
    # the far row first, then an ordinary one: still the far row
    backwards = '<row r="900000"><c r="C900000"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v></c></row>'
    assert extent(workbook(tmp_path / "b.xlsx", backwards)) == (900_000, 3, "C900000")
    # a far column before a near one in the same row
    across = '<row r="5"><c r="BM5"><v>1</v></c><c r="A5"><v>1</v></c></row>'
    assert extent(workbook(tmp_path / "a.xlsx", across))[1] == 65


def test_formulas_are_still_found_in_the_same_pass(tmp_path):
    rows = '<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2"><f>SUM(A1:A1)</f><v>1</v></c></row>'
    scan = scan_sheets(SourceFile("f.xlsx", workbook(tmp_path / "f.xlsx", rows)))["stations"]
    assert scan.formulas == ["B2"]
    assert (scan.rows, scan.columns) == (2, 2)


def problems_of(path) -> list[tuple[str, str]]:
    _, problems = read_source(SourceFile(path.name, path), 500)
    return [(p.expected_zh, p.expected_en) for p in problems]


def test_a_far_value_is_refused_by_its_cell_before_calamine_reads_the_sheet(tmp_path, monkeypatch):
    import python_calamine

    def never(*_a, **_k):
        raise AssertionError("calamine opened a workbook the scan should have refused")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", never)
    [(zh, en)] = problems_of(one_far_value(tmp_path / "stations.xlsx", "XFD1048576"))
    assert "单元格 XFD1048576 有值，工作表宽 16384 列" in zh
    assert "a sheet of at most 64 columns (cell XFD1048576 holds a value, making the sheet 16384 columns" in en
    [(zh, en)] = problems_of(one_far_value(tmp_path / "stations.xlsx", "T1250001"))
    assert "不超过 25,000,000 个单元格" in zh
    assert "cell T1250001 holds a value, making the sheet 1,250,001 rows × 20 columns" in en


def test_a_part_that_unpacks_too_large_is_refused(tmp_path, monkeypatch):
    monkeypatch.setitem(xlsx_scan.PART_LIMITS, "xl/sharedStrings.xml", 1000)
    path = one_far_value(tmp_path / "stations.xlsx", "B2")
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/sharedStrings.xml", "<sst>" + "<si><t>x</t></si>" * 100 + "</sst>")
    [(_zh, en)] = problems_of(path)
    assert "xl/sharedStrings.xml unpacks to" in en


@pytest.fixture
def data(tmp_path):
    snaps = build_fixture(tmp_path / "data")
    return tmp_path / "data", snaps


def settings_for(folder, **limits):
    return dataclasses.replace(load_settings(), data_dir=folder, region_adcode="990000", **limits)


def test_a_file_that_runs_the_child_out_of_memory_ends_only_the_child(data, tmp_path):
    """20 columns × 1,250,000 rows passes the scan (exactly 25 million cells), and calamine then
    allocates every cell (800 MB; the rows are read one at a time, so nothing else comes near): under
    a 1,100 MB limit the child aborts, the file is named, nothing is
    written, and this process (the server, or the command line) carries on."""
    folder, snaps = data
    before = [s.as_of for s in list_snapshots(snaps)]
    path = one_far_value(tmp_path / "stations.xlsx", "T1250000")
    steps = []
    outcome = import_isolated(
        [SourceFile("stations.xlsx", path)],
        NEW,
        settings_for(folder, import_memory_mb=1100),
        progress=lambda key, **fields: steps.append(key),
    )
    [problem] = outcome.result.problems
    assert problem.file == "stations.xlsx"
    assert problem.expected_en.startswith("a file that can be read within 1100 MB (reading this one needed more")
    # Python's MemoryError, the Rust reader's panic or its abort: whichever allocation failed first
    assert re.search(r"stopped: (MemoryError|PanicException|SIGABRT);", problem.expected_en), problem.expected_en
    assert steps[0] == "import.step_read"
    assert [s.as_of for s in list_snapshots(snaps)] == before
    assert not outcome.result.ok


def test_an_import_that_runs_too_long_is_stopped(data, tmp_path):
    folder, _ = data
    path = write_csv(frame("stations", folder / "snapshots"), tmp_path / "stations.csv")
    outcome = import_isolated([SourceFile("stations.csv", path)], NEW, settings_for(folder, import_timeout_s=0.01))
    [problem] = outcome.result.problems
    assert problem.expected_en.startswith("a file that can be read within 0.01 s")


def test_the_child_writes_the_snapshot_and_sends_back_progress_and_the_error_workbook(data, tmp_path):
    folder, snaps = data
    stations = frame("stations", snaps)
    good = write_csv(stations, tmp_path / "stations.csv")
    steps = []
    outcome = import_isolated(
        [SourceFile("stations.csv", data=good.read_bytes())],  # uploaded bytes, as /data sends them
        NEW,
        settings_for(folder),
        progress=lambda key, **fields: steps.append(key),
    )
    assert outcome.result.ok, [p.expected_en for p in outcome.result.problems]
    assert NEW in [s.as_of for s in list_snapshots(snaps)]
    assert steps.count("import.step_read") == 1
    assert outcome.error_xlsx is None
    bad = write_csv(stations.assign(lon="abc"), tmp_path / "stations.csv")
    outcome = import_isolated([SourceFile("stations.csv", bad)], "2024-07-31", settings_for(folder), lang="en")
    assert not outcome.result.ok
    assert outcome.error_xlsx[:2] == b"PK"  # the workbook the page offers, built where the rows are
    assert outcome.result.sources == []


def cli(folder, *args, **env):
    return subprocess.run(
        [sys.executable, "-m", "uniondash", "import", *map(str, args), "--as-of", NEW, "--lang", "en"],
        env={"PATH": "/usr/bin:/bin", "UNIONDASH_DATA": str(folder), "UNIONDASH_REGION": "990000", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_command_line_names_the_far_cell_and_survives_a_reader_running_out(data, tmp_path):
    folder, _ = data
    far = cli(folder, one_far_value(tmp_path / "stations.xlsx", "XFD1048576"))
    assert far.returncode == 1
    assert "cell XFD1048576 holds a value" in far.stdout
    out = cli(folder, one_far_value(tmp_path / "stations.xlsx", "T1250000"), UNIONDASH_IMPORT_MEMORY_MB="1100")
    assert out.returncode == 1, out.stderr[-500:]
    assert "stations.xlsx" in out.stdout
    assert "a file that can be read within 1100 MB" in out.stdout


def test_duckdb_keeps_within_the_childs_address_space():
    """DuckDB takes 80 % of the machine's memory by default, more than the child's address space; the
    child keeps DuckDB to 40 % of its limit, so DuckDB spills or refuses within it. (The scale-100
    import's aborts at the data checks were another cause: tests/test_checks_threads.py.) Run in a
    fresh interpreter: the setting lasts the process."""
    code = (
        "from uniondash.data import sql_files\n"
        "before = sql_files.connect().execute(\"select current_setting('memory_limit')\").fetchone()[0]\n"
        "sql_files.limit_memory(6144)\n"
        "print(before, '|', sql_files.connect().execute(\"select current_setting('memory_limit')\").fetchone()[0])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    before, after = (s.strip() for s in out.split("|"))
    assert after == "2.2 GiB"  # 6,144 × 0.4 = 2,457 MB (DuckDB counts 10^6 bytes), shown in GiB
    assert before != after
