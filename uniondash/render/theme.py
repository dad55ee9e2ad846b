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
