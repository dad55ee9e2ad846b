"""The stations page's shaping: query parameters, tooltips, the supply measures, and when to aggregate
on the server instead of sending points."""

from __future__ import annotations

import numpy as np
import pandas as pd

from uniondash.data.schema import FACILITIES, HOST_TYPES, STATION_KINDS
from uniondash.metrics.rates import evaluate
from uniondash.text.i18n import t

# Above this many stations in view, the map gets server-side grid cells instead of points.
POINT_THRESHOLD = 60_000
# Above this many points, tooltips carry the name only (the whole region at demo scale: 8,300).
FULL_TOOLTIP_MAX = 3_000
TABLE_MAX_ROWS = 1_000  # rows of a table on screen; exports hold every row in scope
EXPORT_MAX_ROWS = 1_048_000  # what one Excel sheet holds, less the header block
LAYERS = ("points", "density", "supply")
# The supply measures (queries/stations_supply_by_county.sql's counts): numerator, denominator,
# multiplier. per_10k_workers ("每万名新就业形态劳动者筛选站点数") counts every station passing the
# page's filters (all kinds by default) over the query's outdoor_workers, which are the
# new-employment-form workers (nef_membership's four groups: the catalogue's nef_workers, named
# 新就业形态劳动者), so the label names them, not 户外劳动者. A measure of its own, named apart from
# the catalogue's KPI stations_per_10k_nef ("每万名新就业形态劳动者爱心驿站数": outdoor rest stations
# not closed, over the same workers), which it equals when the filters are outdoor rest stations,
# open and suspended. tests/test_stations_ask.py holds every per-10,000 label to its denominator.
SUPPLY_RATIOS = {
    "per_10k_workers": ("stations", "outdoor_workers", 10_000),
    "share_24h": ("stations_open_24h", "stations_open", 1.0),
    "visits_per_station": ("monthly_visits", "stations_open", 1.0),
}
SUPPLY_MEASURES = tuple(SUPPLY_RATIOS)
FACILITY_SHORT = {
    "has_water": "水",
    "has_microwave": "微波炉",
    "has_seating": "座椅",
    "has_first_aid": "药箱",
    "has_toilet": "厕所",
    "has_charging": "充电",
    "has_aircon": "空调",
}
FACILITY_SHORT_EN = {
    "has_water": "water",
    "has_microwave": "microwave",
    "has_seating": "seats",
    "has_first_aid": "first aid",
    "has_toilet": "toilet",
    "has_charging": "charging",
    "has_aircon": "air-con",
}


def open_anywhere(filters: dict, counties: tuple[str, ...]) -> dict:
    """The same filters for open stations in the given counties (the gap analysis looks across borders)."""
    return {**filters, "statuses": ("open",), "counties": tuple(counties)}


def tooltips(points: pd.DataFrame, lang: str, full: bool = True) -> pd.DataFrame:
    """Only what the map needs: position, kind and one text tooltip per station: name, address,
    kind · host · hours and facilities, or (full=False, for many points) the name alone. Every
    byte here is sent thousands of times, and parsing the strings is most of the map's cost."""
    if not full:
        return pd.DataFrame({"lon": points.lon, "lat": points.lat, "kind": points.kind, "tip": points.name})
    short = FACILITY_SHORT_EN if lang == "en" else FACILITY_SHORT
    sep = ", " if lang == "en" else "·"
    flags = points[list(FACILITIES)].to_numpy()
    labels = [short[f] for f in FACILITIES]
    facilities = [sep.join(lab for lab, on in zip(labels, row) if on) for row in flags]
    hours = np.where(points.is_24h, "24h", t("stations.daytime", lang))
    kind = points.kind.map({k: t(f"kindshort.{k}", lang) for k in STATION_KINDS})
    host = points.host_type.map({h: t(f"host.{h}", lang) for h in HOST_TYPES})
    tip = [
        f"{n}\n{a}\n{k}·{h}·{hr}\n{f or '—'}"
        for n, a, k, h, f, hr in zip(points.name, points.address, kind, host, facilities, hours)
    ]
    return pd.DataFrame({"lon": points.lon, "lat": points.lat, "kind": points.kind, "tip": tip})


def supply_values(supply: pd.DataFrame, measure: str) -> pd.Series:
    """The supply measure per county (index adcode) from the county's counts."""
    return evaluate(supply.set_index("adcode"), *SUPPLY_RATIOS[measure])


def scope_supply(supply: pd.DataFrame, measure: str) -> float:
    """The supply measure for the whole scope, from the counts summed over its counties."""
    return evaluate(supply.drop(columns=["adcode"]).sum().to_dict(), *SUPPLY_RATIOS[measure])


def grid_cell_deg(n_counties: int) -> float:
    """Cell size for server-side aggregation: finer when the scope is small."""
    return 0.05 if n_counties > 20 else (0.02 if n_counties > 3 else 0.01)


def grid_counts(points: pd.DataFrame, cell_deg: float) -> pd.DataFrame:
    """Points counted per grid cell (lon, lat at the cell's centre, stations), for maps of many."""
    g = points.assign(cx=np.floor(points.lon / cell_deg), cy=np.floor(points.lat / cell_deg))
    out = g.groupby(["cx", "cy"], as_index=False).size().rename(columns={"size": "stations"})
    return out.assign(lon=(out.cx + 0.5) * cell_deg, lat=(out.cy + 0.5) * cell_deg)[["lon", "lat", "stations"]]


def aggregate_changes(changes: pd.DataFrame, cell_deg: float, lang: str) -> pd.DataFrame:
    """Opened and closed stations counted per grid cell, for maps of many changes."""
    g = changes.assign(cx=np.floor(changes.lon / cell_deg), cy=np.floor(changes.lat / cell_deg))
    out = g.groupby(["cx", "cy", "change"], as_index=False).size().rename(columns={"size": "n"})
    out["lon"] = (out.cx + 0.5) * cell_deg
    out["lat"] = (out.cy + 0.5) * cell_deg
    out["tip"] = [f"{t('change.' + c, lang)}: {n:,}" for c, n in zip(out.change, out.n)]
    return out[["lon", "lat", "change", "n", "tip"]]
