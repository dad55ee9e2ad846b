"""Chart images for briefings, drawn by kaleido driving the system Chromium.

One long-lived kaleido server per process: starting a browser per image costs ~5 s, and
mathjax=False keeps kaleido from fetching MathJax from the internet (its plotly.js is the local
copy bundled with plotly). The server returns results on one shared queue, so every call holds
LOCK: two users exporting at once would otherwise be able to receive each other's charts.
"""

from __future__ import annotations

import os
import shlex
import tempfile
import threading
from pathlib import Path

import plotly.graph_objects as go

CHROMIUM = "/usr/bin/chromium"
LOCK = threading.Lock()
_state = {"started": False}
# kaleido starts Chromium with its own flags and takes none of ours; these keep that Chromium from
# reaching out (its updater, account and search servers: DNS queries seen in its net log). The
# same as the PDF printer's (pdf_file.PRINT_ARGS): no name resolves but localhost.
QUIET_ARGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
)


class NoBrowserError(RuntimeError):
    """The system Chromium is missing: charts and PDFs cannot be drawn."""


def browser_available(path: str = CHROMIUM) -> bool:
    return Path(path).is_file()


def _ensure_server() -> None:
    import kaleido

    if not _state["started"]:
        if not browser_available():
            raise NoBrowserError(CHROMIUM)
        kaleido.start_sync_server(path=str(_quiet_chromium()), mathjax=False, silence_warnings=True)
        _state["started"] = True


def _quiet_chromium() -> Path:
    """A private executable that starts the system Chromium with QUIET_ARGS before kaleido's own."""
    folder = Path(tempfile.mkdtemp(prefix="uniondash-chromium-"))
    wrapper = folder / "chromium"
    flags = " ".join(shlex.quote(a) for a in QUIET_ARGS)
    wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(CHROMIUM)} {flags} "$@"\n', encoding="utf-8")
    os.chmod(wrapper, 0o700)
    return wrapper


def figure_png(fig: go.Figure, width: int = 1600, height: int = 800, scale: float = 1.0) -> bytes:
    """The figure as a PNG, width × height CSS pixels (× scale)."""
    import kaleido

    with LOCK:
        _ensure_server()
        return kaleido.calc_fig_sync(fig, opts={"format": "png", "width": width, "height": height, "scale": scale})
