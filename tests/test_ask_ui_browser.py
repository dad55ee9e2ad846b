"""The questions leaders and planners ask, answered where they look, in the system Chromium on the
demo data: headline numbers at least twice their labels' size in every theme (大屏 had drawn them
at their labels' 18 px); on a phone (390×844) every chart title clear of the chart's toolbar; the
stations download named for its scope (stations-枣阳市-2023-12-31.xlsx) with 行数 a number cell.
Screenshots in test-artifacts/."""

from __future__ import annotations

import io

import openpyxl
import pytest
from browser import click_download, exceptions, wait_until_drawn

pytestmark = pytest.mark.browser

# The size of the element drawing a metric's text (its first non-blank text node's parent): the
# number is drawn in a <p> inside stMetricValue, so the container's own size says nothing.
METRIC_SIZES = """() => {
  const textElement = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP),
    });
    const node = walker.nextNode();
    return node ? node.parentElement : root;
  };
  const px = (e) => parseFloat(getComputedStyle(textElement(e)).fontSize);
  return [...document.querySelectorAll('[data-testid="stMetric"]')].map((m) => ({
    label: m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
    value: m.querySelector('[data-testid="stMetricValue"]').innerText.trim(),
    label_px: px(m.querySelector('[data-testid="stMetricLabel"]')),
    value_px: px(m.querySelector('[data-testid="stMetricValue"]')),
  }));
}"""

# Streamlit's own theme as the page shows it (the product reloads once to match `theme=`).
IS_DARK = """(dark) => {
  const app = document.querySelector('.stApp');
  if (!app) return false;
  const m = getComputedStyle(app).backgroundColor.match(/\\d+/g) || [255, 255, 255];
  return ((+m[0] + +m[1] + +m[2]) < 384) === dark;
}"""

BOXES = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].map((chart) => {
  const box = (e) => {
    if (!e) return null;
    const r = e.getBoundingClientRect();
    return {left: r.left, top: r.top + window.scrollY, right: r.right, bottom: r.bottom + window.scrollY};
  };
  const title = chart.querySelector('.gtitle');
  return {
    title: title ? title.textContent : null,
    title_box: box(title),
    modebar_box: box(chart.querySelector('.modebar')),
    chart_box: box(chart.closest('[data-testid="stElementContainer"]')),  // the chart's room on the page
    figure_box: box(chart.querySelector('.main-svg')),  // the figure as Plotly drew it
    shown_box: box(chart),  // what is shown of it: Streamlit holds this box at the figure's height
  };
})"""

# Toolbars shown on the page (a table's is always shown on a touch screen)
TOOLBARS = """() => [...document.querySelectorAll('[data-testid="stElementToolbar"]')]
  .filter((e) => parseFloat(getComputedStyle(e).opacity) > 0 && e.getBoundingClientRect().height > 0)
  .map((e) => { const r = e.getBoundingClientRect();
    return {left: r.left, top: r.top + window.scrollY, right: r.right, bottom: r.bottom + window.scrollY}; })"""


def themed_page(chromium, url: str, theme: str, **kwargs):
    page = chromium.new_page(**kwargs)
    page.goto(url)
    page.wait_for_function(IS_DARK, arg=theme != "light", timeout=60_000)
    wait_until_drawn(page)
    page.wait_for_function(IS_DARK, arg=theme != "light", timeout=60_000)  # after the reload, too
    return page


@pytest.mark.parametrize("path", ["", "stations"], ids=["overview", "stations"])
@pytest.mark.parametrize("theme", ["light", "dark", "screen"])
def test_headline_numbers_twice_their_labels(server, chromium, artifacts, theme, path):
    page = themed_page(chromium, f"{server}/{path}?theme={theme}", theme, viewport={"width": 1280, "height": 900})
    assert exceptions(page) == []
    page.wait_for_selector('[data-testid="stMetricValue"]')
    sizes = page.evaluate(METRIC_SIZES)
    assert len(sizes) >= 4, sizes
    for m in sizes:
        assert m["value_px"] >= 2 * m["label_px"], m
    assert min(m["value_px"] for m in sizes) >= 36, sizes  # 大屏's numbers are not smaller than the desk's
    page.screenshot(path=str(artifacts / f"ask-metrics-{theme}-{path or 'overview'}-1280.png"))
    page.close()


def overlaps(a: dict, b: dict) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


@pytest.mark.parametrize(("path", "lang"), [("", "zh"), ("competitions", "zh"), ("", "en"), ("coverage", "zh")])
def test_phone_chart_titles_clear_of_the_toolbar(server, chromium, artifacts, path, lang):
    page = chromium.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(f"{server}/{path}?lang={lang}")
    wait_until_drawn(page)
    assert exceptions(page) == []
    charts = page.locator('[data-testid="stPlotlyChart"]')
    assert charts.count() >= 1
    for i in range(charts.count()):  # each drawn on screen, as the reader scrolls to it
        charts.nth(i).scroll_into_view_if_needed()
        page.wait_for_function(
            "(i) => document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')[i].querySelector('.gtitle')", arg=i
        )
    boxes = page.evaluate(BOXES)
    for chart in boxes:
        assert chart["title"], chart
        assert chart["modebar_box"] is not None, chart  # the toolbar is there (the PNG download) …
        assert not overlaps(chart["title_box"], chart["modebar_box"]), chart  # … and the title clear of it
        assert chart["modebar_box"]["top"] >= chart["chart_box"]["top"] - 0.5, chart  # within the chart's box
        # the whole title inside the chart: Plotly never wraps one, a long title is put on two lines
        assert chart["title_box"]["right"] <= chart["chart_box"]["right"] + 0.5, chart
        # the whole figure shown: the coverage heat table's last row (神农架林区) was cut off
        assert chart["figure_box"]["bottom"] <= chart["shown_box"]["bottom"] + 0.5, chart
        for toolbar in page.evaluate(TOOLBARS):  # no table's toolbar over a chart (its category labels)
            assert not overlaps(toolbar, chart["figure_box"]), (toolbar, chart)
    first = charts.first
    first.scroll_into_view_if_needed()
    page.mouse.move(195, 600)
    page.mouse.wheel(0, -120)  # out from under Streamlit's sticky header
    page.wait_for_timeout(300)
    box = first.bounding_box()
    page.screenshot(
        path=str(artifacts / f"ask-phone-chart-title-{path or 'overview'}-{lang}.png"),
        clip={"x": 0, "y": max(0, box["y"] - 20), "width": 390, "height": min(260, box["height"] + 20)},
    )
    page.close()


def test_download_named_for_its_scope_with_a_number_row_count(server, chromium, demo_wh):
    expected = demo_wh.con.execute(
        "select count(*) from stations where as_of = '2023-12-31' and adcode = '420683'"
        " and status in ('open', 'suspended')"
    ).fetchone()[0]
    page = chromium.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(f"{server}/stations?county=420683")  # 枣阳市
    wait_until_drawn(page)
    assert exceptions(page) == []
    got = click_download(page, page.get_by_role("button", name="导出 Excel").first)
    assert got.suggested_filename == "stations-枣阳市-2023-12-31.xlsx"
    with open(got.path(), "rb") as f:
        ws = openpyxl.load_workbook(io.BytesIO(f.read())).active
    block = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(1, 12) if ws.cell(r, 1).value}
    assert block["范围"].value == "枣阳市"
    assert block["行数"].data_type == "n"
    assert block["行数"].value == expected
    page.close()
