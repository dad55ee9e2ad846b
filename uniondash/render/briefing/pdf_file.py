"""A briefing as PDF: an HTML page per slide (charts inlined as data: PNGs, system fonts, no link
to anything), printed by the system Chromium (`--print-to-pdf`). Chromium's own network log
(`--log-net-log`) is kept so a test can show that printing requested nothing."""

from __future__ import annotations

import base64
import html
import subprocess
import tempfile
from pathlib import Path

from uniondash.render.briefing.fonts import css_font_list
from uniondash.render.briefing.images import CHROMIUM, NoBrowserError, browser_available
from uniondash.render.briefing.model import Slide, footer_text

PRINT_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-pdf-header-footer",
    # Chromium itself still asks its updater, clock and account servers (whatever the flags above
    # say); no name resolves, so none of that can leave the machine (the export tests read its log).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
]
CSS = """
@page { size: 297mm 167mm; margin: 0; }
* { box-sizing: border-box; }
body { margin: 0; font-family: FONTS; color: #1F2329; }
section { width: 297mm; height: 167mm; padding: 9mm 11mm 6mm; page-break-after: always; position: relative;
  overflow: hidden; }
h1 { font-size: 22pt; margin: 0 0 4mm; }
.tiles { display: flex; flex-wrap: wrap; gap: 3mm; margin-bottom: 3mm; }
.tile { flex: 1 1 0; min-width: 40mm; border: 0.3mm solid #D5DAE0; border-radius: 2mm; padding: 2mm 3mm; }
.tile .l { font-size: 9pt; color: #505A64; } .tile .v { font-size: 20pt; font-weight: 700; }
.tile .d { font-size: 8pt; color: #505A64; } .good .v { color: #005A8C; } .bad .v { color: #A84000; }
.body { display: flex; gap: 5mm; } .body img { max-width: 100%; max-height: 92mm; }
.body ul { font-size: 12pt; line-height: 1.5; flex: 1 1 40%; margin: 0; }
.col { flex: 1 1 0; } .col h2 { font-size: 14pt; margin: 0 0 2mm; }
.col ul { font-size: 12pt; line-height: 1.5; margin: 0; }
.cap { font-size: 8pt; color: #505A64; margin: 1mm 0; }
footer { position: absolute; left: 11mm; right: 11mm; bottom: 4mm; font-size: 8pt; color: #505A64; }
"""


def briefing_html(slides: list[Slide], images: list[bytes | None], labels: dict[str, str], lang: str) -> str:
    """The whole briefing as one self-contained HTML document; every data text is escaped."""
    e = html.escape
    pages = []
    for s, png in zip(slides, images):
        tiles = "".join(
            f'<div class="tile {e(x.tone)}"><div class="l">{e(x.label)}</div><div class="v">{e(x.value)}</div>'
            f'<div class="d">{e(x.detail)}</div></div>'
            for x in s.tiles
        )
        img = (
            f'<div><img alt="{e(s.caption)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
            if png
            else ""
        )
        img += f'<p class="cap">{e(s.caption)}</p></div>' if png else ""
        bullets = "".join(f"<li>{e(b)}</li>" for b in s.bullets)
        if s.columns and not png:  # side by side: rises | declines, strengths | gaps
            bullets = ""
            img = "".join(
                f"<div class='col'><h2>{e(head)}</h2><ul>{''.join(f'<li>{e(x)}</li>' for x in lines)}</ul></div>"
                for head, lines in s.columns
            )
        foot = " · ".join([footer_text(s.meta, labels), *s.notes])
        pages.append(
            f"<section><h1>{e(s.title)}</h1><div class='tiles'>{tiles}</div>"
            f"<div class='body'>{img}{f'<ul>{bullets}</ul>' if bullets else ''}</div>"
            f"<footer>{e(foot)}</footer></section>"
        )
    title = e(labels.get("title", ""))
    head = f'<meta charset="utf-8"><title>{title}</title><style>{CSS.replace("FONTS", css_font_list())}</style>'
    return f'<!doctype html><html lang="{e(lang)}"><head>{head}</head><body>{"".join(pages)}</body></html>'


def print_pdf(document: str, net_log: Path | None = None, timeout_s: float = 120) -> bytes:
    """Print an HTML document to PDF with the system Chromium (a fresh profile each time)."""
    if not browser_available():
        raise NoBrowserError(CHROMIUM)
    with tempfile.TemporaryDirectory(prefix="briefing-") as tmp:
        page, out = Path(tmp) / "briefing.html", Path(tmp) / "briefing.pdf"
        page.write_text(document, encoding="utf-8")
        args = [CHROMIUM, *PRINT_ARGS, f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}"]
        if net_log is not None:
            args.append(f"--log-net-log={net_log}")
        subprocess.run([*args, page.as_uri()], check=True, capture_output=True, timeout=timeout_s)
        return out.read_bytes()
