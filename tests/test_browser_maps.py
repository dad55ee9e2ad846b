"""Real browser: the stations map with its legend on the first screen at 1280×720, zh and en;
screenshots of the maps and charts that changed (looked at by whoever changes them)."""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest
from browser import deck_specs, exceptions, external_requests, wait_until_drawn

pytestmark = pytest.mark.browser


def box(page, selector: str) -> dict:
    return page.eval_on_selector(
        selector, "e => { const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom, width: r.width}; }"
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_stations_map_and_legend_on_the_first_screen(server, chromium, artifacts, lang):
    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    requests: list[str] = []
    frames: list = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(payload)))
    page.goto(f"{server}/stations?lang={lang}&city=420100")
    wait_until_drawn(page)
    page.wait_for_timeout(3000)
    assert not exceptions(page)
    deck = box(page, '[data-testid="stDeckGlJsonChart"]')
    assert deck["bottom"] <= 720, deck  # the whole map on the first screen
    legend = box(page, ".map-legend")
    assert legend["bottom"] <= 720, legend
    words = page.inner_text(".map-legend")
    assert ("户外劳动者服务站点" if lang == "zh" else "Outdoor rest station") in words
    assert not external_requests(requests)  # the labels' font is local: nothing fetched
    # Wuhan's district names over the dense dots, in boxes (deck.gl), none of them a second time
    # beneath (the basemap's names were covered by the dots where they sit)
    (spec,) = deck_specs(frames)
    (names,) = [lyr for lyr in spec["layers"] if lyr["@@type"] == "TextLayer"]
    assert "江岸区" in {row["name"] for row in names["data"]}
    assert "names" not in json.loads(unquote(spec["mapStyle"].split(",", 1)[1]))["sources"]
    page.screenshot(path=str(artifacts / f"stations-wuhan-1280-{lang}.png"))
    page.goto(f"{server}/coverage?lang={lang}&city=420100")
    wait_until_drawn(page)
    page.wait_for_timeout(2000)
    assert not exceptions(page)
    for i, el in enumerate(page.query_selector_all('[data-testid="stDeckGlJsonChart"], .stPlotlyChart')):
        el.scroll_into_view_if_needed()
        el.screenshot(path=str(artifacts / f"coverage-wuhan-{lang}-{i}.png"))
    page.close()
