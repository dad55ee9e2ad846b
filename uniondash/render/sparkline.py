"""A KPI card's trend as a small inline SVG, drawn by the browser itself.

st.metric draws its `chart_data` sparkline with Vega-Lite: the overview's first visit loaded
Vega's 775 KB of script for six small areas, and every visit built a Vega view per card. Measured
with `python -m tools.bench.page_probe` (the overview with and without them, interleaved): 2.86 →
2.11 s fully drawn warm, 3.39 → 2.26 browser CPU-s, first visit 11.79 → 6.53 s on a loaded
machine. The same line and area as an SVG path are a few hundred bytes and no script.

Pure: values in, markup out. The values are numbers; the only text, the image's alt, is escaped."""

from __future__ import annotations

import html
import math
from urllib.parse import quote

VIEW_W = 100.0  # the path's own units across: stretched to the card's width
HEIGHT_PX = 44
PAD = 3.0  # keeps the line's stroke inside the box at the highest and lowest values


def points(values: list[float], height: float = HEIGHT_PX, pad: float = PAD) -> list[tuple[float, float]]:
    """(x, y) in the SVG's units: x evenly spread over 0–100, y from the lowest value (bottom, less
    `pad`) to the highest (top, plus `pad`); all equal values sit mid-height."""
    n = len(values)
    lo, hi = min(values), max(values)
    out = []
    for i, v in enumerate(values):
        x = VIEW_W * i / (n - 1) if n > 1 else VIEW_W / 2
        share = 0.5 if hi == lo else (v - lo) / (hi - lo)
        out.append((round(x, 2), round(pad + (1 - share) * (height - 2 * pad), 2)))
    return out


def sparkline_svg(values: list[float], colour: str, height: int = HEIGHT_PX) -> str:
    """The trend as a line over a light area of `colour`, stretched to whatever box shows it. Empty
    for fewer than two values."""
    values = [float(v) for v in values if v is not None and not math.isnan(float(v))]
    if len(values) < 2:
        return ""
    pts = points(values, height)
    line = " ".join(f"{x},{y}" for x, y in pts)
    area = f"M{pts[0][0]},{height} L" + " L".join(f"{x},{y}" for x, y in pts) + f" L{pts[-1][0]},{height} Z"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {VIEW_W:g} {height}" preserveAspectRatio="none">'
        f'<path d="{area}" fill="{colour}" fill-opacity="0.12"/>'
        f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="2" stroke-linejoin="round" '
        'stroke-linecap="round" vector-effect="non-scaling-stroke"/></svg>'
    )


def sparkline_img(values: list[float], label: str, colour: str, height: int = HEIGHT_PX) -> str:
    """The trend as an <img> of sparkline_svg as wide as the card, `label` its alt text (escaped).
    An image, not inline SVG: st.html's sanitiser keeps HTML only, and drops an <svg>."""
    svg = sparkline_svg(values, colour, height)
    if not svg:
        return ""
    src = "data:image/svg+xml," + quote(svg, safe="=:/,.-")  # quotes and # escaped: the URL sits in an attribute
    alt = html.escape(label, quote=True)
    return f'<img class="ud-spark" src="{src}" alt="{alt}" style="display:block;width:100%;height:{height}px">'
