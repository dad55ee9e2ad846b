"""Real-browser helpers: a Streamlit server on a free port and the system Chromium via Playwright."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools.bench.server import CHROMIUM, browser, streamlit_server  # noqa: F401  (re-exported)


def require_chromium() -> None:
    """In CI a missing browser is a failure; on a developer machine, a skip."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium fonts-noto-cjk)")


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
