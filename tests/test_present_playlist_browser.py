"""In Chromium, on the demo build: /present?each=county&auto=2 plays the county-in-focus slide
county after county, best first on the founding rate (computed here by SQL on the snapshot), and
the URL's county= follows each; every slide of the default deck at 1920×1080 sets no text under
20 px and leaves at most half the screen under its title empty (本期变化: rises | declines)."""

from __future__ import annotations

import pytest
from browser import exceptions, wait_until_drawn
from present_checks import empty_share, smallest_text

pytestmark = pytest.mark.browser


def open_slides(chromium, url: str, width: int = 1920, height: int = 1080):
    page = chromium.new_page(viewport={"width": width, "height": height})
    page.goto(url)
    page.wait_for_url("**embed_options=dark_theme**", timeout=30_000)  # the big-screen theme's one reload
    wait_until_drawn(page)
    return page


def title(page) -> str:
    return page.inner_text("h1.ud-title")


def test_each_county_visits_counties_best_first_and_the_url_follows(server, chromium, demo_wh, artifacts):
    best = demo_wh.con.execute(
        """
        select c.adcode, r.name from coverage c
        join regions r on r.as_of = c.as_of and r.adcode = c.adcode and r.level = 'county'
        where c.as_of = '2023-12-31'
        order by c.legal_units_unionised / c.legal_units desc, c.adcode limit 3"""
    ).fetchall()
    page = open_slides(chromium, f"{server}/present?each=county&auto=2")
    seen = []
    for adcode, name in best:
        page.wait_for_function(
            "t => document.querySelector('h1.ud-title')?.textContent === t", arg=f"县域聚焦：{name}", timeout=30_000
        )
        # the run that drew it ends by writing county= (the router rewrites the shared filters first)
        page.wait_for_function("c => location.search.includes('county=' + c)", arg=adcode, timeout=15_000)
        seen.append((title(page), page.url.split("county=")[1].split("&")[0]))
        assert "each=county" in page.url
    assert seen == [(f"县域聚焦：{name}", adcode) for adcode, name in best]
    # and at no moment without it, while the slides turn (the router writes the county from the start of a run)
    samples = []
    for _ in range(40):
        samples.append(page.evaluate("() => new URLSearchParams(location.search).getAll('county')"))
        page.wait_for_timeout(150)
    assert all(len(s) == 1 for s in samples), samples
    assert len({s[0] for s in samples}) >= 2  # it moved on meanwhile
    assert exceptions(page) == []
    page.screenshot(path=str(artifacts / "present-each-county-1920.png"))
    page.close()


def test_every_slide_uses_the_screen_in_type_of_20px_or_more(server, chromium, artifacts):
    page = open_slides(chromium, f"{server}/present")
    n = int(page.inner_text(".ud-counter").split("/")[1].split()[0])
    for i in range(1, n + 1):
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg, .ud-bullets, .ud-columns', timeout=30_000)
        page.wait_for_timeout(600)
        size, text = smallest_text(page)
        assert size >= 20, f"slide {i} ({title(page)}): {text!r} at {size}px"
        share = empty_share(page)
        assert share <= 0.5, f"slide {i} ({title(page)}): {share:.0%} of the screen under the title is empty"
        if title(page) == "本期变化":
            heads = page.locator(".ud-col h2").all_inner_texts()
            assert heads == ["改善", "下降"]
            page.screenshot(path=str(artifacts / "present-changes-1920.png"))
        if i < n:
            page.keyboard.press("ArrowRight")
            page.wait_for_url(f"**slide={i + 1}**", timeout=20_000)
            wait_until_drawn(page)
    page.close()
