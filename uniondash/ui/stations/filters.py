"""The stations page's filters: the URL parameters it owns and the query parameters they make."""

from __future__ import annotations

from uniondash.analysis.stations import LAYERS, SUPPLY_MEASURES
from uniondash.data.schema import FACILITIES, HOST_TYPES, STATION_KINDS, STATION_STATUSES
from uniondash.ui.urlstate import Param

PARAMS = [
    Param("kind", "list", [], STATION_KINDS),
    Param("status", "list", ["open", "suspended"], STATION_STATUSES),
    Param("host", "list", [], HOST_TYPES),
    Param("facility", "list", [], FACILITIES),
    Param("h24", "bool", False),
    Param("star", "int", 0, lo=0, hi=5),
    Param("opened", "int", 0, lo=0, hi=2100),
    Param("layer", "str", "points", LAYERS),
    Param("measure", "str", "per_10k_workers", SUPPLY_MEASURES),
    Param("changes", "bool", False),
    Param("gaps", "bool", False),
    Param("gap_km", "float", 2.0, lo=0.2, hi=20.0),
    Param("sites", "int", 5, lo=0, hi=30),
    Param("q", "str_free", ""),
]


def filter_params(state, counties, as_of: str) -> dict:
    """The bound parameters of the filtered_stations macro, from widget state."""
    required = set(state.get("facility") or [])
    opened = int(state.get("opened") or 0)
    return {
        "as_of": as_of,
        "counties": tuple(counties),
        "kinds": tuple(state.get("kind") or ()),
        "statuses": tuple(state.get("status") or ()),
        "hosts": tuple(state.get("host") or ()),
        **{f.removeprefix("has_"): f in required for f in FACILITIES},
        "only_24h": bool(state.get("h24")),
        "min_star": int(state.get("star") or 0),
        "opened_year": opened or None,
    }
