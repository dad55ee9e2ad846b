"""A workbook sheet is read one row at a time and turned into columns a piece at a time (the
scale-100 stations workbook went past its 2 GB budget while the whole sheet sat in memory as
Python lists beside calamine's own cells). What arrives must be what the whole-sheet reading gave:
the same rows from A1, the same frame, the same dtypes, whatever the chunk size."""

from __future__ import annotations

import datetime as dt
import sys

import numpy as np
import pandas as pd
import pytest
import python_calamine
import xlsxwriter

from uniondash.data.importer import sources
from uniondash.data.importer.contract import specs
from uniondash.data.importer.read import read_source
from uniondash.data.importer.sources import SourceFile, rows_frame
from uniondash.data.importer.xlsx_reader import _sheet_rows

HEADERS = [c.header_zh for c in specs()["stations"].columns]


def station(i: int) -> list:
    return [
        f"420102-{i:06d}", f"站{i}", "outdoor_rest", "420102", "地址", 114.3, 30.6, "union", "2018-09-16", "open",
        False, True, True, True, True, False, False, False, 3, 2405,
    ]  # fmt: skip


@pytest.fixture
def offset_book(tmp_path):
    """A title in C1, the header in C3, a number in a text column, a date cell, a short row."""
    path = tmp_path / "stations.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Sheet1")
    sheet.write(0, 2, "服务站点（标题）")
    for j, h in enumerate(HEADERS):
        sheet.write(2, 2 + j, h)
    for i in range(1, 12):
        for j, v in enumerate(station(i)[: 20 - (i % 3)]):
            sheet.write(2 + i, 2 + j, v)
    sheet.write(6, 2 + 3, 420102)
    sheet.write(7, 2 + 8, dt.datetime(2020, 1, 2), book.add_format({"num_format": "yyyy-mm-dd"}))
    book.add_worksheet("空白")
    book.close()
    return path


def test_the_rows_are_those_of_the_whole_sheet_from_a1(offset_book):
    book = python_calamine.CalamineWorkbook.from_path(offset_book)
    for name in book.sheet_names:
        whole = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        assert list(_sheet_rows(book.get_sheet_by_name(name))) == whole


def test_calamine_cells_go_once_the_last_row_is_read(offset_book):
    """The rows hold the sheet (and so calamine's cells) only until the last row is read."""
    book = python_calamine.CalamineWorkbook.from_path(offset_book)
    sheet = book.get_sheet_by_name("Sheet1")
    alone = sys.getrefcount(sheet)
    rows = _sheet_rows(sheet)
    next(rows)
    assert sys.getrefcount(sheet) == alone + 1
    for _ in rows:
        pass
    assert sys.getrefcount(sheet) == alone


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 65_536])
def test_the_frame_is_the_same_in_any_pieces(monkeypatch, chunk):
    """Text-only columns become pandas' string type only if every piece is text; a column with a
    number in one piece keeps every value as read; blank rows are dropped, row numbers kept."""
    rows = [station(i) for i in range(1, 10)]
    rows[4] = [""] * 20  # a blank row
    rows[6][3] = 420102  # a number in the adcode column, in a later piece
    rows[7] = rows[7][:5]  # a short row: the rest is None
    positions = {i: c.name for i, c in enumerate(specs()["stations"].columns)}
    monkeypatch.setattr(sources, "CHUNK_ROWS", 65_536)
    whole = rows_frame([list(r) for r in rows], positions, first_row=4)
    monkeypatch.setattr(sources, "CHUNK_ROWS", chunk)
    pieces = rows_frame(iter([list(r) for r in rows]), positions, first_row=4)
    pd.testing.assert_frame_equal(pieces, whole, check_exact=True)
    assert list(pieces.index) == [4, 5, 6, 7, 9, 10, 11, 12]
    assert isinstance(pieces["name"].dtype, pd.StringDtype)
    assert pieces["adcode"].dtype == object
    assert [type(v) for v in pieces["adcode"]].count(int) == 1
    assert pieces["lon"].dtype == object
    assert pieces.loc[11, "lon"] is None


def test_no_rows_gives_an_empty_frame_of_the_columns():
    frame = rows_frame(iter([]), {0: "station_id", 3: "adcode"})
    assert list(frame.columns) == ["station_id", "adcode"]
    assert frame.empty
    assert frame.index.dtype == np.int64


def test_a_workbook_reads_as_before(offset_book):
    """Header found in row 3 from column C, rows numbered as Excel numbers them."""
    [source], problems = read_source(SourceFile(offset_book.name, offset_book), 100)
    assert source.sheet == "Sheet1"
    assert list(source.raw.index) == list(range(4, 15))
    assert source.raw.loc[7, "adcode"] == 420102
    assert source.raw.loc[8, "opened_on"] == dt.date(2020, 1, 2)  # a date cell, as calamine gives it
    assert source.raw.loc[5, "star"] == ""  # a short row: empty cells inside the sheet's extent
    assert sorted(p.rule for p in problems) == ["header_row", "sheet", "table"]  # notes only
    assert list(source.raw.columns) == [c.name for c in specs()["stations"].columns]
