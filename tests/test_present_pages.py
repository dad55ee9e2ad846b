"""Every page, readable on every screen: axe-core (WCAG AA colour contrast and every serious or
critical rule, less Streamlit's own) in each theme, zh and en; a phone-size (390×844) pass with
the first content on the first screen; copy link with the clipboard API removed, and the copied
link opened in a fresh browser context showing the same figures."""

from __future__ import annotations

import pytest
from browser import exceptions, external_requests, wait_until_drawn
from present_checks import axe_violations, overflow, smallest_text

pytestmark = pytest.mark.browser
PAGES = ["/", "/stations", "/competitions", "/coverage", "/county?county=420506"]
EMBED = {"light": "light_theme", "dark": "dark_theme", "screen": "dark_theme"}
# Where each page's first content is: KPI cards, a map, a chart or a list.
FIRST_CONTENT = (
    '[data-testid="stMetric"], [data-testid="stDeckGlJsonChart"], [data-testid="stPlotlyChart"], '
    '[data-testid="stDataFrame"], [data-testid="stMain"] li'
)


def visit(chromium, url: str, width=1280, height=720, **context):
    ctx = chromium.new_context(viewport={"width": width, "height": height}, **context)
    page = ctx.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    wait_until_drawn(page)
    return ctx, page, requests


@pytest.mark.parametrize("theme", ["light", "dark", "screen"])
def test_every_page_passes_axe(server, chromium, artifacts, theme):
    """Every page in each theme; the language alternates page by page (each theme sees both)."""
    for i, path in enumerate(PAGES):
        lang = ("zh", "en")[(i + len(theme)) % 2]
        sep = "&" if "?" in path else "?"
        url = f"{server}{path}{sep}theme={theme}&embed_options={EMBED[theme]}&lang={lang}"
        ctx, page, requests = visit(chromium, url)
        assert exceptions(page) == []
        page.wait_for_timeout(800)
        assert axe_violations(page) == [], f"{path} {theme} {lang}"
        assert external_requests(requests) == []
        name = path.strip("/").split("?")[0] or "overview"
        page.screenshot(path=str(artifacts / f"page-{name}-{theme}-{lang}.png"))
        ctx.close()


def test_every_page_on_a_phone(server, chromium, artifacts):
    for path in PAGES:
        ctx, page, _ = visit(chromium, server + path, 390, 844, is_mobile=True, has_touch=True, device_scale_factor=2)
        assert exceptions(page) == []
        first = page.locator(FIRST_CONTENT).first
        first.wait_for(timeout=30_000)
        box = first.bounding_box()
        assert box is not None
        assert box["y"] < 844 - 40, f"{path}: first content starts at {box['y']:.0f}px"
        _, dx = overflow(page)
        assert dx <= 1, f"{path} scrolls sideways by {dx}px"
        size, text = smallest_text(page)
        assert size >= 11, f"{path}: {text!r} at {size}px"
        name = path.strip("/").split("?")[0] or "overview"
        page.screenshot(path=str(artifacts / f"phone-{name}.png"))
        ctx.close()


NO_CLIPBOARD = "Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined });"


def test_copy_link_without_a_clipboard_and_the_link_reopens_the_view(server, chromium, artifacts):
    url = f"{server}/coverage?city=420500&snapshot=2022-12-31&theme=dark&embed_options=dark_theme&lang=en"
    ctx, page, _ = visit(chromium, url, 1280, 900)
    page.add_init_script(NO_CLIPBOARD)
    page.reload()
    wait_until_drawn(page)
    assert page.evaluate("navigator.clipboard === undefined")
    figures = [m.inner_text() for m in page.query_selector_all('[data-testid="stMetricValue"]')]
    page.get_by_text("Present and share").click()
    page.get_by_role("button", name="Copy link").click()
    field = page.locator(".ud-alt input")
    field.wait_for(state="visible", timeout=10_000)
    assert page.locator(".ud-alt").inner_text().startswith("The browser cannot copy here")
    link = field.input_value()
    assert page.evaluate("window.getSelection().toString() || document.activeElement.value") == link
    for part in ("city=420500", "snapshot=2022-12-31", "theme=dark", "lang=en"):
        assert part in link
    page.screenshot(path=str(artifacts / "copy-link-fallback.png"))
    ctx.close()
    fresh, page2, requests = visit(chromium, link, 1280, 900)
    assert [m.inner_text() for m in page2.query_selector_all('[data-testid="stMetricValue"]')] == figures
    assert "Yichang" in page2.inner_text("body") or "宜昌" in page2.inner_text("body")
    assert external_requests(requests) == []
    fresh.close()
