"""Exports in the system Chromium, signed in with a local account on the hand-made fixture, at a
fixed time (UNIONDASH_NOW): the header block of the stations export (organisation, table, snapshot,
compare snapshot, scope, filters, demo data, time, rows: a number cell) in the XLSX and the CSV,
line by line, for known views; the files named for the scope (stations-甲市-2023-12-31.xlsx); and
each download's audit line beside the accounts file."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import openpyxl
import pytest
from browser import click_download, exceptions, require_chromium, streamlit_server, wait_until_drawn
from fixtures import XSS_NAME

from uniondash.config import ROOT

pytestmark = pytest.mark.browser
PASSWORD = "a long export password"
NOW = "2030-01-02T09:30:00+08:00"  # the one clock, fixed: exported at 09:30 Beijing, 01:30 UTC


@pytest.fixture(scope="module")
def accounts(tmp_path_factory):
    """users.toml with one leader, made by the users command as README says; audit.jsonl lands beside it."""
    path = tmp_path_factory.mktemp("accounts") / "users.toml"
    run = subprocess.run(
        [sys.executable, "-m", "uniondash", "users", "add", "lead", "--role", "leader"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "UNIONDASH_USERS": str(path)},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return path


@pytest.fixture(scope="module")
def server(fixture_dir, accounts):
    require_chromium()
    env = {
        "UNIONDASH_USERS": str(accounts),
        "UNIONDASH_COOKIE_SECRET": "e" * 40,
        "UNIONDASH_ORG_NAME": "测试省总工会",
        "UNIONDASH_NOW": NOW,
    }
    with streamlit_server(fixture_dir, script="serve.py", extra_env=env) as (url, _proc):
        yield url


@pytest.fixture(scope="module")
def context(server, chromium):
    """One signed-in browser context for the module."""
    ctx = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = ctx.new_page()
    page.goto(server)
    wait_until_drawn(page)
    page.get_by_label("用户名").fill("lead")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("密码", exact=True).press("Enter")
    page.get_by_text("已登录：lead").first.wait_for(timeout=30_000)
    page.close()
    yield ctx
    ctx.close()


def download(page, label: str) -> tuple[str, bytes]:
    # a download reruns the page (on_click="rerun"): click_download waits until its buttons are drawn anew
    got = click_download(page, page.get_by_role("button", name=label).first)
    with open(got.path(), "rb") as f:
        return got.suggested_filename, f.read()


def exports_of(context, url: str) -> tuple[dict[str, bytes], str]:
    page = context.new_page()
    page.goto(url)
    wait_until_drawn(page)
    assert exceptions(page) == []
    files = dict(download(page, label) for label in ("导出 Excel", "导出 CSV"))
    main = page.inner_text('[data-testid="stMain"]')
    page.close()
    return files, main


def xlsx_rows(data: bytes) -> list[tuple]:
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    return list(ws.iter_rows(values_only=True))


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# 甲市 (990100) on 2023-12-31: S1 (甲一区, open), S2 (甲一区, open), S3 (甲一区, closed), S4 (甲二县,
# suspended), S6 (甲二县, open); the page's default status filter is open and suspended: 4 rows.
CITY_BLOCK = [
    ("单位", "测试省总工会"),
    ("表格", "站点列表"),
    ("数据快照", "2023-12-31"),
    ("对比快照", "2022-12-31"),
    ("范围", "甲市"),
    ("筛选条件", "状态：正常开放、暂停服务"),
    ("数据性质", "演示数据"),
    ("导出时间（北京时间）", "2030-01-02 09:30"),
    ("行数", 4),
]
CITY_STATIONS = {XSS_NAME, "甲一区母婴室", "甲二县加油站", "甲二县新驿站"}

# 2022-12-31 (no earlier snapshot: nothing to compare with), county 甲一区 (990101), outdoor rest
# stations open 24 hours: only S1 (S3 is an outdoor rest station too, but not open 24 hours).
FILTERED_QUERY = "snapshot=2022-12-31&county=990101&kind=outdoor_rest&h24=1"
FILTERED_BLOCK = [
    ("单位", "测试省总工会"),
    ("表格", "站点列表"),
    ("数据快照", "2022-12-31"),
    ("对比快照", "无对比"),
    ("范围", "甲一区"),
    ("筛选条件", "站点类型：户外劳动者服务站点、状态：正常开放、暂停服务、仅 24 小时开放"),
    ("数据性质", "演示数据"),
    ("导出时间（北京时间）", "2030-01-02 09:30"),
    ("行数", 1),
]


@pytest.mark.parametrize(
    ("query", "block", "stations", "name"),
    [
        ("city=990100", CITY_BLOCK, CITY_STATIONS, "stations-甲市-2023-12-31"),
        (FILTERED_QUERY, FILTERED_BLOCK, {XSS_NAME}, "stations-甲一区-2022-12-31"),
    ],
)
def test_stations_export_header_block(server, context, accounts, query, block, stations, name):
    files, _ = exports_of(context, f"{server}/stations?{query}")
    assert sorted(files) == [f"{name}.csv", f"{name}.xlsx"]
    rows = xlsx_rows(files[f"{name}.xlsx"])
    n = len(block)
    assert [r[:2] for r in rows[:n]] == block
    count = openpyxl.load_workbook(io.BytesIO(files[f"{name}.xlsx"])).active.cell(n, 2)
    assert count.data_type == "n"  # 行数 is a number cell, not text
    assert count.value == len(stations)
    assert all(v is None for v in rows[n])  # a blank row, then the table
    assert rows[n + 1][0] == "站点"
    assert {r[0] for r in rows[n + 2 :]} == stations
    assert len(rows) - n - 2 == len(stations)
    lines = csv_rows(files[f"{name}.csv"])
    assert [tuple(r) for r in lines[:n]] == [(label, str(value)) for label, value in block]
    assert lines[n] == []
    assert lines[n + 1][0] == "站点"
    assert {r[0] for r in lines[n + 2 :]} == stations


def test_each_download_writes_its_audit_line(server, context, accounts):
    audit = accounts.parent / "audit.jsonl"
    before = audit.read_text(encoding="utf-8").splitlines() if audit.exists() else []
    files, _ = exports_of(context, f"{server}/stations?city=990100")
    lines = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()[len(before) :]]
    exports = [e for e in lines if e["action"] == "export"]
    assert exports == [
        {
            "time": "2030-01-02T01:30:00+00:00",
            "user": "lead",
            "action": "export",
            "address": "127.0.0.1",
            "table": "stations-甲市-2023-12-31",  # the file's name: the table, its scope and snapshot
            "format": fmt,
            "bytes": len(files[f"stations-甲市-2023-12-31.{fmt}"]),
        }
        for fmt in ("xlsx", "csv")  # in the order they were clicked
    ]
