"""What the guards promise, in the system Chromium.

- Imports cannot take the server down: a workbook with one value at XFD1048576 is refused naming
  the file and the cell (Chinese and English), and one that passes the scan but exhausts the
  import child's memory limit is refused naming the file; either way the server answers its
  health check and another session keeps working.
- Downloads are checked at the click: a session revoked, or an account whose scope changed,
  between drawing and clicking gets no file, an audited refusal, and the page says why.
- The all-awards export on /competitions downloads, its rows as in the fixture's parquet.
- An abandoned tab's download URL stops answering once server.disconnectedSessionTTL has passed.

One strict xfail, naming what it found: the TTL on a quiet server (Streamlit 1.67 deletes the file
at the next script run of any session; with none it stays: measured still 200 at 90 s).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import openpyxl
import pandas as pd
import pytest
from browser import click_download, exceptions, require_chromium, streamlit_server, wait_until_drawn
from fixtures import build_fixture
from hostile_xlsx import one_far_value

from tools.bench.protocol import ProtocolSession
from uniondash.access.accounts import Account, Accounts, hash_password, load_accounts, save_accounts
from uniondash.access.sessions import Store

pytestmark = pytest.mark.browser
PASSWORD = "a long guard password"
NOW = "2030-01-02T09:30:00+08:00"  # exports say 2030-01-02 09:30 (Beijing); audit lines 01:30 UTC
TTL_S = 30  # .streamlit/config.toml server.disconnectedSessionTTL


def http_get(url: str, headers: dict | None = None) -> tuple[int, bytes]:
    """(status, body) of a GET, whatever the status; no cookie unless given."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def main_text(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


PROBLEMS_JS = """() => {
    // /data's problem table: the st.dataframe whose columns include 应为 (Expected)
    for (const grid of document.querySelectorAll('[data-testid="stDataFrame"]')) {
        const heads = [...grid.querySelectorAll('[role="columnheader"]')].map(h => h.textContent);
        if (heads.includes('应为') || heads.includes('Expected'))
            return [...grid.querySelectorAll('[role="gridcell"]')].map(c => c.textContent);
    }
    return null;
}"""


def problem_cells(page) -> list[str]:
    """The problem table's cells in view, from the grid's accessible table (it draws on a canvas)."""
    page.wait_for_function(f"() => ({PROBLEMS_JS})()?.length > 0", timeout=30_000)
    return page.evaluate(PROBLEMS_JS)


def still_serving(url: str, page_path: str = "stations") -> None:
    """The server answers its health check, and another session reruns a page with no exception."""
    assert http_get(url + "/_stcore/health") == (200, b"ok")

    async def other_session():
        async with ProtocolSession(url) as s:
            return await s.open(page_path)

    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        run = pool.submit(asyncio.run, asyncio.wait_for(other_session(), timeout=120)).result()
    assert run.exceptions == []
    assert run.bytes > 1000, run.bytes


# --- 1. hostile workbooks on /data --------------------------------------------------------------


@pytest.fixture(scope="module")
def import_data(tmp_path_factory):
    root = tmp_path_factory.mktemp("guard-import")
    build_fixture(root / "data")
    (root / "far").mkdir()
    return root


def demo_env(root, **extra) -> dict:
    """Demo mode (no accounts file: admin on loopback) on the region-990000 fixture."""
    return {"UNIONDASH_REGION": "990000", "UNIONDASH_USERS": str(root / "no-users.toml"), **extra}


def submit(page, path, run_label: str = "校验并导入") -> None:
    for button in page.locator('[data-testid="stFileChipDeleteBtn"]').all()[::-1]:
        button.click()  # the uploader keeps earlier files: take them off first, as a person would
        page.wait_for_timeout(300)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(path))
    page.wait_for_selector(f'text="{path.name}"', timeout=20_000)
    page.get_by_role("button", name=run_label).click()
    page.wait_for_timeout(500)
    wait_until_drawn(page, 240_000)


def problem_screenshot(page, path, heading: str = "问题清单") -> None:
    """The problem table in view (the main block scrolls by itself, so no full-page shot)."""
    page.get_by_role("heading", name=heading).evaluate("h => h.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))


def test_a_workbook_valued_at_xfd1048576_is_refused_naming_file_and_cell(import_data, chromium, artifacts):
    require_chromium()
    path = one_far_value(import_data / "far" / "stations.xlsx", "XFD1048576")
    assert path.stat().st_size < 2000  # 1.5 KB that would ask calamine for 16384 × 1048576 cells
    with streamlit_server(import_data / "data", extra_env=demo_env(import_data)) as (url, proc):
        page = chromium.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{url}/data")
        wait_until_drawn(page)
        assert exceptions(page) == []
        submit(page, path)
        main = main_text(page)
        assert "问题清单" in main
        assert "发现 1 处问题，未写入任何数据" in main
        cells = problem_cells(page)
        problem_screenshot(page, artifacts / "guard-import-xfd-zh.png")
        assert cells[:2] == ["stations.xlsx", "stations"], cells
        assert cells[5] == "不超过 64 列的工作表（单元格 XFD1048576 有值，工作表宽 16384 列；请删去表格以外的内容）"
        assert exceptions(page) == []
        assert proc.poll() is None
        still_serving(url)

        en = chromium.new_page(viewport={"width": 1280, "height": 1000})
        en.goto(f"{url}/data?lang=en")
        wait_until_drawn(en)
        submit(en, path, "Validate and import")
        assert "Problems found: 1; nothing was written." in main_text(en)
        cells = problem_cells(en)
        problem_screenshot(en, artifacts / "guard-import-xfd-en.png", "Problems")
        assert cells[:2] == ["stations.xlsx", "stations"], cells
        assert cells[5].startswith(
            "a sheet of at most 64 columns (cell XFD1048576 holds a value, making the sheet 16384 columns wide"
        ), cells
        # the first page's session reruns as before, and a new session opens a page
        page.reload()
        wait_until_drawn(page)
        assert exceptions(page) == []
        assert "数据导入" in main_text(page)
        assert proc.poll() is None
        still_serving(url)
        en.close()
        page.close()


def test_a_workbook_that_exhausts_the_import_memory_is_refused_naming_it(import_data, chromium, artifacts):
    """20 columns × 1,250,000 rows = exactly 25 million cells passes the scan; calamine then
    allocates every cell (~800 MB; the rows are read one at a time), past the child's 1100 MB with
    the child's own: the child ends, the server carries on."""
    require_chromium()
    path = one_far_value(import_data / "far" / "stations.xlsx", "T1250000")
    env = demo_env(import_data, UNIONDASH_IMPORT_MEMORY_MB="1100")
    with streamlit_server(import_data / "data", extra_env=env) as (url, proc):
        page = chromium.new_page(viewport={"width": 1280, "height": 1000})
        page.goto(f"{url}/data")
        wait_until_drawn(page)
        page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(path))
        page.wait_for_selector(f'text="{path.name}"', timeout=20_000)
        page.get_by_role("button", name="校验并导入").click()
        # the child is reading it, or has run out already (its step then hides in the closed status)
        reading = page.get_by_text("读取 stations.xlsx").filter(visible=True).or_(page.get_by_text("问题清单"))
        reading.first.wait_for(timeout=60_000)
        still_serving(url)
        page.wait_for_timeout(500)
        wait_until_drawn(page, 240_000)
        assert "发现 1 处问题，未写入任何数据" in main_text(page)
        cells = problem_cells(page)
        problem_screenshot(page, artifacts / "guard-import-memory-zh.png")
        assert cells[0] == "stations.xlsx", cells
        assert cells[5].startswith("可在 1100 MB 内存内读取的文件（读取此文件需要更多内存，已中止："), cells
        assert cells[5].endswith("；服务未受影响）"), cells
        assert exceptions(page) == []
        assert proc.poll() is None
        still_serving(url)
        page.reload()
        wait_until_drawn(page)
        assert exceptions(page) == []
        page.close()


# --- 2-4. downloads with local accounts ---------------------------------------------------------


@pytest.fixture(scope="module")
def accounts(tmp_path_factory):
    """users.toml (audit.jsonl and access.sqlite land beside it): a leader, a leader whose
    sessions are revoked, a planner whose scope changes."""
    folder = tmp_path_factory.mktemp("guard-accounts")
    hashed = hash_password(PASSWORD)
    acc = Accounts(folder / "users.toml")
    acc.users = {
        "lead": Account("lead", "leader", (), hashed),
        "gone": Account("gone", "leader", (), hashed),
        "plan": Account("plan", "planner", ("990101",), hashed),
    }
    save_accounts(acc)
    return acc.path


def account_env(accounts) -> dict:
    return {
        "UNIONDASH_USERS": str(accounts),
        "UNIONDASH_COOKIE_SECRET": "d" * 40,
        "UNIONDASH_ORG_NAME": "测试省总工会",
        "UNIONDASH_NOW": NOW,
    }


@pytest.fixture(scope="module")
def account_server(fixture_dir, accounts):
    require_chromium()
    with streamlit_server(fixture_dir, script="serve.py", extra_env=account_env(accounts)) as (url, _proc):
        yield url


def signed_in(chromium, url: str, user: str):
    """A new browser context signed in as `user` at `url` (the view stays as asked for)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    wait_until_drawn(page)
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("密码", exact=True).press("Enter")
    page.get_by_text(f"已登录：{user}").first.wait_for(timeout=30_000)
    wait_until_drawn(page)
    assert exceptions(page) == []
    return context, page


def audit_lines(accounts) -> list[dict]:
    path = accounts.parent / "audit.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def new_audit_lines(accounts, before: int, action: str, timeout_s: float = 30) -> list[dict]:
    """Lines written since `before` lines, once one with `action` is among them."""
    deadline = time.monotonic() + timeout_s
    while True:
        lines = audit_lines(accounts)[before:]
        if any(e["action"] == action for e in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.5)


def click_expecting_no_file(page, button) -> list:
    """Click a download button; the downloads the page starts in the next seconds (none, when
    the click is refused)."""
    downloads: list = []
    page.on("download", lambda d: downloads.append(d))
    button.scroll_into_view_if_needed()
    button.click()
    return downloads


def test_a_download_after_the_session_is_revoked_delivers_nothing(account_server, chromium, accounts, artifacts):
    context, page = signed_in(chromium, f"{account_server}/stations?city=990100", "gone")
    assert "站点" in main_text(page)
    before = len(audit_lines(accounts))
    Store(accounts.parent).revoke_user("gone")  # as an administrator would, in another process
    downloads = click_expecting_no_file(page, page.get_by_role("button", name="导出 CSV").first)
    lines = new_audit_lines(accounts, before, "export-refused")
    page.get_by_label("用户名").wait_for(timeout=30_000)  # the page reran: the sign-in form
    wait_until_drawn(page)
    page.wait_for_timeout(3000)  # time for a download to start, were one coming
    page.screenshot(path=str(artifacts / "guard-download-revoked.png"))
    assert downloads == []
    assert [(e["user"], e["action"], e.get("reason"), e.get("format")) for e in lines] == [
        ("gone", "export-refused", "session", "csv")
    ]
    assert lines[0]["table"].startswith("stations-")  # stations-[scope-]2023-12-31
    assert lines[0]["table"].endswith("-2023-12-31")
    assert "bytes" not in lines[0]
    main = main_text(page)
    assert "此会话已在别处退出或被撤销，请重新登录。" in main
    assert page.get_by_label("密码", exact=True).is_visible()
    assert "已登录" not in page.inner_text("body")
    assert exceptions(page) == []
    context.close()


def test_a_download_after_the_scope_changed_delivers_nothing(account_server, chromium, accounts, artifacts):
    context, page = signed_in(chromium, f"{account_server}/stations", "plan")
    assert "甲一区" in page.inner_text('[data-testid="stMain"]')
    before = len(audit_lines(accounts))
    acc = load_accounts(accounts)
    acc.users["plan"] = dataclasses.replace(acc.users["plan"], scope=("990102",))  # 甲一区 → 甲二县
    save_accounts(acc)
    downloads = click_expecting_no_file(page, page.get_by_role("button", name="导出 CSV").first)
    lines = new_audit_lines(accounts, before, "export-refused")
    page.get_by_text("未提供下载：此账号的角色或范围已变更").first.wait_for(timeout=30_000)
    wait_until_drawn(page)
    page.wait_for_timeout(3000)
    main = main_text(page)
    page.screenshot(path=str(artifacts / "guard-download-scope-changed.png"))
    assert downloads == []
    assert [(e["user"], e["action"], e.get("reason"), e.get("format")) for e in lines] == [
        ("plan", "export-refused", "changed", "csv")
    ]
    assert "未提供下载：此账号的角色或范围已变更，页面已按新的权限刷新，请重新下载。" in main
    assert "甲二县" in main  # the page now shows the new scope
    assert exceptions(page) == []
    context.close()


# 竞赛类别, 获奖类型 in Chinese (uniondash/text/strings.toml), written out here, not looked up
SERIES_ZH = {
    "skills_contest": "职工职业技能大赛",
    "ankang_cup": "安康杯",
    "labour_skill": "劳动和技能竞赛",
    "five_small": "五小",
}
WINNER_ZH = {"person": "个人", "team": "班组", "unit": "单位"}
AWARDS_HEADER = ["年份", "竞赛类别", "竞赛", "奖项", "获奖类型", "获奖者", "单位"]
AWARDS_HEADER += ["县（市、区）", "荣誉", "创效（万元）"]


def expected_awards(snapshot_dir) -> list[tuple]:
    """Every award of the snapshot, as a leader (names shown) exports them: read from the parquet
    files with pandas, ordered newest year first, then award, competition, winner, result id."""
    results = pd.read_parquet(snapshot_dir / "competition_results.parquet")
    comps = pd.read_parquet(snapshot_dir / "competitions.parquet")
    regions = pd.read_parquet(snapshot_dir / "regions.parquet")
    names = dict(zip(regions.adcode, regions.name))
    rows = results.merge(comps[["competition_id", "series", "name", "year"]], on="competition_id")
    rows = rows.sort_values(
        ["year", "award_tier", "name", "winner_name", "result_id"], ascending=[False, True, True, True, True]
    )
    return [
        (
            int(r.year),
            SERIES_ZH[r.series],
            r.name,
            r.award_tier,
            WINNER_ZH[r.winner_type],
            r.winner_name,
            r.employer,
            names[r.adcode],
            None if pd.isna(r.honour) else r.honour,  # 技术能手, 荆楚工匠: the same in Chinese
            None if pd.isna(r.benefit_10k_yuan) else float(r.benefit_10k_yuan),
        )
        for r in rows.itertuples()
    ]


def test_the_all_awards_export_downloads_every_award(account_server, chromium, fixture_dir, tmp_path, artifacts):
    """It used to never download: its data function read session state in the worker thread."""
    context, page = signed_in(chromium, f"{account_server}/competitions?year=0", "lead")
    assert "获奖名单" in main_text(page)
    button = page.locator(".st-key-awards_xlsx button")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=120_000) as info:
        button.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.startswith("awards-")  # awards-[scope-]all.xlsx: every year
    assert download.suggested_filename.endswith("-all.xlsx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    wait_until_drawn(page)
    page.screenshot(path=str(artifacts / "guard-awards-export.png"))
    assert exceptions(page) == []
    context.close()

    rows = list(openpyxl.load_workbook(saved).active.iter_rows(values_only=True))
    expected = expected_awards(fixture_dir / "snapshots" / "2023-12-31")
    block = [
        ("单位", "测试省总工会"),
        ("表格", "获奖名单"),
        ("数据快照", "2023-12-31"),
        ("对比快照", "2022-12-31"),
        ("范围", "全省"),
        ("筛选条件", "年份 2019 年以来全部"),
        ("数据性质", "演示数据"),
        ("导出时间（北京时间）", "2030-01-02 09:30"),
        ("行数", str(len(expected))),
    ]
    n = len(block)
    assert [(k, str(v)) for k, v, *_ in rows[:n]] == block  # the row count may be a number cell
    assert all(v is None for v in rows[n])  # a blank row, then the table
    assert list(rows[n + 1][: len(AWARDS_HEADER)]) == AWARDS_HEADER
    table = [tuple(r[: len(AWARDS_HEADER)]) for r in rows[n + 2 :]]
    assert len(expected) == 4  # R1-R3 of 2023 and R4 of 2022, all in the 2023-12-31 snapshot
    first = (2023, "职工职业技能大赛", "全省技能大赛（焊工）", "一等奖", "个人", "张三", "甲一区机械厂")
    assert table[0] == expected[0] == (*first, "甲一区", "技术能手", None)
    assert table == expected


def download_and_close(chromium, url: str, artifacts) -> str:
    """Sign in, download the stations CSV, check its /media/ URL answers 200 with no cookie,
    close the tab (its WebSocket goes); the URL."""
    context, page = signed_in(chromium, f"{url}/stations?city=990100", "lead")
    download = click_download(page, page.get_by_role("button", name="导出 CSV").first, timeout_ms=120_000)
    media = download.url
    with open(download.path(), "rb") as f:
        delivered = f.read()
    wait_until_drawn(page)
    page.screenshot(path=str(artifacts / "guard-media-before-close.png"))
    assert media.startswith(f"{url}/media/"), media
    assert delivered.startswith(b"\xef\xbb\xbf")  # the CSV, BOM first
    assert http_get(media) == (200, delivered)  # no cookie: the URL alone is the file
    context.close()
    return media


def poll_until_gone(media: str, limit_s: float, since: float) -> list[tuple[float, int]]:
    """(seconds since `since`, status) every 2 s until the URL stops answering 200, or limit_s."""
    seen: list[tuple[float, int]] = []
    while True:
        status, _ = http_get(media)
        seen.append((round(time.monotonic() - since, 1), status))
        if status != 200 or time.monotonic() - since > limit_s:
            return seen
        time.sleep(2)


@pytest.mark.xfail(
    strict=True,
    reason="Streamlit 1.67 deletes media files only when a script run ends or a session is shut down; "
    "a disconnected session past its TTL is dropped from its cache without a shutdown, so on a quiet "
    "server the file stays (measured: still 200 at 90 s after the tab closed)",
)
def test_an_abandoned_tabs_download_url_goes_after_the_ttl(fixture_dir, accounts, chromium, artifacts):
    """README: "An abandoned tab's files go 30 s after it closes". A server of its own, with no
    other session (another session's run also sweeps media files)."""
    with streamlit_server(fixture_dir, script="serve.py", extra_env=account_env(accounts)) as (url, _proc):
        media = download_and_close(chromium, url, artifacts)
        seen = poll_until_gone(media, 90, time.monotonic())
        print(f"media URL after its tab closed (s, status): {seen[:2]} … {seen[-2:]}")
        assert seen[-1][1] == 404, f"{media} still answered {seen[-1][1]} {seen[-1][0]} s after its tab closed"
        assert seen[-1][0] <= TTL_S + 30, seen[-1]


def test_an_abandoned_tabs_download_url_is_gone_once_another_session_runs_after_the_ttl(
    fixture_dir, accounts, chromium, artifacts
):
    """What does hold today: a file built at a click belongs to no session once its rerun has
    ended, and the next page run of any session deletes it; here one run after the TTL."""
    with streamlit_server(fixture_dir, script="serve.py", extra_env=account_env(accounts)) as (url, _proc):
        media = download_and_close(chromium, url, artifacts)
        closed = time.monotonic()
        time.sleep(TTL_S + 5)
        quiet = http_get(media)[0]
        runs = 0
        while http_get(media)[0] == 200 and runs < 3:
            still_serving(url, "")  # another session opens the overview
            runs += 1
        status, body = http_get(media)
        print(
            f"{TTL_S + 5} s after its tab closed: {quiet}; after {runs} other session run(s) "
            f"({round(time.monotonic() - closed)} s): {status}"
        )
        assert status == 404, (status, runs)
        assert not body.startswith(b"\xef\xbb\xbf")  # not the CSV
