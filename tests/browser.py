"""Real-browser helpers: a Streamlit server on a free port and the system Chromium via Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.bench.server import CHROMIUM, browser, streamlit_server  # noqa: F401  (re-exported)


def missing_chromium(path: str | None = None) -> str | None:
    """Why the system Chromium cannot run, or None when it can."""
    path = path or CHROMIUM
    if not Path(path).exists():
        return f"{path} missing: run make system-deps (Debian's chromium and fonts-noto-cjk)"
    if not os.access(path, os.X_OK):
        return f"{path} is not executable: run make system-deps (Debian's chromium)"
    return None


def require_chromium() -> None:
    """A missing browser fails the test that needs it, on every machine: never a skip."""
    reason = missing_chromium()
    if reason:
        pytest.fail(reason, pytrace=False)


def wait_until_drawn(page, timeout_ms: int = 60_000) -> None:
    """The script has finished and nothing on the page is still a skeleton."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.wait_for_function(
        """() => {
            const app = document.querySelector('[data-testid="stApp"]');
            if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
            if (document.querySelector('[data-stale="true"]')) return false;
            if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
            if (document.querySelector('[data-testid="stSkeleton"]')) return false;
            return document.querySelectorAll('[data-testid="stMainBlockContainer"] > div').length > 0;
        }""",
        timeout=timeout_ms,
    )
    page.wait_for_timeout(300)


def exceptions(page) -> list[str]:
    return [e.inner_text() for e in page.query_selector_all('[data-testid="stException"]')]


def external_requests(urls: list[str]) -> list[str]:
    """Requests that would leave this machine (data: and blob: URLs never do)."""
    from urllib.parse import urlparse

    out = []
    for u in urls:
        p = urlparse(u)
        if p.scheme in ("http", "https", "ws", "wss") and p.hostname not in ("127.0.0.1", "localhost", "::1"):
            out.append(u)
    return out


def record_frames(page) -> list:
    """Every WebSocket frame the page receives from now on (Streamlit's ForwardMsg protobufs)."""
    frames: list = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(payload)))
    return frames


def deck_specs(frames: list) -> list[dict]:
    """The pydeck specs (st.pydeck_chart's JSON) among the frames, in the order they arrived."""
    import json

    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    specs = []
    for payload in frames:
        if isinstance(payload, str):
            continue
        msg = ForwardMsg()
        msg.ParseFromString(payload)
        if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
            continue
        element = msg.delta.new_element
        if element.WhichOneof("type") == "deck_gl_json_chart":
            specs.append(json.loads(element.deck_gl_json_chart.json))
    return specs


DEFERRED_RACE = "Failed to generate file for download"
DOWNLOAD_ERROR = '[data-testid="stDownloadButtonError"]'


def click_download(page, button, timeout_ms: int = 60_000):
    """Click a download button and return Playwright's Download.

    The product's download buttons built at their click shake hands with the rerun the click
    starts (uniondash.ui.deferred_downloads), so that Streamlit 1.67 neither drops the file's
    answer nor the builder. "Failed to generate file for download" under the button is then the
    builder's own failure (a refused or broken export): the page settles and the click is made
    once more, and a second failure fails with the button's text, as does a click that hands over
    nothing by timeout_ms.

    Streamlit's frontend clears a download error 5 s after showing it, so the error is watched
    for while the download is awaited, not read once the wait has timed out."""
    import time

    for attempt in (1, 2):
        wait_until_drawn(page)
        # an earlier attempt's error is still on screen for up to 5 s: wait until it is gone
        page.wait_for_function(f"() => !document.querySelector('{DOWNLOAD_ERROR}')", timeout=15_000)
        button.scroll_into_view_if_needed()
        got: list = []

        def on_download(download, *, into: list = got) -> None:  # Playwright keeps its wrapper on a function
            into.append(download)

        page.on("download", on_download)
        errors: list[str] = []
        try:
            button.click()
            deadline = time.monotonic() + timeout_ms / 1000
            while not got and not errors and time.monotonic() < deadline:
                page.wait_for_timeout(100)
                errors = [e.inner_text() for e in page.query_selector_all(DOWNLOAD_ERROR)]
        finally:
            page.remove_listener("download", on_download)
        if got:
            return got[0]
        if attempt == 2 or not any(DEFERRED_RACE in e for e in errors):
            raise AssertionError(f"no download after {timeout_ms} ms; the button says {errors}")
    raise AssertionError("unreachable")
