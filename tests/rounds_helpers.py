"""Shared steps of the collection-round tests: the hand-made region (tests/fixtures.py) with two
fillers, a round open on it, and a filler's prefilled workbook edited with openpyxl."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from fixtures import build_fixture

from uniondash.access.accounts import Account, Accounts, save_accounts

AS_OF, DUE = "2024-06-30", "2024-07-05"
BEFORE_DUE, AFTER_DUE = "2024-07-03T10:00:00+08:00", "2024-07-08T10:00:00+08:00"
REGION = "990000"
FILLERS = {"fa": ("990101",), "fb": ("990102",), "fc": ("990201",), "city_a": ("990100",)}


def make_data(tmp: Path, monkeypatch) -> tuple[Path, Path]:
    """The fixture's two snapshots and an accounts file with the fillers (and UNIONDASH_USERS set)."""
    data = tmp / "data"
    build_fixture(data)
    users = tmp / "users.toml"
    accounts = Accounts(users, {n: Account(n, "filler", s) for n, s in FILLERS.items()})
    accounts.users["boss"] = Account("boss", "admin")
    save_accounts(accounts)
    monkeypatch.setenv("UNIONDASH_USERS", str(users))
    monkeypatch.setenv("UNIONDASH_NOW", BEFORE_DUE)
    return data, users


def stations_sheet(path: Path):
    book = openpyxl.load_workbook(path)
    return book, book.worksheets[0]


def rows_by_id(sheet) -> dict[str, int]:
    return {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value}


NEW_STATION = [
    "",
    "甲一区新驿站",
    "outdoor_rest",
    "990101",
    "甲一区新路 2 号",
    114.01,
    30.61,
    "union",
    "2024-03-01",
    "open",
    False,
]
NEW_STATION += [True] * 7 + [4, 12]


def edit_a(folder: Path) -> None:
    """Filler A's edits: S2 renamed, S1 left out (to be closed), a new station (blank id);
    coverage members 900 → 950."""
    book, sheet = stations_sheet(folder / "服务站点.xlsx")
    ids = rows_by_id(sheet)
    sheet.cell(ids["S2"], 2).value = "甲一区母婴室（新址）"
    sheet.delete_rows(ids["S1"])
    sheet.append(NEW_STATION)
    book.save(folder / "服务站点.xlsx")
    book, sheet = stations_sheet(folder / "组建入会.xlsx")
    headers = [c.value for c in sheet[1]]
    sheet.cell(2, headers.index("会员人数") + 1).value = 950
    book.save(folder / "组建入会.xlsx")
