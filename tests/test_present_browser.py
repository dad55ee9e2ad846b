"""/present in the system Chromium: every slide at 1920×1080 and 1280×720 (no sidebar, no scrolling,
no text under 16 px, keys move slides and the URL follows, axe-core clean, no names, no count
under 5), ?auto= advances and a key pauses it, hostile URLs get notices, a saved deck reopens by
its link. Screenshots of every slide in test-artifacts/."""

from __future__ import annotations

import pytest
from browser import exceptions, external_requests, wait_until_drawn
from present_checks import axe_violations, overflow, small_counts, smallest_text

pytestmark = pytest.mark.browser
N = 7


@pytest.fixture(scope="module")
def people(demo_wh) -> set[str]:
    rows = demo_wh.con.execute("select distinct winner_name from competition_results where winner_type = 'person'")
    return {r[0] for r in rows.fetchall() if len(r[0]) >= 2}


def open_slides(chromium, url: str, width: int, height: int):
    page = chromium.new_page(viewport={"width": width, "height": height})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    page.wait_for_url("**embed_options=dark_theme**", timeout=30_000)  # the big-screen theme's one reload
    wait_until_drawn(page)
    return page, requests


def slide_number(page) -> int:
    return int(page.url.split("slide=")[1].split("&")[0])


def check_slide(page, i: int, people: set[str], min_px: float) -> None:
    assert exceptions(page) == []
    assert page.query_selector('[data-testid="stSidebar"]') is None
    assert page.locator('[data-testid="stHeader"]').is_hidden()
    page.wait_for_timeout(400)
    dy, dx = overflow(page)
    assert dy <= 1, f"slide {i} scrolls {dy}px"
    assert dx <= 1
    size, text = smallest_text(page)
    assert size >= min_px, f"slide {i}: {text!r} at {size}px"
    body = page.inner_text("body")
    assert f"第 {i} / {N} 页" in body or f"Slide {i} of {N}" in body
    assert "2023-12-31" in body
    assert ("范围" in body) or ("Scope" in body)
    assert not [p for p in people if p in body]
    assert small_counts(body) == []


@pytest.mark.parametrize(("width", "height", "lang"), [(1920, 1080, "zh"), (1280, 720, "en")])
def test_every_slide_fits_reads_and_moves_by_keys(server, chromium, people, artifacts, width, height, lang):
    page, requests = open_slides(chromium, f"{server}/present?lang={lang}", width, height)
    keys = ["ArrowRight", "PageDown"]
    for i in range(1, N + 1):
        page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg, .ud-bullets, .ud-columns', timeout=30_000)
        assert slide_number(page) == i
        check_slide(page, i, people, 16)
        assert axe_violations(page) == [], f"slide {i}"
        page.screenshot(path=str(artifacts / f"present-{lang}-{width}-slide{i}.png"))
        if i < N:
            page.keyboard.press(keys[i % 2])
            page.wait_for_url(f"**slide={i + 1}**", timeout=20_000)
            wait_until_drawn(page)
    page.keyboard.press("ArrowRight")  # past the last slide: back to the first
    page.wait_for_url("**slide=1**", timeout=20_000)
    page.keyboard.press("PageUp")
    page.wait_for_url(f"**slide={N}**", timeout=20_000)
    assert external_requests(requests) == []
    page.close()


def test_auto_advance_and_any_key_pauses(server, chromium, artifacts):
    page, _ = open_slides(chromium, f"{server}/present?auto=5", 1280, 720)
    assert "每 5 秒" in page.inner_text("body")
    page.wait_for_url("**slide=2**", timeout=30_000)
    wait_until_drawn(page)
    page.keyboard.press("a")
    page.wait_for_selector("text=自动播放已暂停", timeout=15_000)
    page.wait_for_timeout(7_000)
    assert slide_number(page) == 2
    page.screenshot(path=str(artifacts / "present-auto-paused.png"))
    page.close()


def test_hostile_present_urls_get_notices(server, chromium, artifacts, lang="zh"):
    """In Chinese here; the English notice is checked by AppTest (tests/test_present_app.py)."""
    page, _ = open_slides(chromium, f"{server}/present?slide=999&auto=-1&deck=../x&lang={lang}", 1280, 720)
    assert exceptions(page) == []
    text = " ".join(a.inner_text() for a in page.query_selector_all('[data-testid="stAlert"]'))
    words = {
        "zh": ("没有第 999 页", "自动翻页间隔", "无法打开议程"),
        "en": ("no slide 999", "Auto-advance interval", "could not"),
    }
    for word in words[lang]:
        assert word in text
    assert slide_number(page) == 1
    assert "deck=" not in page.url
    assert "auto=" not in page.url
    page.screenshot(path=str(artifacts / f"present-hostile-{lang}.png"))
    page.close()


def test_a_view_added_to_a_saved_deck_reopens_by_its_link(server, chromium, demo_dir, artifacts):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/coverage?city=420500")
    wait_until_drawn(page)
    page.get_by_text("汇报与分享").click()
    page.get_by_role("button", name="加入汇报议程").click()
    page.get_by_label("议程名称（字母、数字、-）").fill("yichang-test")
    page.get_by_label("议程名称（字母、数字、-）").press("Enter")
    page.get_by_role("button", name="保存议程").click()
    page.wait_for_selector("text=/present?deck=yichang-test", timeout=20_000)
    assert (demo_dir / "decks" / "yichang-test.json").is_file()
    page.goto(f"{server}/present?deck=yichang-test")
    page.wait_for_url("**embed_options=dark_theme**", timeout=30_000)
    wait_until_drawn(page)
    body = page.inner_text("body")
    assert "第 1 / 1 页" in body
    assert "宜昌市" in body
    page.screenshot(path=str(artifacts / "present-saved-deck.png"))
    page.close()


# Watches the page's full-screen calls (the product's script calls them; Chromium may also refuse
# them in some headless setups, so the calls are checked as well as their effect).
FULLSCREEN_SPY = """
window.__fullscreenCalls = [];
const request = Element.prototype.requestFullscreen;
Element.prototype.requestFullscreen = function (...args) {
  window.__fullscreenCalls.push('request ' + this.tagName);
  return request.apply(this, args);
};
const exit = Document.prototype.exitFullscreen;
Document.prototype.exitFullscreen = function (...args) {
  window.__fullscreenCalls.push('exit');
  return exit.apply(this, args);
};
"""


def fullscreen_state(page) -> tuple[list[str], str | None]:
    calls = page.evaluate("window.__fullscreenCalls")
    element = page.evaluate("document.fullscreenElement && document.fullscreenElement.tagName")
    return calls, element


def test_f_and_the_button_toggle_full_screen(server, chromium, artifacts):
    page = chromium.new_page(viewport={"width": 1280, "height": 720})
    page.add_init_script(FULLSCREEN_SPY)
    page.goto(f"{server}/present")
    page.wait_for_url("**embed_options=dark_theme**", timeout=30_000)
    wait_until_drawn(page)
    assert fullscreen_state(page) == ([], None)
    page.keyboard.press("f")
    page.wait_for_function("document.fullscreenElement !== null", timeout=10_000)
    assert fullscreen_state(page) == (["request HTML"], "HTML")  # the whole page, not one element
    page.keyboard.press("Shift+F")  # F again leaves full screen
    page.wait_for_function("document.fullscreenElement === null", timeout=10_000)
    assert fullscreen_state(page) == (["request HTML", "exit"], None)
    button = page.locator(".ud-fs")
    assert button.inner_text() == "全屏（F）"
    button.click()
    page.wait_for_function("document.fullscreenElement !== null", timeout=10_000)
    assert fullscreen_state(page) == (["request HTML", "exit", "request HTML"], "HTML")
    page.screenshot(path=str(artifacts / "present-fullscreen.png"))
    button.click()
    page.wait_for_function("document.fullscreenElement === null", timeout=10_000)
    assert fullscreen_state(page)[0][-1] == "exit"
    assert slide_number(page) == 1  # F is not a slide key
    page.close()
