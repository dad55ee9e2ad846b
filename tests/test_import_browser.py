"""/data in the system Chromium: a bad XLSX gives the problem table (and its highlighted XLSX), a good
one a new snapshot that the sidebar's snapshot picker offers at once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from browser import exceptions, external_requests, require_chromium, streamlit_server, wait_until_drawn
from fixtures import build_fixture
from import_corpus import export_fixture

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-import")
    build_fixture(root / "data")
    good = export_fixture(root / "data" / "snapshots", root / "export")
    bad_path = root / "bad" / "服务站点.xlsx"
    bad_path.parent.mkdir()
    book = openpyxl.load_workbook(good / "服务站点.xlsx")
    book["服务站点"]["C3"] = "evil_kind"  # 站点类型 of the second station
    book["服务站点"]["F4"] = "abc"  # 经度 of the third
    book.save(bad_path)
    return root, good / "服务站点.xlsx", bad_path


@pytest.fixture(scope="module")
def server(data):
    require_chromium()
    root, _, _ = data
    with streamlit_server(root / "data", extra_env={"UNIONDASH_REGION": "990000"}) as (url, _proc):
        yield url


def submit(page, path):
    for button in page.locator('[data-testid="stFileChipDeleteBtn"]').all()[::-1]:
        button.click()  # the uploader keeps earlier files: take them off first, as a person would
        page.wait_for_timeout(300)
    page.set_input_files('[data-testid="stFileUploaderDropzoneInput"]', str(path))
    page.wait_for_selector(f'text="{path.name}"', timeout=20_000)
    page.get_by_role("button", name="校验并导入").click()
    page.wait_for_timeout(500)
    wait_until_drawn(page, 120_000)


def test_bad_then_good_upload(server, chromium, data, artifacts, tmp_path):
    _, good, bad = data
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{server}/data")
    wait_until_drawn(page)
    assert exceptions(page) == []
    assert "数据导入" in page.inner_text('[data-testid="stMain"]')

    submit(page, bad)
    main = page.inner_text('[data-testid="stMain"]')
    assert "问题清单" in main
    assert "发现 2 处问题，未写入任何数据" in main
    page.wait_for_selector('[data-testid="stDataFrame"]')
    page.screenshot(path=str(artifacts / "data-import-errors-1280.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("button", name="下载错误清单（XLSX，标出错误单元格）").click()
    errors = tmp_path / "errors.xlsx"
    download.value.save_as(errors)
    listing = openpyxl.load_workbook(errors)["错误清单"]
    rows = [[c.value for c in row] for row in listing.iter_rows(min_row=2)]
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("服务站点.xlsx", "服务站点", 3, "站点类型", "evil_kind"),
        ("服务站点.xlsx", "服务站点", 4, "经度", "abc"),
    ]

    submit(page, good)
    # the as-of defaults to the last period end: the end of the previous month in Beijing time
    period_end = (dt.datetime.now(ZoneInfo("Asia/Shanghai")).date().replace(day=1) - dt.timedelta(days=1)).isoformat()
    # a good import reruns the page (st.rerun) to list the new snapshot: the page can look drawn
    # between the two runs, so wait for the outcome itself
    page.get_by_text(f"快照 {period_end} 已写入").wait_for(timeout=120_000)
    wait_until_drawn(page)
    main = page.inner_text('[data-testid="stMain"]')
    assert f"快照 {period_end} 已写入" in main, main[:500]
    assert exceptions(page) == []
    # The sidebar's snapshot picker offers the new snapshot; "open this snapshot" selects it.
    picker = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first
    picker.click()
    page.wait_for_selector('[role="option"]')
    options = page.locator('[role="option"]').all_inner_texts()
    assert period_end in options
    assert "2023-12-31" in options
    page.keyboard.press("Escape")
    page.get_by_role("button", name="查看此快照").click()
    page.wait_for_timeout(500)
    wait_until_drawn(page)
    assert picker.locator("input").input_value() == period_end
    assert "snapshot=" not in page.url  # the newest snapshot is the default: the link stays short
    page.screenshot(path=str(artifacts / "data-import-done-1280.png"), full_page=True)
    assert external_requests(requests) == []
    page.close()
