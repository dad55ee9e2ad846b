"""Service gaps: outdoor-worker demand farther than a distance from any open station, and the
best new sites by greedy maximal coverage. Distances use a k-d tree (scipy) on a local plane.

Method (stated on the page in plain words, the technical terms in its help): each demand point
carries the outdoor workers who gather there; it is covered when an open station lies within the
distance. Uncovered workers are summed by county. New sites are chosen one at a time from the
uncovered demand points: each pick is the point whose circle of that distance covers the most
still-uncovered workers (greedy maximal coverage, within 1 − 1/e of the best possible set). A
suggested site is named by its nearest open station: that station's address and the distance."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from uniondash.metrics.rates import ratio

KM_PER_DEG_LAT = 110.574


def to_km(lon, lat, lat0: float) -> np.ndarray:
    """Equirectangular projection around lat0: good to well under 1% across a province."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return np.column_stack([lon * 111.320 * np.cos(np.radians(lat0)), lat * KM_PER_DEG_LAT])


@dataclass(frozen=True)
class StationIndex:
    tree: cKDTree | None
    lat0: float

    def nearest_km(self, lon, lat) -> np.ndarray:
        if self.tree is None:
            return np.full(len(lon), np.inf)
        dist, _ = self.tree.query(to_km(lon, lat, self.lat0), k=1)
        return dist


def station_index(stations: pd.DataFrame, lat0: float) -> StationIndex:
    if stations.empty:
        return StationIndex(None, lat0)
    return StationIndex(cKDTree(to_km(stations.lon, stations.lat, lat0)), lat0)


def uncovered(demand: pd.DataFrame, index: StationIndex, radius_km: float) -> pd.DataFrame:
    """Demand points with the distance to their nearest open station, and whether covered."""
    out = demand.copy()
    out["nearest_km"] = index.nearest_km(demand.lon.to_numpy(), demand.lat.to_numpy())
    out["covered"] = out.nearest_km <= radius_km
    return out


def uncovered_by_county(scored: pd.DataFrame) -> pd.DataFrame:
    """Counties ranked by outdoor workers at demand points with no open station in reach."""
    g = scored.assign(uncovered_workers=np.where(scored.covered, 0, scored.workers)).groupby("adcode")
    out = g.agg(
        workers=("workers", "sum"),
        uncovered_workers=("uncovered_workers", "sum"),
        uncovered_points=("covered", lambda c: int((~c).sum())),
    ).reset_index()
    out["uncovered_share"] = ratio(out.uncovered_workers, out.workers.where(out.workers > 0))
    return out.sort_values(["uncovered_workers", "adcode"], ascending=[False, True]).reset_index(drop=True)


SITE_COLUMNS = ["rank", "lon", "lat", "adcode", "kind", "covered_workers", "covered_points"]
NEAREST_COLUMNS = ["near_name", "near_address", "near_km"]


def best_new_sites(scored: pd.DataFrame, radius_km: float, n_sites: int, lat0: float) -> pd.DataFrame:
    """Greedy maximal coverage over the uncovered demand points (candidates = those points)."""
    open_demand = scored[~scored.covered].reset_index(drop=True)
    if open_demand.empty or n_sites <= 0:
        return pd.DataFrame(columns=SITE_COLUMNS)
    xy = to_km(open_demand.lon, open_demand.lat, lat0)
    tree = cKDTree(xy)
    neighbours = tree.query_ball_point(xy, r=radius_km)
    workers = open_demand.workers.to_numpy(dtype=float)
    remaining = workers.copy()
    picks = []
    for rank in range(1, n_sites + 1):
        gains = np.array([remaining[nb].sum() for nb in neighbours])
        best = int(np.argmax(gains))
        if gains[best] <= 0:
            break
        covered = neighbours[best]
        picks.append(
            {
                "rank": rank,
                "lon": open_demand.lon[best],
                "lat": open_demand.lat[best],
                "adcode": open_demand.adcode[best],
                "kind": open_demand.kind[best] if "kind" in open_demand else None,
                "covered_workers": int(remaining[covered].sum()),
                "covered_points": int((remaining[covered] > 0).sum()),
            }
        )
        remaining[covered] = 0
    return pd.DataFrame(picks, columns=SITE_COLUMNS)


def nearest_stations(sites: pd.DataFrame, stations: pd.DataFrame, lat0: float) -> pd.DataFrame:
    """Each site with its nearest station among `stations` (name, address, lon, lat): near_name,
    near_address and near_km, the distance on the same plane as the coverage (to_km around lat0).
    With no station at all the three are empty (None, None, NaN)."""
    out = sites.copy()
    if stations.empty or sites.empty:
        return out.assign(near_name=None, near_address=None, near_km=np.nan)
    tree = cKDTree(to_km(stations.lon, stations.lat, lat0))
    dist, idx = tree.query(to_km(sites.lon, sites.lat, lat0), k=1)
    out["near_name"] = stations.name.to_numpy()[idx]
    out["near_address"] = stations.address.to_numpy()[idx]
    out["near_km"] = dist
    return out
