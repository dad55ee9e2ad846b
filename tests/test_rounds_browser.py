"""A whole collection round in the system Chromium against serve.py, on the hand-made region:
the admin opens a round; filler A (甲一区) downloads the prefilled workbook, renames S2 with
openpyxl and uploads it: submitted; filler B (甲二县) uploads a row of A's county: refused naming
the row; the board shows A submitted, B not started, and B overdue once the clock passes the due
date; the admin returns A with a reason, A sees it and resubmits; the admin accepts and publishes;
the new snapshot holds A's change and B's rows carried and marked; / opens on it; B never saw A's
rows.

Fillers open /data and upload only once access/roles.py (pages_for) and access/entitlements.py
(UPLOAD_ROLES) let them; until then this test is a strict xfail naming that change."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
from browser import click_download, exceptions, require_chromium, streamlit_server, wait_until_drawn
from fixtures import build_fixture

from uniondash.access.accounts import Account, Accounts, hash_password, save_accounts
from uniondash.access.entitlements import UPLOAD_ROLES
from uniondash.access.roles import may_open

PASSWORD = "correct horse 1"
READY = may_open("filler", "data") and "filler" in UPLOAD_ROLES
pytestmark = [
    pytest.mark.browser,
    pytest.mark.xfail(
        not READY,
        strict=True,
        reason="needs access/roles.py pages_for: filler (本期填报) and leader (board) open /data; and"
        " access/entitlements.py UPLOAD_ROLES: filler (a round's upload)",
    ),
]
BEFORE_DUE = "2024-07-03T10:00:00+08:00"  # the open form's defaults: as-of 2024-06-30, due 2024-07-17
AFTER_DUE = "2024-07-20T10:00:00+08:00"
AS_OF = "2024-06-30"
NEW_NAME = "甲一区母婴室（新址）"
REASON = "请核对站点地址"


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    require_chromium()
    root = tmp_path_factory.mktemp("round-browser")
    build_fixture(root / "data")
    hashed = hash_password(PASSWORD)
    accounts = Accounts(root / "users.toml")
    accounts.users = {
        "boss": Account("boss", "admin", (), hashed),
        "fa": Account("fa", "filler", ("990101",), hashed),
        "fb": Account("fb", "filler", ("990102",), hashed),
    }
    save_accounts(accounts)
    env = {
        "UNIONDASH_USERS": str(accounts.path),
        "UNIONDASH_COOKIE_SECRET": "r" * 40,
        "UNIONDASH_REGION": "990000",
    }
    return root, env


def serve(setup, now: str):
    root, env = setup
    return streamlit_server(root / "data", script="serve.py", extra_env={**env, "UNIONDASH_NOW": now})


def main_text(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def signed_in(chromium, url: str, user: str, seen: list[str] | None = None):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(120_000)  # a loaded 2-core machine: a click's rerun can take a while
    page = context.new_page()
    page.goto(url)
    wait_until_drawn(page)
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("密码", exact=True).press("Enter")
    page.wait_for_selector('[data-testid="stSidebar"]', timeout=60_000)
    wait_until_drawn(page)
    if seen is not None:  # every text this user's pages show, and every response they receive
        page.on("response", lambda r: seen.append(r.url))
    return page


def open_data(page, url: str) -> str:
    page.goto(f"{url}/data")
    wait_until_drawn(page, 120_000)
    assert exceptions(page) == []
    return main_text(page)


def upload(page, path, button: str = "提交") -> str:
    for chip in page.locator('[data-testid="stFileChipDeleteBtn"]').all()[::-1]:
        chip.click()
        page.wait_for_timeout(300)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(path))
    page.wait_for_selector(f'text="{path.name}"', timeout=20_000)
    page.get_by_role("button", name=button, exact=True).click()
    page.wait_for_function(
        "() => /已提交：|未提交：/.test(document.querySelector('[data-testid=\"stMain\"]').innerText)", timeout=120_000
    )
    wait_until_drawn(page, 120_000)
    return main_text(page)


SELECTS_JS = """() => [...document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stSelectbox"]')]
    .map(e => e.textContent + ' ' + [...e.querySelectorAll('input')].map(i => i.value || '').join(' '))"""
BOARD_JS = """() => {
    for (const grid of document.querySelectorAll('[data-testid="stDataFrame"]')) {
        const heads = [...grid.querySelectorAll('[role="columnheader"]')].map(h => h.textContent);
        if (heads.includes('退回原因'))
            return [...grid.querySelectorAll('[role="row"]')].map(
                r => [...r.querySelectorAll('[role="gridcell"]')].map(c => c.textContent));
    }
    return null;
}"""


def board(page) -> dict[str, list[str]]:
    """unit → [state, overdue] from the board's accessible table (it draws on a canvas)."""
    page.wait_for_function(f"() => ({BOARD_JS})()?.length > 1", timeout=120_000)
    rows = [r for r in page.evaluate(BOARD_JS) if r]
    # columns: 市, 区划代码, 单位, 状态, 逾期, 提交时间, 提交人, 行数, 退回原因 (maybe a row-index cell first)
    out = {}
    for cells in rows:
        i = next(k for k, c in enumerate(cells) if c in ("990101", "990102", "990201"))
        out[cells[i]] = [cells[i + 2], cells[i + 3]]
    return out


def test_a_whole_round_in_the_browser(setup, chromium, tmp_path):
    root, _ = setup
    b_saw: list[str] = []
    with serve(setup, BEFORE_DUE) as (url, _proc):
        admin = signed_in(chromium, url, "boss")
        text = open_data(admin, url)
        assert "数据填报轮次" in text
        assert "目前没有正在进行的填报轮次" in text
        admin.get_by_role("button", name="发起填报").click()
        admin.wait_for_selector("text=填报轮次 2024-06-30", timeout=60_000)

        # filler A: the prefilled workbook, S2 renamed, uploaded
        fa = signed_in(chromium, url, "fa")
        text = open_data(fa, url)
        assert "本期填报" in text
        assert "数据填报" in text
        assert "校验并导入" not in text  # no import for a filler
        download = click_download(fa, fa.get_by_role("button", name="服务站点.xlsx"))
        workbook = tmp_path / "服务站点.xlsx"
        download.save_as(workbook)
        book = openpyxl.load_workbook(workbook)
        sheet = book.worksheets[0]
        ids = [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)]
        assert ids == ["S1", "S2", "S3"]  # 甲一区's stations only
        sheet.cell(3, 2).value = NEW_NAME
        book.save(workbook)
        assert "已提交：甲一区 v001" in upload(fa, workbook)

        # filler B: a row of A's county is refused, naming the row and the unit
        fb = signed_in(chromium, url, "fb", b_saw)
        text = open_data(fb, url)
        b_texts = [text]
        theirs = tmp_path / "b" / "服务站点.xlsx"
        theirs.parent.mkdir()
        click_download(fb, fb.get_by_role("button", name="服务站点.xlsx")).save_as(theirs)
        book = openpyxl.load_workbook(theirs)
        book.worksheets[0].append(
            ["S9", "越界驿站", "outdoor_rest", "990101", "x", 114.0, 30.6, "union", "2024-03-01", "open", False]
            + [True] * 7
            + [3, 5]
        )
        book.save(theirs)
        text = upload(fb, theirs)
        b_texts.append(text)
        assert "未提交：发现 1 个问题" in text
        assert "第 4 行" in text
        assert "990101（甲一区）不在您的范围内" in text

        text = open_data(admin, url)
        assert board(admin) == {"990101": ["已提交", ""], "990102": ["未开始", ""], "990201": ["未开始", ""]}

    with serve(setup, AFTER_DUE) as (url, _proc):  # the clock passes the due date
        admin = signed_in(chromium, url, "boss")
        open_data(admin, url)
        assert board(admin)["990102"] == ["未开始", "逾期"]
        admin.get_by_label("退回原因").fill(REASON)
        admin.get_by_role("button", name="退回").click()
        admin.wait_for_timeout(500)
        wait_until_drawn(admin)
        assert board(admin)["990101"][0] == "已退回"

        fa = signed_in(chromium, url, "fa")
        text = open_data(fa, url)
        assert f"甲一区 的提交被退回：{REASON}" in text
        assert "已提交：甲一区 v002" in upload(fa, workbook)

        open_data(admin, url)
        admin.get_by_role("button", name="接收").click()
        admin.wait_for_timeout(500)
        wait_until_drawn(admin)
        admin.get_by_text("发布与关闭").click()
        admin.get_by_text("确认：2 个单位沿用原数据发布").click()
        admin.get_by_role("button", name="发布新快照").click()
        admin.wait_for_selector("text=已发布", timeout=120_000)

        snapshot = root / "data" / "snapshots" / AS_OF
        manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["source"] == "round"
        assert manifest["round"]["carried"]["stations"] == {"from": "2023-12-31", "units": ["990102", "990201"]}
        stations = pd.read_parquet(snapshot / "stations.parquet").set_index("station_id")
        assert stations.loc["S2", "name"] == NEW_NAME
        assert stations.loc[["S4", "S6"], "status"].tolist() == ["suspended", "open"]  # B's rows, carried

        admin.goto(url)
        wait_until_drawn(admin)
        pickers = admin.evaluate(SELECTS_JS)
        assert any(p.startswith("数据快照") and AS_OF in p for p in pickers), pickers  # / opens on the new snapshot
        admin.goto(f"{url}/county?county=990102")
        wait_until_drawn(admin)
        assert "沿用 2023-12-31" in main_text(admin)

        fb = signed_in(chromium, url, "fb", b_saw)
        b_texts.append(open_data(fb, url))
    assert not any(NEW_NAME in t for t in b_texts)  # B never saw A's rows
    assert not any("990101" in t for t in b_texts[:1] + b_texts[2:])  # nor A's unit, but in their own refusal
