"""One palette for the whole product (Okabe–Ito, readable by colour-blind users), and the one
place that says which colour a thing has: a station kind, a competition series, a city or a
county keeps its colour on every page and chart, whatever else is shown beside it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
GOOD = "#0072B2"  # a change in the KPI's good direction
BAD = "#D55E00"  # a change in its bad direction
NEUTRAL = "#7A7A7A"
# The accent for what is current or chosen (the active page's link, the KPI cards' trend line): dark
# blue on a light background, light blue on a dark one (7:1 and more against either)
ACTIVE = {"light": "#005A8C", "dark": "#8FD0F5"}
CONTEXT = "rgba(122,122,122,0.28)"  # the other units, faint, behind the one a panel is about
STATION_KIND_COLOURS = {"outdoor_rest": "#0072B2", "nursing_room": "#CC79A7", "mental_care": "#009E73"}
SERIES_COLOURS = {
    "labour_skill": "#0072B2",
    "skills_contest": "#E69F00",
    "ankang_cup": "#009E73",
    "five_small": "#CC79A7",
}
OPENED, CLOSED = "#F0E442", "#D55E00"  # stations opened / closed since the compare snapshot
# Six line colours (yellow is lost on white, black on the dark theme), then dashes for the next
# six and six: 18 styles, one for each of Hubei's 17 cities and each county of its largest city.
LINE_COLOURS = OKABE_ITO[:6]
DASHES = ("solid", "dash", "dot")


@dataclass(frozen=True)
class LineStyle:
    colour: str
    dash: str = "solid"


def change_colour(change: float | None, direction: str) -> str:
    """Blue when the change is good for this KPI, vermilion when bad, grey when neutral or none."""
    if change is None or change == 0 or direction == "none":
        return NEUTRAL
    return GOOD if (change > 0) == (direction == "up") else BAD


def rgb(colour: str, alpha: int | None = None) -> list[int]:
    """A '#RRGGBB' colour as deck.gl's [r, g, b] (or [r, g, b, a])."""
    out = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return out if alpha is None else [*out, alpha]


def unit_styles(units: Iterable[tuple[str, str]]) -> dict[str, LineStyle]:
    """Each unit's line style from its place among its siblings, given (adcode, parent_adcode) for
    every city (or every county) of the region: a city's colour depends on the region's list of
    cities only, never on which others the scope shows, so it is the same on every page."""
    by_parent: dict[str, list[str]] = {}
    for adcode, parent in units:
        by_parent.setdefault(str(parent), []).append(adcode)
    styles = {}
    for siblings in by_parent.values():
        for i, adcode in enumerate(sorted(siblings)):
            k = i % (len(LINE_COLOURS) * len(DASHES))
            styles[adcode] = LineStyle(LINE_COLOURS[k % len(LINE_COLOURS)], DASHES[k // len(LINE_COLOURS)])
    return styles


def series_styles() -> dict[str, LineStyle]:
    return {s: LineStyle(c) for s, c in SERIES_COLOURS.items()}


# The three looks (docs/architecture.md, Interfaces): light and dark are Streamlit's own themes; "screen" (数据大屏)
# is dark with larger type for projectors. Text colours keep WCAG AA contrast on their background.
THEMES = ("light", "dark", "screen")
THEME_COLOURS = {
    "light": {"bg": "#FFFFFF", "paper": "#FFFFFF", "text": "#1F2329", "muted": "#505A64", "grid": "#D5DAE0"},
    "dark": {"bg": "#0E1117", "paper": "#0E1117", "text": "#F2F4F7", "muted": "#B8C0CA", "grid": "#394350"},
    "screen": {"bg": "#071426", "paper": "#071426", "text": "#F5F8FC", "muted": "#C4D0DE", "grid": "#22364F"},
}
# Chart text size per theme, px: the big screen is read from the back of a meeting room.
FONT_SIZE = {"light": 14, "dark": 14, "screen": 20}


def plotly_template(theme: str, size: int | None = None) -> dict:
    """A Plotly layout template for the theme: background, text colours and sizes, grid lines."""
    c = THEME_COLOURS.get(theme, THEME_COLOURS["light"])
    size = size or FONT_SIZE.get(theme, 14)
    axis = {"gridcolor": c["grid"], "linecolor": c["grid"], "zerolinecolor": c["grid"], "tickfont": {"size": size}}
    return {
        "layout": {
            "paper_bgcolor": c["paper"],
            "plot_bgcolor": c["bg"],
            "font": {"color": c["text"], "size": size},
            "title": {"font": {"size": size + 4, "color": c["text"]}},
            "xaxis": axis,
            "yaxis": axis,
            "legend": {"font": {"size": size}},
            "colorway": list(OKABE_ITO[:7]),
        }
    }
