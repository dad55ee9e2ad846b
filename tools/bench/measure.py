"""Browser measurements: time to fully drawn, WebSocket bytes, server memory."""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field

import psutil

DRAWN_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    if (document.querySelector('[data-stale="true"]')) return false;
    const maps = document.querySelectorAll('[data-testid="stDeckGlJsonChart"]');
    for (const m of maps) { if (!m.querySelector('canvas')) return false; }
    const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
    for (const c of charts) { if (!c.querySelector('.main-svg')) return false; }
    const main = '[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]';
    return document.querySelectorAll(main).length > 0;
}"""


# After DRAWN_JS: wait until the browser has painted. A map's canvas is in the page long before
# its pixels are: in a browser without a GPU, the first frame's shaders are compiled and run in
# software, seconds later, and a screenshot taken at DRAWN_JS shows an empty page. Two animation
# frames (the renderer has committed a frame) and a one-pixel read from every WebGL canvas (which
# waits for the drawing queued on it) make "fully drawn" mean drawn on screen. Without it the
# cost lands on whatever the browser does next (the next visit's load, in the benchmark).
PAINTED_JS = """async () => {
    const frame = () => new Promise(r => requestAnimationFrame(() => r()));
    await frame();
    await frame();
    for (const c of document.querySelectorAll('[data-testid="stDeckGlJsonChart"] canvas')) {
        const gl = c.getContext('webgl2') || c.getContext('webgl');
        if (gl) gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    }
    await frame();
}"""


# "First screen drawn": every element that intersects the 1280×720 viewport is there and painted,
# what a person waits for before the page looks done. Polled like DRAWN_JS, with its tests applied to
# the elements in view only (the sidebar's included): none is a skeleton or stale, each map in view
# has its canvas and each Plotly chart its SVG. The screen is complete once the main column's
# content reaches below the fold (the script may still be sending what lies further down) or the
# script has finished. Then FIRST_PAINTED_JS: the same paint test as "fully drawn", for the
# canvases in view.
FIRST_SCREEN_JS = """(needDone) => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return false;
    const done = app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stStatusWidget"]');
    if (needDone && !done) return false;
    const W = window.innerWidth, H = window.innerHeight;
    const inView = (e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.top < H && r.bottom > 0 && r.left < W && r.right > 0;
    };
    for (const e of document.querySelectorAll('[data-testid="stSkeleton"], [data-stale="true"]')) {
        if (inView(e)) return false;
    }
    for (const m of document.querySelectorAll('[data-testid="stDeckGlJsonChart"]')) {
        if (inView(m) && !m.querySelector('canvas')) return false;
    }
    for (const c of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
        if (inView(c) && !c.querySelector('.main-svg')) return false;
    }
    const main = document.querySelectorAll('[data-testid="stMainBlockContainer"] [data-testid="stElementContainer"]');
    if (!main.length) return false;
    if (done) return true;
    const block = document.querySelector('[data-testid="stMainBlockContainer"]');
    return block.getBoundingClientRect().bottom >= H;
}"""
FIRST_PAINTED_JS = """async () => {
    const frame = () => new Promise(r => requestAnimationFrame(() => r()));
    const W = window.innerWidth, H = window.innerHeight;
    await frame();
    await frame();
    for (const c of document.querySelectorAll('[data-testid="stDeckGlJsonChart"] canvas')) {
        const r = c.getBoundingClientRect();
        if (!(r.width > 0 && r.height > 0 && r.top < H && r.bottom > 0 && r.left < W && r.right > 0)) continue;
        const gl = c.getContext('webgl2') || c.getContext('webgl');
        if (gl) gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
    }
    await frame();
}"""


# Set before a widget change: a MutationObserver notes the app's script state leaving
# 'notRunning', so a rerun that starts and ends between two polls is still seen.
WATCH_RERUN_JS = """() => {
    window.__rerun = false;
    const app = document.querySelector('[data-testid="stApp"]');
    const obs = new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') !== 'notRunning') { window.__rerun = true; obs.disconnect(); }
    });
    obs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
RERUN_STARTED_JS = "() => window.__rerun === true"
# The server finished the rerun and nothing on the page is stale (canvases may still be painting).
SCRIPT_DONE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-stale="true"]') && !document.querySelector('[data-testid="stSkeleton"]');
}"""


def loopback_bytes() -> int:
    """Bytes sent over the loopback interface so far: what actually crosses the wire to the
    browser (compressed WebSocket frames, HTTP), plus the browser's small requests."""
    counters = psutil.net_io_counters(pernic=True)
    lo = counters.get("lo") or next((c for name, c in counters.items() if name.startswith("lo")), None)
    return lo.bytes_sent if lo else 0


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)
    wire: list[int] = field(default_factory=list)
    first_screen: list[float] = field(default_factory=list)

    def add(self, v: Visit) -> None:
        self.seconds.append(v.drawn_s)
        self.bytes.append(v.bytes)
        self.wire.append(v.wire)
        self.first_screen.append(v.first_screen_s)

    def summary(self) -> dict:
        if not self.seconds:
            return {
                "median_s": None,
                "first_screen_median_s": None,
                "spread_s": None,
                "bytes": None,
                "wire_bytes": None,
                "runs": 0,
            }
        return {
            "median_s": statistics.median(self.seconds),
            "first_screen_median_s": statistics.median(self.first_screen) if self.first_screen else None,
            "spread_s": max(self.seconds) - min(self.seconds),
            "bytes": int(statistics.median(self.bytes)) if self.bytes else None,
            "wire_bytes": int(statistics.median(self.wire)) if self.wire else None,
            "runs": len(self.seconds),
        }


class WsCounter:
    """Counts bytes the server sends over Streamlit's WebSocket."""

    def __init__(self, page):
        self.total = 0
        page.on("websocket", self._attach)

    def _attach(self, ws):
        ws.on("framereceived", lambda payload: self._add(payload))

    def _add(self, payload):
        self.total += len(payload) if isinstance(payload, (bytes, bytearray)) else len(payload.encode())


def wait_drawn(page, timeout_ms=120_000) -> None:
    page.wait_for_function(DRAWN_JS, timeout=timeout_ms, polling=50)
    page.evaluate(PAINTED_JS)


def wait_first_screen(page, timeout_ms=120_000, need_done: bool = False) -> None:
    """Until every element in the 1280×720 viewport is drawn and painted (FIRST_SCREEN_JS). After a
    widget change need_done: the elements still on screen from the last run are not marked stale
    at once, so the rerun's first screen is judged when its script has finished."""
    page.wait_for_function(FIRST_SCREEN_JS, arg=need_done, timeout=timeout_ms, polling=50)
    page.evaluate(FIRST_PAINTED_JS)


@dataclass
class Visit:
    """One timed visit or filter change: seconds to the first screen drawn and to fully drawn,
    WebSocket bytes (uncompressed frames) and loopback bytes (on the wire)."""

    first_screen_s: float
    drawn_s: float
    bytes: int
    wire: int


def visit(page, counter: WsCounter, url: str, timeout_ms: int = 120_000) -> Visit:
    """Navigate to url; time to the first screen drawn, then on to fully drawn."""
    start_bytes, start_wire = counter.total, loopback_bytes()
    t0 = time.perf_counter()
    page.goto(url, timeout=timeout_ms)
    wait_first_screen(page, timeout_ms)
    first = time.perf_counter() - t0
    wait_drawn(page, timeout_ms)
    return Visit(first, time.perf_counter() - t0, counter.total - start_bytes, loopback_bytes() - start_wire)


def load_page(page, counter: WsCounter, url: str, timeout_ms: int = 120_000) -> tuple[float, int, int]:
    """Seconds to fully drawn, WebSocket bytes (uncompressed frames), loopback bytes (on the wire)."""
    v = visit(page, counter, url, timeout_ms)
    return v.drawn_s, v.bytes, v.wire


def change_filter(
    page, counter: WsCounter, label_text: str, option_text: str, url_marker: str | None = None
) -> tuple[float, int, int]:
    """change_filter_visit's seconds to fully drawn, WebSocket bytes and wire bytes."""
    v = change_filter_visit(page, counter, label_text, option_text, url_marker)
    return v.drawn_s, v.bytes, v.wire


def change_filter_visit(
    page, counter: WsCounter, label_text: str, option_text: str, url_marker: str | None = None
) -> Visit:
    """Pick an option in the multiselect whose label contains label_text; time until redrawn.

    The rerun is seen either by the URL gaining url_marker (the app writes its filters to the URL
    as the rerun runs) or, for pages without URL state, by the app's script state changing."""
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label_text).first
    box.locator("input").click()
    option = page.get_by_role("option", name=option_text).first
    option.wait_for()
    page.evaluate(WATCH_RERUN_JS)
    start_bytes, start_wire = counter.total, loopback_bytes()
    t0 = time.perf_counter()
    option.click()
    if url_marker:
        page.wait_for_url(lambda u: url_marker in u, timeout=60_000)
    else:
        page.wait_for_function(RERUN_STARTED_JS, timeout=30_000, polling=10)
    wait_first_screen(page, need_done=True)
    first = time.perf_counter() - t0
    wait_drawn(page)
    elapsed = time.perf_counter() - t0
    wire = loopback_bytes() - start_wire
    page.keyboard.press("Escape")
    return Visit(first, elapsed, counter.total - start_bytes, wire)


class PeakMemory:
    """Samples a process tree's resident memory in a thread; .peak_mb when stopped."""

    def __init__(self, pid: int, every_s: float = 0.1):
        self.proc = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every_s,), daemon=True)
        self._thread.start()

    def _run(self, every_s):
        while not self._stop.is_set():
            try:
                rss = self.proc.memory_info().rss + sum(c.memory_info().rss for c in self.proc.children(True))
                self.peak = max(self.peak, rss)
            except psutil.Error:
                pass
            time.sleep(every_s)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20
