"""Real browser (system Chromium): URL state, no exceptions, nothing leaves localhost; screenshots."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest
from browser import (
    deck_specs,
    exceptions,
    external_requests,
    record_frames,
    require_chromium,
    streamlit_server,
    wait_until_drawn,
)

pytestmark = pytest.mark.browser


def open_page(chromium, url, width=1280, height=720):
    page = chromium.new_page(viewport={"width": width, "height": height})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    wait_until_drawn(page)
    return page, requests


def metric_value(page, label_start: str) -> str:
    for m in page.query_selector_all('[data-testid="stMetric"]'):
        label = m.query_selector('[data-testid="stMetricLabel"]').inner_text()
        if label.startswith(label_start):
            return m.query_selector('[data-testid="stMetricValue"]').inner_text()
    raise AssertionError(f"no metric {label_start}")


def test_overview_county_from_url(server, chromium, demo_wh, artifacts):
    county = "420106"  # 武昌区
    page, requests = open_page(chromium, f"{server}/?county={county}&snapshot=2021-12-31")
    assert exceptions(page) == []
    # The filter took effect: the county is chosen in the sidebar and named in the caption.
    sidebar = page.query_selector('[data-testid="stSidebar"]').inner_text()
    assert "武昌区" in sidebar
    assert "范围：武昌区" in page.inner_text('[data-testid="stMain"]')
    expected = demo_wh.con.execute(
        "select count(*) from stations where as_of = '2021-12-31' and adcode = ? and status <> 'closed'", [county]
    ).fetchone()[0]
    assert metric_value(page, "服务职工站点") == f"{expected:,}"
    # The URL still carries the view.
    assert "county=420106" in page.url
    assert "snapshot=2021-12-31" in page.url
    assert external_requests(requests) == []
    page.screenshot(path=str(artifacts / "overview-county-1280.png"), full_page=True)
    page.close()


def test_overview_english_wide(server, chromium, artifacts):
    page, _ = open_page(chromium, f"{server}/?lang=en", 1920, 1080)
    assert exceptions(page) == []
    assert "Five-year overview" in page.inner_text('[data-testid="stMain"]')
    page.screenshot(path=str(artifacts / "overview-en-1920.png"), full_page=True)
    page.close()


def test_ranking_click_opens_the_county_profile(server, chromium, demo_wh, artifacts):
    page, _ = open_page(chromium, f"{server}/?city=420100", 1920, 1080)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .bars path')
    bars = page.locator('[data-testid="stPlotlyChart"] .bars path')
    bars.nth(bars.count() - 1).click(force=True)  # plotly draws bottom-up: the last path is the best county
    page.wait_for_url("**/county?*county=*", timeout=20_000)
    wait_until_drawn(page)
    assert exceptions(page) == []
    county = page.url.split("county=")[1].split("&")[0]
    name = demo_wh.con.execute(
        "select name from regions where as_of = '2023-12-31' and adcode = ?", [county]
    ).fetchone()[0]
    assert county.startswith("4201")
    assert "city=" not in page.url
    main = page.inner_text('[data-testid="stMain"]')
    assert f"县域概况：{name}" in main
    # The figure on the page matches a DuckDB query over the snapshot.
    n = demo_wh.con.execute(
        "select count(*) from stations where as_of = '2023-12-31' and adcode = ? and status <> 'closed'", [county]
    ).fetchone()[0]
    assert f"{n} 个站点" in main
    page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas')
    page.screenshot(path=str(artifacts / "county-profile-1920.png"), full_page=True)
    page.close()


def test_coverage_page_map_offline(server, chromium, artifacts):
    page, requests = open_page(chromium, f"{server}/coverage?city=420500", 1280, 720)
    assert exceptions(page) == []
    page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas')
    page.wait_for_timeout(1000)
    assert external_requests(requests) == []
    assert "宜昌市" in page.inner_text('[data-testid="stMain"]')
    page.set_viewport_size({"width": 1280, "height": 2200})
    page.screenshot(path=str(artifacts / "coverage-city-1280.png"))
    page.close()


def test_overview_dark(server, chromium, artifacts):
    page = chromium.new_page(viewport={"width": 1280, "height": 720}, color_scheme="dark")
    page.goto(server)
    wait_until_drawn(page)
    assert exceptions(page) == []
    bg = page.evaluate("getComputedStyle(document.querySelector('[data-testid=\"stApp\"]')).backgroundColor")
    r, g, b = [int(x) for x in bg[bg.index("(") + 1 : bg.index(")")].split(",")[:3]]
    assert r + g + b < 200, bg  # a dark background
    page.screenshot(path=str(artifacts / "overview-dark-1280.png"))
    page.close()


@pytest.fixture(scope="module")
def fixture_server(fixture_dir):
    require_chromium()
    with streamlit_server(fixture_dir) as (url, _proc):
        yield url


def test_station_name_is_text_not_markup(fixture_server, chromium, artifacts):
    page, requests = open_page(chromium, f"{fixture_server}/stations?county=990101", 1280, 720)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.wait_for()
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    box = canvas.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2  # S1 sits mid-map
    page.mouse.move(cx - 40, cy - 40)
    page.mouse.move(cx, cy, steps=8)
    tooltip = page.locator(".deck-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    assert tooltip.inner_text().startswith("<img src=x onerror=alert(1)>")
    assert tooltip.locator("img").count() == 0
    assert dialogs == []
    assert external_requests(requests) == []
    page.screenshot(path=str(artifacts / "stations-xss-tooltip-1280.png"))
    page.close()


def test_stations_url_filters_reproduce_counts(server, chromium, demo_wh, artifacts):
    url = f"{server}/stations?city=420100&kind=outdoor_rest&h24=1&status=open&layer=points"
    page, requests = open_page(chromium, url, 1920, 1080)
    assert exceptions(page) == []
    page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas')
    expected = demo_wh.con.execute("""
        select count(*) from stations s join regions r on r.as_of = s.as_of and r.adcode = s.adcode
        where s.as_of = '2023-12-31' and r.level = 'county' and r.parent_adcode = '420100'
          and s.kind = 'outdoor_rest' and s.is_24h and s.status = 'open'
    """).fetchone()[0]
    assert metric_value(page, "符合条件站点") == f"{expected:,}"
    for key in ("city=420100", "kind=outdoor_rest", "h24=1", "status=open"):
        assert key in page.url
    assert external_requests(requests) == []
    page.screenshot(path=str(artifacts / "stations-filtered-1920.png"))
    page.close()


OVERLAYS = ["changes", "uncovered", "sites", "site-labels", "names"]  # changes=1, gaps=1, the place names


def drawn_deck(chromium, url: str, size: tuple[int, int]):
    """The page, the requests it made and the one pydeck spec the server sent it."""
    page = chromium.new_page(viewport={"width": size[0], "height": size[1]})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    frames = record_frames(page)
    page.goto(url)
    wait_until_drawn(page)
    page.wait_for_selector('[data-testid="stDeckGlJsonChart"] canvas')
    page.wait_for_timeout(500)
    (spec,) = deck_specs(frames)
    return page, requests, spec


def test_stations_whole_region_layers(server, chromium, demo_wh, artifacts):
    """Each base layer draws what it says, from the snapshot: points one dot per station (one layer
    per kind), density the stations counted in 0.05° cells (more than 20 counties) as a heatmap,
    supply one choropleth feature per county valued stations per 10,000 outdoor workers."""
    con = demo_wh.con
    per_kind = dict(
        con.execute("""
            select kind, count(*) from stations
            where as_of = '2023-12-31' and status in ('open', 'suspended') group by kind
        """).fetchall()
    )
    total = sum(per_kind.values())
    cells = con.execute("""
        select count(distinct (floor(lon / 0.05), floor(lat / 0.05))) from stations
        where as_of = '2023-12-31' and status in ('open', 'suspended')
    """).fetchone()[0]
    counties = con.execute("select count(*) from regions where as_of = '2023-12-31' and level = 'county'").fetchone()[0]
    wuchang = con.execute("""
        select (select count(*) from stations
                where as_of = '2023-12-31' and status in ('open', 'suspended') and adcode = '420106') * 10000.0
             / (select sum(workers) from nef_membership where as_of = '2023-12-31' and adcode = '420106')
    """).fetchone()[0]
    assert total > 8_000
    for layer, size in (("points", (1280, 720)), ("density", (1280, 720)), ("supply", (1920, 1080))):
        page, requests, spec = drawn_deck(chromium, f"{server}/stations?layer={layer}&gaps=1&changes=1", size)
        assert exceptions(page) == []
        layers = {lyr["id"]: lyr for lyr in spec["layers"]}
        base = [i for i in layers if i not in OVERLAYS]
        assert [i for i in layers if i in OVERLAYS] == OVERLAYS, layer
        # with the overlays' large dots on, deck.gl writes the names over them (in boxes), and the
        # basemap does not write them a second time beneath
        style = json.loads(unquote(spec["mapStyle"].split(",", 1)[1]))
        assert "names" not in style["sources"]
        assert {lyr["type"] for lyr in style["layers"]} == {"background", "line"}
        legend = page.locator(".map-legend").first.inner_text()
        if layer == "points":
            assert sorted(base) == sorted(f"stations-{k}" for k in per_kind)
            assert {k: len(layers[f"stations-{k}"]["data"]) for k in per_kind} == per_kind
            assert {layers[i]["@@type"] for i in base} == {"ScatterplotLayer"}
            assert "户外劳动者服务站点" in legend
        elif layer == "density":
            assert base == ["density"]
            assert layers["density"]["@@type"] == "HeatmapLayer"
            assert len(layers["density"]["data"]) == cells
            assert sum(c["stations"] for c in layers["density"]["data"]) == total
            assert "站点密度（低 → 高）" in legend
        else:
            assert base == ["choropleth"]
            assert layers["choropleth"]["@@type"] == "GeoJsonLayer"
            features = {f["properties"]["adcode"]: f["properties"] for f in layers["choropleth"]["data"]["features"]}
            assert len(features) == counties == 103
            assert features["420106"]["tip"] == f"武昌区\n每万名新就业形态劳动者筛选站点数: {wuchang:,.1f}"
            assert len({tuple(p["fill"]) for p in features.values()}) > 10  # coloured by value, not one colour
            assert "每万名新就业形态劳动者筛选站点数" in legend
        assert external_requests(requests) == []
        page.screenshot(path=str(artifacts / f"stations-{layer}-{size[0]}.png"))
        page.close()


def test_competitions_url_reproduces_medal_counts(server, chromium, demo_wh, artifacts):
    page, requests = open_page(chromium, f"{server}/competitions?county=420506&year=2022", 1280, 720)
    assert exceptions(page) == []
    first, second, third, total = demo_wh.con.execute("""
        select count(*) filter (where award_tier = '一等奖'), count(*) filter (where award_tier = '二等奖'),
               count(*) filter (where award_tier = '三等奖'), count(*)
        from competition_results r join competitions c using (as_of, competition_id)
        where r.as_of = '2023-12-31' and c.year = 2022 and r.adcode = '420506'
    """).fetchone()
    assert "county=420506" in page.url
    assert "year=2022" in page.url
    main = page.inner_text('[data-testid="stMain"]')
    assert f"一等奖 {first} 项、二等奖 {second} 项、三等奖 {third} 项，共 {total} 项" in main
    page.set_viewport_size({"width": 1280, "height": 2200})
    page.screenshot(path=str(artifacts / "competitions-county-2022.png"))
    assert external_requests(requests) == []
    assert total > 0
    page.close()


def test_coverage_table_row_opens_the_county_profile(server, chromium, demo_wh, artifacts):
    page, _ = open_page(chromium, f"{server}/coverage?city=420500", 1280, 900)
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the selection cell of the first (best) row
    page.wait_for_url("**/county?*county=*", timeout=20_000)
    wait_until_drawn(page)
    assert exceptions(page) == []
    best = demo_wh.con.execute("""
        select c.adcode from coverage c join regions r on r.as_of = c.as_of and r.adcode = c.adcode
        where c.as_of = '2023-12-31' and r.level = 'county' and r.parent_adcode = '420500'
        order by c.legal_units_unionised / c.legal_units desc, c.adcode limit 1
    """).fetchone()[0]
    assert page.url.split("county=")[1].split("&")[0] == best
    page.screenshot(path=str(artifacts / "coverage-row-to-profile.png"))
    page.close()


# The theme kept in the URL: theme=dark|screen|light picks it (Streamlit's own light or dark theme
# by one reload with embed_options), and a choice in the sidebar is written back to the URL.
THEME_LOOK = {  # the product's --ud-bg, the loaded Streamlit theme, the sidebar's label, body text px
    "dark": ("#0E1117", "dark_theme", "深色", "16px"),
    "screen": ("#071426", "dark_theme", "大屏", "18px"),
    "light": ("#FFFFFF", None, "浅色", "16px"),
}
JS_APP_RGB = """(() => {
    const m = getComputedStyle(document.querySelector('.stApp')).backgroundColor.match(/\\d+/g);
    return m.slice(0, 3).map(Number);
})()"""


def assert_theme(page, theme: str) -> None:
    bg, embed, label, text_px = THEME_LOOK[theme]
    assert f"theme={theme}" in page.url
    if embed:
        assert f"embed_options={embed}" in page.url
    assert page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--ud-bg').trim()") == bg
    r, g, b = page.evaluate(JS_APP_RGB)
    assert (r + g + b < 200) if theme != "light" else (r, g, b) == (255, 255, 255), (theme, r, g, b)
    if theme == "screen":  # the big screen paints its own navy over Streamlit's dark theme
        view_bg = "getComputedStyle(document.querySelector('[data-testid=\"stAppViewContainer\"]')).backgroundColor"
        assert page.evaluate(view_bg) == "rgb(7, 20, 38)"
    p_px = "getComputedStyle(document.querySelector('[data-testid=\"stMain\"] p')).fontSize"
    assert page.evaluate(p_px) == text_px
    chosen = page.locator('[data-testid="stSidebar"] [data-variant="segmented_control"][aria-checked="true"]')
    assert label in chosen.all_inner_texts()


def theme_button(page, label: str):
    return page.locator('[data-testid="stSidebar"] [data-variant="segmented_control"]', has_text=label).first


@pytest.mark.parametrize("theme", ["dark", "screen", "light"])
def test_theme_read_from_the_url(server, chromium, artifacts, theme):
    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{server}/?theme={theme}&city=420500")
    if THEME_LOOK[theme][1]:
        page.wait_for_url(f"**embed_options={THEME_LOOK[theme][1]}**", timeout=30_000)  # the one reload
    wait_until_drawn(page)
    assert exceptions(page) == []
    assert_theme(page, theme)
    assert "city=420500" in page.url  # the reload keeps the rest of the view
    page.screenshot(path=str(artifacts / f"theme-url-{theme}-1280.png"))
    page.close()


def test_theme_chosen_in_the_sidebar_is_written_to_the_url(server, chromium, artifacts):
    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{server}/?city=420500")
    wait_until_drawn(page)
    assert "theme=" not in page.url  # nothing chosen: nothing written
    theme_button(page, "深色").click()
    page.wait_for_url("**theme=dark**embed_options=dark_theme**", timeout=30_000)
    wait_until_drawn(page)
    assert_theme(page, "dark")
    reloaded_at = page.evaluate("Date.now()")
    theme_button(page, "大屏").click()  # dark to big screen: same Streamlit theme, no reload
    page.wait_for_url("**theme=screen**", timeout=30_000)
    wait_until_drawn(page)
    assert_theme(page, "screen")
    # back to light needs a reload; the page allows one every 8 s (a guard against a reload loop)
    page.wait_for_timeout(max(0, reloaded_at + 8_500 - page.evaluate("Date.now()")))
    theme_button(page, "浅色").click()
    page.wait_for_url("**theme=light**embed_options=light_theme**", timeout=30_000)
    wait_until_drawn(page)
    assert_theme(page, "light")
    assert "city=420500" in page.url
    page.screenshot(path=str(artifacts / "theme-switched-light-1280.png"))
    page.close()


def test_theme_switched_back_at_once_takes_effect(server, chromium):
    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{server}/?theme=dark")
    page.wait_for_url("**embed_options=dark_theme**", timeout=30_000)
    wait_until_drawn(page)
    theme_button(page, "浅色").click()
    page.wait_for_url("**theme=light**", timeout=30_000)
    from playwright.sync_api import TimeoutError as NoReload

    try:
        page.wait_for_url("**embed_options=light_theme**", timeout=15_000)
    except NoReload:  # judged below by what the page shows
        pass
    wait_until_drawn(page)
    try:
        assert page.evaluate(JS_APP_RGB) == [255, 255, 255], page.url
    finally:
        page.close()
