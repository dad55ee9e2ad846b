"""Issue 13 in the system Chromium, on the demo data: the stations export holds every station in
scope, hostile links are named and survived, product paths never reach Streamlit's English
"Page not found", the county profile prints every indicator, and every page at 1280×720 in
Chinese and English (screenshots in test-artifacts/, looked at)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from browser import click_download, exceptions, wait_until_drawn

pytestmark = pytest.mark.browser
PAGES = {"overview": "", "stations": "stations", "competitions": "competitions", "coverage": "coverage"}


def open_page(chromium, url, width=1280, height=720, **kwargs):
    page = chromium.new_page(viewport={"width": width, "height": height}, **kwargs)
    page.goto(url)
    wait_until_drawn(page)
    return page


def download(page, label: str) -> tuple[str, bytes]:
    # a download reruns the page (on_click="rerun"): click_download waits until its buttons are drawn anew
    got = click_download(page, page.get_by_role("button", name=label).first)
    with open(got.path(), "rb") as f:
        return got.suggested_filename, f.read()


def test_stations_export_holds_every_station_in_scope(server, chromium, demo_wh, artifacts):
    page = open_page(chromium, f"{server}/stations", accept_downloads=True)
    assert exceptions(page) == []
    expected = demo_wh.con.execute(
        "select count(*) from stations where as_of = '2023-12-31' and status in ('open', 'suspended')"
    ).fetchone()[0]
    assert expected > 1_000  # more than the screen's table shows
    main = page.inner_text('[data-testid="stMain"]')
    assert f"共 {expected:,} 条符合条件" in main  # the screen says it is capped
    name, data = download(page, "导出 Excel")
    assert name == "stations-全省-2023-12-31.xlsx"  # the scope in the name
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    header_row = next(r for r in range(1, 20) if ws.cell(r, 1).value == "站点")
    assert ws.max_row - header_row == expected
    block = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, header_row)}
    assert block["单位"] == "湖北省总工会"
    assert block["数据性质"] == "演示数据"
    assert block["行数"] == expected  # a number cell
    assert ws.freeze_panes == f"A{header_row + 1}"
    visits = [c.value for c in ws[header_row]].index("月服务人次") + 1
    assert isinstance(ws.cell(header_row + 1, visits).value, int)
    name, data = download(page, "导出 CSV")
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    table_start = lines.index(next(line for line in lines if line.startswith("站点,")))
    assert len(lines) - table_start - 1 == expected
    page.screenshot(path=str(artifacts / "trust-stations-export-1280.png"))
    page.close()


def test_hostile_link_is_named_and_survived(server, chromium, artifacts):
    url = f"{server}/stations?gaps=1&gap_km=nan&status=evil&snapshot=1999-01-01&county=123456"
    page = open_page(chromium, url)
    assert exceptions(page) == []
    notice = page.locator('[data-testid="stMain"] [data-testid="stAlertContentWarning"]').first.inner_text()
    for item in ("gap_km=nan", "status=evil", "snapshot=1999-01-01", "county=123456"):
        assert item in notice
    page.wait_for_timeout(500)
    assert "gap_km" not in page.url
    assert "status=" not in page.url
    assert "snapshot=" not in page.url
    assert "gaps=1" in page.url
    page.screenshot(path=str(artifacts / "trust-hostile-link-1280.png"))
    page.close()


@pytest.mark.parametrize(("path", "lang", "words"), [("present", "zh", "演示数据"), ("nosuch", "en", "no page")])
def test_product_and_unknown_paths_never_reach_page_not_found(server, chromium, artifacts, path, lang, words):
    page = open_page(chromium, f"{server}/{path}?lang={lang}")
    assert exceptions(page) == []
    body = page.inner_text("body")
    assert "Page not found" not in body
    assert words in body
    page.screenshot(path=str(artifacts / f"trust-path-{path}-{lang}-1280.png"))
    page.close()


def test_county_profile_prints_every_indicator(server, chromium, demo_wh, artifacts):
    from uniondash.analysis.profile import profile_rows
    from uniondash.metrics.kpis import load_catalogue

    county = "420106"
    as_ofs = demo_wh.as_ofs
    regions = demo_wh.run("regions", as_of=as_ofs[-1])
    rows = profile_rows(
        demo_wh.run("unit_measures", as_ofs=tuple(as_ofs)),
        load_catalogue(),
        regions,
        county,
        as_ofs[-1],
        as_ofs,
        demo_wh.run("targets", as_of=as_ofs[-1]),
    )
    assert len(rows) > 10  # more than a grid shows at once
    page = open_page(chromium, f"{server}/county?county={county}")
    assert exceptions(page) == []
    assert not page.locator(".st-key-print_only").is_visible()  # on screen: the grid
    page.emulate_media(media="print")
    table = page.locator(".st-key-print_only table")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == len(rows)
    assert not page.locator(".st-key-screen_only").is_visible()
    page.set_viewport_size({"width": 1280, "height": 2400})
    page.screenshot(path=str(artifacts / "trust-county-print.png"))
    page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_at_1280(server, chromium, artifacts, lang):
    for name, path in {**PAGES, "county": "county?county=420106&"}.items():
        sep = "&" if "?" in path else "?"
        page = open_page(chromium, f"{server}/{path}{sep}lang={lang}".replace("&&", "&"))
        assert exceptions(page) == [], name
        main = page.inner_text('[data-testid="stMain"]')
        assert "Page not found" not in main
        assert "Choose an option" not in main
        if lang == "en":
            assert not any(ch in main for ch in "，。："), name  # no Chinese punctuation from the interface
        page.screenshot(path=str(artifacts / f"trust-{name}-{lang}-1280.png"))
        page.close()
