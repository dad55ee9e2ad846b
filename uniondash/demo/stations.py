"""Demo service stations: a five-year history with stable ids, placed around towns and roads.

Each county gets a seat (its label point) and a handful of towns inside its polygon; roads
join the seat to each town. Stations fall near towns (most) or along roads (some), and every
point is rejection-sampled inside the county's stored polygon. A station opens on a date and
may close later; each annual snapshot shows every station opened by then, with its status.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from uniondash.data.geography import Geography
from uniondash.data.schema import FACILITIES, HOST_TYPES, STATION_KINDS
from uniondash.demo import words
from uniondash.demo.common import YEARS, apportion, rng_for

# Registered (not closed) stations per year as a share of the latest; the latest count is
# drawn in [8,200, 8,299] (the report: 服务职工站点 8200多家).
GROWTH = np.array([0.36, 0.52, 0.68, 0.84, 1.0])
STATIONS_RANGE = (8200, 8300)
CLOSE_RATE = 0.02
KIND_SHARE = np.array([0.68, 0.22, 0.10])
HOST_SHARE = {  # by kind, in HOST_TYPES order
    "outdoor_rest": [0.30, 0.12, 0.18, 0.12, 0.12, 0.08, 0.05, 0.03],
    "nursing_room": [0.25, 0.30, 0.10, 0.02, 0.13, 0.15, 0.04, 0.01],
    "mental_care": [0.55, 0.20, 0.02, 0.00, 0.15, 0.08, 0.00, 0.00],
}
FACILITY_P = {  # probability of each facility, in FACILITIES order
    "outdoor_rest": [0.97, 0.75, 0.95, 0.85, 0.55, 0.45, 0.70],
    "nursing_room": [0.90, 0.40, 0.95, 0.70, 0.80, 0.20, 0.85],
    "mental_care": [0.85, 0.20, 0.98, 0.60, 0.50, 0.15, 0.80],
}
KM_PER_DEG_LAT = 110.57


def _points_inside(geom, cx, cy, sigma_km, rng, n) -> np.ndarray:
    """n points drawn around centres (cx, cy) with Gaussian spread, all inside geom."""
    shapely.prepare(geom)
    prepared = geom
    out = np.empty((0, 2))
    coslat = np.cos(np.radians(np.mean(cy)))
    tries = 0
    while len(out) < n:
        m = max(64, int((n - len(out)) * 1.6))
        idx = rng.integers(0, len(cx), m)
        s = sigma_km[idx] if np.ndim(sigma_km) else sigma_km
        x = cx[idx] + rng.normal(0, 1, m) * s / (KM_PER_DEG_LAT * coslat)
        y = cy[idx] + rng.normal(0, 1, m) * s / KM_PER_DEG_LAT
        keep = shapely.contains_xy(prepared, x, y)
        out = np.vstack([out, np.column_stack([x[keep], y[keep]])])
        tries += 1
        if tries > 200:  # a sliver polygon: fall back to uniform points inside it
            minx, miny, maxx, maxy = geom.bounds
            x = rng.uniform(minx, maxx, m * 4)
            y = rng.uniform(miny, maxy, m * 4)
            keep = shapely.contains_xy(geom, x, y)
            out = np.vstack([out, np.column_stack([x[keep], y[keep]])])
    return out[:n]


def county_towns(geom, seat_lon, seat_lat, area_km2, seed: int, adcode: str) -> tuple[np.ndarray, np.ndarray]:
    """The county seat plus towns inside the polygon, and each town's weight (seat heaviest).

    Seeded by county alone, so stations and demand points cluster around the same towns."""
    rng = rng_for(seed, f"towns-{adcode}")
    n_towns = int(np.clip(area_km2 / 250, 2, 18))
    spread = np.sqrt(area_km2) / 3.0
    towns = _points_inside(geom, np.array([seat_lon]), np.array([seat_lat]), spread, rng, n_towns)
    centres = np.vstack([[seat_lon, seat_lat], towns])
    weights = np.concatenate([[max(2.0, n_towns / 2)], rng.pareto(2.5, n_towns) + 0.3])
    return centres, weights / weights.sum()


def place_stations(geom, centres, weights, area_km2, n, rng) -> np.ndarray:
    """70% near towns (weighted), 30% along the roads joining the seat to each town."""
    n_town = int(round(n * 0.7))
    sigma = float(np.clip(0.12 * np.sqrt(area_km2), 0.35, 3.5))
    town_idx = rng.choice(len(centres), size=n_town, p=weights)
    near = (
        _points_inside(geom, centres[town_idx, 0], centres[town_idx, 1], sigma * 0.8, rng, n_town)
        if n_town
        else np.empty((0, 2))
    )
    n_road = n - n_town
    if n_road and len(centres) > 1:
        road = rng.integers(1, len(centres), n_road)
        t = rng.uniform(0, 1, n_road)
        x = centres[0, 0] + t * (centres[road, 0] - centres[0, 0])
        y = centres[0, 1] + t * (centres[road, 1] - centres[0, 1])
        along = _points_inside(geom, x, y, 0.25, rng, n_road)
    else:
        along = _points_inside(geom, centres[:1, 0], centres[:1, 1], sigma, rng, n_road)
    pts = np.vstack([near, along])
    return pts[rng.permutation(len(pts))]


def _date_in_year(year: int, rng, n) -> np.ndarray:
    start = np.datetime64(f"{year}-01-01")
    days = 366 if year % 4 == 0 else 365
    return start + rng.integers(0, days, n).astype("timedelta64[D]")


def station_history(geo: Geography, counties: pd.DataFrame, seed: int, scale: int = 1) -> pd.DataFrame:
    """Every station ever opened: fixed attributes plus opened_on and closed_on (NaT if open)."""
    rng = rng_for(seed, "stations")
    n_c = len(counties)
    latest = int(rng.integers(*STATIONS_RANGE)) * scale
    emp = np.stack(counties.employees.to_numpy())[:, -1]
    weight = emp**0.85 * (0.7 + 0.6 * counties.urbanity.to_numpy()) * rng.lognormal(0, 0.2, n_c)
    target_latest = apportion(latest, weight)
    start_share = rng.uniform(0.2, 0.55, n_c)
    frames = []
    for i, c in counties.iterrows():
        share = start_share[i] + (1 - start_share[i]) * (GROWTH - GROWTH[0]) / (1 - GROWTH[0])
        target = np.maximum.accumulate(np.round(target_latest[i] * share).astype(int))
        target[-1] = target_latest[i]
        opened, closed = [], []
        alive = 0
        for k, year in enumerate(YEARS):
            closing = rng.binomial(alive, CLOSE_RATE) if k else 0
            alive_ids = [j for j in range(len(opened)) if closed[j] is None]
            for j in rng.choice(alive_ids, size=closing, replace=False) if closing else []:
                closed[j] = year
            new = target[k] - (alive - closing)
            first_year = rng.integers(2016, 2020, new) if k == 0 else np.full(new, year)
            opened.extend(first_year.tolist())
            closed.extend([None] * new)
            alive = target[k]
        n = len(opened)
        geom = geo.geometries[(c.adcode, "county")]
        centres, tw = county_towns(geom, c.lon, c.lat, c.area_km2, seed, c.adcode)
        pts = place_stations(geom, centres, tw, c.area_km2, n, rng)
        frames.append(
            pd.DataFrame(
                {
                    "adcode": c.adcode,
                    "county_name": c["name"],
                    "urbanity": c.urbanity,
                    "seq": np.arange(1, n + 1),
                    "open_year": opened,
                    "close_year": [np.nan if y is None else y for y in closed],
                    "lon": np.round(pts[:, 0], 6),
                    "lat": np.round(pts[:, 1], 6),
                }
            )
        )
    hist = pd.concat(frames, ignore_index=True)
    return _attributes(hist, counties, rng)


def _attributes(hist: pd.DataFrame, counties: pd.DataFrame, rng) -> pd.DataFrame:
    n = len(hist)
    hist["station_id"] = hist.adcode + "-" + hist.seq.map("{:06d}".format)
    # 心灵护航加油站 began in 2021; older stations are the other two kinds.
    kind = rng.choice(len(STATION_KINDS), size=n, p=KIND_SHARE)
    early = hist.open_year.to_numpy() < 2021
    kind[early & (kind == 2)] = rng.choice(2, size=int((early & (kind == 2)).sum()), p=[0.75, 0.25])
    hist["kind"] = np.array(STATION_KINDS)[kind]
    host = np.empty(n, dtype=object)
    facilities = np.zeros((n, len(FACILITIES)), dtype=bool)
    for k_name in STATION_KINDS:
        m = hist.kind.to_numpy() == k_name
        p = np.array(HOST_SHARE[k_name]) / sum(HOST_SHARE[k_name])
        host[m] = np.array(HOST_TYPES)[rng.choice(len(HOST_TYPES), size=int(m.sum()), p=p)]
        facilities[m] = rng.random((int(m.sum()), len(FACILITIES))) < np.array(FACILITY_P[k_name])
    hist["host_type"] = host
    for j, f in enumerate(FACILITIES):
        hist[f] = facilities[:, j]
    hist["is_24h"] = rng.random(n) < np.where(host == "fuel_station", 0.85, 0.12)
    opened = np.empty(n, dtype="datetime64[D]")
    for year in np.unique(hist.open_year):
        m = hist.open_year.to_numpy() == year
        opened[m] = _date_in_year(int(year), rng, int(m.sum()))
    hist["opened_on"] = opened
    hist["star_base"] = rng.choice([1, 2, 3, 4, 5], size=n, p=[0.05, 0.15, 0.35, 0.3, 0.15])
    hist["visits_base"] = np.round(rng.lognormal(np.log(180 + 500 * hist.urbanity.to_numpy()), 0.5)).astype(int)
    place = np.array(words.PLACES)[rng.integers(0, len(words.PLACES), n)]
    road = np.array(words.ROAD_SUFFIX)[rng.integers(0, len(words.ROAD_SUFFIX), n)]
    city = dict(zip(counties.adcode, counties.city_name))
    hist["address"] = [
        f"{city[a]}{cn}{p}{r}{num}号"
        for a, cn, p, r, num in zip(hist.adcode, hist.county_name, place, road, rng.integers(1, 400, n))
    ]
    bank = np.array(words.BANKS)[rng.integers(0, len(words.BANKS), n)]
    fuel = np.array(words.FUEL)[rng.integers(0, len(words.FUEL), n)]
    shop = np.array(words.RETAIL)[rng.integers(0, len(words.RETAIL), n)]
    suffix = {"outdoor_rest": "户外劳动者服务站", "nursing_room": "爱心母婴室", "mental_care": "心灵护航加油站"}
    names = []
    for cn, p, h, k, b, f, s in zip(hist.county_name, place, host, hist.kind, bank, fuel, shop):
        host_part = {
            "union": f"{p}街道工会",
            "enterprise": f"{p}工业园",
            "bank": f"{b}{p}支行",
            "fuel_station": f"{f}{p}加油站",
            "community": f"{p}社区",
            "government": f"{p}政务服务中心",
            "retail": f"{s}{p}店",
            "other": f"{p}",
        }[h]
        names.append(f"{cn}{host_part}{suffix[k]}")
    hist["name"] = names
    hist["status_draw"] = rng.random((n, len(YEARS))).tolist()
    hist["visit_noise"] = rng.lognormal(0, 0.15, (n, len(YEARS))).tolist()
    return hist


def stations_snapshot(hist: pd.DataFrame, k: int) -> pd.DataFrame:
    """The stations table as of year YEARS[k]: opened by then, with that year's status."""
    year = YEARS[k]
    sub = hist[hist.open_year <= year].copy()
    closed = sub.close_year.notna() & (sub.close_year <= year)
    draw = np.array([d[k] for d in sub.status_draw])
    status = np.where(closed, "closed", np.where(draw < 0.012, "suspended", "open"))
    sub["status"] = status
    age = year - sub.open_year.to_numpy()
    sub["star"] = pd.array(np.where(age >= 1, sub.star_base, 0), dtype="Int8").astype("Int8")
    sub.loc[age < 1, "star"] = pd.NA
    visits = sub.visits_base.to_numpy() * np.array([v[k] for v in sub.visit_noise]) * (1 + 0.08 * np.minimum(age, 4))
    sub["monthly_visits"] = np.where(status == "open", np.round(visits), 0).astype(np.int32)
    sub["opened_on"] = pd.to_datetime(sub.opened_on).dt.date
    return sub.reset_index(drop=True)


def demand_points(geo: Geography, counties: pd.DataFrame, nef_latest: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Where outdoor workers gather: logistics parks, delivery hubs, transport hubs per county."""
    rng = rng_for(seed, "demand")
    workers_by_county = nef_latest.groupby("adcode").workers.sum()
    kinds = np.array(["delivery_hub", "logistics_park", "transport_hub", "construction_site", "market"])
    frames = []
    for _, c in counties.iterrows():
        geom = geo.geometries[(c.adcode, "county")]
        centres, tw = county_towns(geom, c.lon, c.lat, c.area_km2, seed, c.adcode)
        n = int(np.clip(workers_by_county.get(c.adcode, 0) / 800, 8, 400))
        pts = place_stations(geom, centres, tw, c.area_km2, n, rng)
        share = rng.pareto(1.8, n) + 0.2
        workers = apportion(int(workers_by_county.get(c.adcode, 0)), share)
        frames.append(
            pd.DataFrame(
                {
                    "point_id": [f"{c.adcode}-D{i:05d}" for i in range(1, n + 1)],
                    "adcode": c.adcode,
                    "kind": kinds[rng.integers(0, len(kinds), n)],
                    "lon": np.round(pts[:, 0], 6),
                    "lat": np.round(pts[:, 1], 6),
                    "workers": workers.astype(np.int32),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
