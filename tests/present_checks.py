"""Checks the presentation and page browser tests share: axe-core, text sizes, scrolling, privacy."""

from __future__ import annotations

import re

# Violations Streamlit itself brings, that no app can change (rule id: reason). Kept short on purpose.
STREAMLIT_OWN = {
    "region": "Streamlit's own toasts/status containers sit outside landmarks",
    "landmark-unique": "Streamlit renders its sidebar and main as two unnamed <section> landmarks",
    "scrollable-region-focusable": "Streamlit's own scroll containers (main, sidebar) are divs without tabindex",
    "aria-allowed-role": "Streamlit's own widgets (role=application on charts)",
    "nested-interactive": "Streamlit's segmented control puts a button inside its own radiogroup element",
}


def axe_violations(page, extra_ignored: dict | None = None) -> list[str]:
    """Serious or critical axe-core violations, colour contrast first, except Streamlit's own."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    ignored = {**STREAMLIT_OWN, **(extra_ignored or {})}
    out = []
    for v in result.response["violations"]:
        if v["impact"] in ("serious", "critical") and v["id"] not in ignored:
            targets = [(n["html"][:160], n.get("any", [{}])[0].get("message", "")[:160]) for n in v["nodes"][:4]]
            out.append(f"{v['id']}: {v['help']} {targets} {v['nodes'][0].get('failureSummary', '')[:200]}")
    return out


SMALLEST_TEXT_JS = """() => {
  let smallest = [1e9, ''];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, text = node.textContent.trim();
    if (!text) continue;
    const el = node.parentElement;
    const hidden = '.st-key-present_keys, .st-key-ud_hidden_filters, [aria-hidden="true"], script, style';
    if (!el || el.closest(hidden)) continue;
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || cs.visibility === 'hidden' || cs.display === 'none') continue;
    if (r.bottom < 0 || r.top > innerHeight) continue;
    const size = parseFloat(cs.fontSize);
    if (size < smallest[0]) smallest = [size, text.slice(0, 40)];
  }
  return smallest;
}"""

SCROLL_JS = """() => {
  const boxes = document.querySelectorAll('[data-testid="stMain"], [data-testid="stAppViewContainer"]');
  const els = [document.scrollingElement, ...boxes];
  return els.filter(Boolean).map(e => [e.scrollHeight - e.clientHeight, e.scrollWidth - e.clientWidth]);
}"""


def smallest_text(page) -> tuple[float, str]:
    size, text = page.evaluate(SMALLEST_TEXT_JS)
    return size, text


def overflow(page) -> tuple[int, int]:
    """Most any scroll container could scroll, vertically and sideways (px)."""
    pairs = page.evaluate(SCROLL_JS)
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


SMALL_COUNT = re.compile(r"(?<![\d.,%])([0-4]) ?(家|人|项|个县|stations|awards)")


def small_counts(text: str) -> list[str]:
    return [m.group(0) for m in SMALL_COUNT.finditer(text)]


# The share of the slide under its title that nothing occupies: the screen between the title's
# bottom and the footer's top, sampled on a 60 × 40 grid; a point is used when it falls inside a
# box of the slide's content (tiles, chart, sentences, side-by-side lists, caption).
EMPTY_SHARE_JS = """() => {
  const title = document.querySelector('.ud-title'), foot = document.querySelector('.ud-foot');
  if (!title || !foot) return 1;
  const top = title.getBoundingClientRect().bottom, bottom = foot.getBoundingClientRect().top;
  const parts = '.ud-tiles, .st-key-slide_figure, .ud-bullets, .ud-columns, .ud-cap';
  const boxes = [...document.querySelectorAll(parts)].map(e => e.getBoundingClientRect())
    .filter(r => r.width && r.height);
  let empty = 0, all = 0;
  for (let i = 0; i < 60; i++) for (let j = 0; j < 40; j++) {
    const x = (i + 0.5) * innerWidth / 60, y = top + (j + 0.5) * (bottom - top) / 40;
    all += 1;
    if (!boxes.some(r => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom)) empty += 1;
  }
  return empty / all;
}"""


def empty_share(page) -> float:
    return page.evaluate(EMPTY_SHARE_JS)
