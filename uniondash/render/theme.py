"""One palette for the whole product (Okabe–Ito, readable by colour-blind users)."""

from __future__ import annotations

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
GOOD = "#0072B2"  # a change in the KPI's good direction
BAD = "#D55E00"  # a change in its bad direction
NEUTRAL = "#7A7A7A"
STATION_KIND_COLOURS = {"outdoor_rest": "#0072B2", "nursing_room": "#CC79A7", "mental_care": "#009E73"}
SERIES_COLOURS = {
    "labour_skill": "#0072B2",
    "skills_contest": "#E69F00",
    "ankang_cup": "#009E73",
    "five_small": "#CC79A7",
}


def change_colour(change: float | None, direction: str) -> str:
    """Blue when the change is good for this KPI, vermilion when bad, grey when neutral or none."""
    if change is None or change == 0 or direction == "none":
        return NEUTRAL
    return GOOD if (change > 0) == (direction == "up") else BAD


# The three looks (DESIGN.md section 5): light and dark are Streamlit's own themes; "screen" (数据大屏)
# is dark with larger type for projectors. Text colours keep WCAG AA contrast on their background.
THEMES = ("light", "dark", "screen")
THEME_COLOURS = {
    "light": {"bg": "#FFFFFF", "paper": "#FFFFFF", "text": "#1F2329", "muted": "#505A64", "grid": "#D5DAE0"},
    "dark": {"bg": "#0E1117", "paper": "#0E1117", "text": "#F2F4F7", "muted": "#B8C0CA", "grid": "#394350"},
    "screen": {"bg": "#071426", "paper": "#071426", "text": "#F5F8FC", "muted": "#C4D0DE", "grid": "#22364F"},
}
# Chart text size per theme, px: the big screen is read from the back of a meeting room.
FONT_SIZE = {"light": 14, "dark": 14, "screen": 20}


def map_theme(theme: str) -> str:
    """The pydeck basemap style for a product theme (the maps know light and dark only)."""
    return "light" if theme == "light" else "dark"


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
