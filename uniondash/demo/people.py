"""Demo people: county population and employment, union coverage, new-employment-form workers.

Densities follow unit kind (urban districts dense, autonomous and forest counties sparse) and
distance from the region's capital. Rates rise over the five years at county-specific paces,
with a few counties dipping in the last year so that "what changed" has something to say.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from uniondash.data.geography import Geography
from uniondash.data.schema import WORKER_GROUPS
from uniondash.demo.common import URBANITY, YEARS, apportion, progress_curve, rng_for

# Public resident populations by city (a region's file named by its adcode): the demo's cities
# are calibrated to them; a region without one keeps the generator's density model.
CENSUS_DIR = Path(__file__).resolve().parent / "census"
CENSUS_YEAR = 2020  # 第七次全国人口普查, 2020-11-01

DENSITY = {"core": 5200.0, "区": 330.0, "县级市": 330.0, "县": 210.0, "自治县": 110.0, "林区": 22.0}
EMPLOYED_SHARE = {"core": 0.50, "区": 0.40, "县级市": 0.29, "县": 0.24, "自治县": 0.21, "林区": 0.30}
NEF_GROUP_SHARE = np.array([0.30, 0.17, 0.21, 0.32])  # truck, ride-hailing, courier, food delivery
NEF_GROWTH = np.array([0.66, 0.75, 0.84, 0.93, 1.0])
# The report: 240万 new-employment-form workers. The latest total is drawn in [2,395,000, 2,404,999].
NEF_TOTAL_RANGE = (2_395_000, 2_405_000)


def _haversine_km(lon1, lat1, lon2, lat2):
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * np.arcsin(np.sqrt(a))


def county_profiles(geo: Geography, seed: int) -> pd.DataFrame:
    """One row per county: class, urbanity, population and employees per year (arrays)."""
    rng = rng_for(seed, "people")
    counties = geo.regions[geo.regions.level == "county"].reset_index(drop=True).copy()
    cls = np.where((counties.kind == "区") & (counties.area_km2 < 200), "core", counties.kind)
    counties["cls"] = cls
    counties["urbanity"] = [URBANITY[c] for c in cls]
    # The capital: the first city's densest district (Wuhan for Hubei).
    first_city = geo.regions[geo.regions.level == "city"].iloc[0].adcode
    in_capital = counties[counties.parent_adcode == first_city]
    cap = in_capital.loc[in_capital.area_km2.idxmin()]
    dist = _haversine_km(counties.lon.to_numpy(), counties.lat.to_numpy(), cap.lon, cap.lat)
    density = np.array([DENSITY[c] for c in cls]) * (1 + 1.0 * np.exp(-dist / 80.0))
    density *= rng.lognormal(0.0, 0.22, len(counties))
    pop_2023 = counties.area_km2.to_numpy() * density
    growth = rng.uniform(-0.004, 0.012, len(counties))
    pop = pop_2023[:, None] * (1 + growth[:, None]) ** (np.arange(len(YEARS)) - 4)[None, :]
    share = np.array([EMPLOYED_SHARE[c] for c in cls]) * rng.uniform(0.9, 1.1, len(counties))
    emp_growth = rng.uniform(0.005, 0.025, len(counties))
    emp = pop * share[:, None] * (1 + emp_growth[:, None]) ** (np.arange(len(YEARS)) - 4)[None, :]
    census = city_census(geo.region_adcode)
    if census is not None:
        factor = calibration_factors(counties.parent_adcode.to_numpy(), pop[:, YEARS.index(CENSUS_YEAR)], census)
        pop, emp = pop * factor[:, None], emp * factor[:, None]
    counties["population"] = list(np.round(pop).astype(np.int64))
    counties["employees"] = list(np.round(emp).astype(np.int64))
    return counties


def city_census(region: str) -> dict[str, int] | None:
    """The region's census population by city adcode, or None when none is shipped for it."""
    path = CENSUS_DIR / f"{region}.csv"
    if not path.exists():
        return None
    table = pd.read_csv(path, dtype={"adcode": str})
    return dict(zip(table.adcode, table[f"population_{CENSUS_YEAR}"].astype(np.int64)))


def calibration_factors(parents: np.ndarray, modelled: np.ndarray, census: dict[str, int]) -> np.ndarray:
    """Per county, the factor that brings its city's modelled total to the census: counties keep
    their shares of the city, every year moves by the same factor (so growth stays the model's)."""
    totals = pd.Series(modelled).groupby(parents).sum()
    missing = sorted(set(totals.index) - set(census))
    if missing:
        raise ValueError(f"census file has no population for cities {missing}")
    return np.array([census[p] / totals[p] for p in parents])


def coverage_by_year(counties: pd.DataFrame, seed: int) -> list[pd.DataFrame]:
    """The coverage table for each year: counts whose rates rise at county-specific paces."""
    rng = rng_for(seed, "coverage")
    n = len(counties)
    u = counties.urbanity.to_numpy()
    emp = np.stack(counties.employees.to_numpy())  # (n, years)
    units_per_employee = 1 / rng.uniform(12, 25, n)
    legal = np.round(emp * units_per_employee[:, None]).astype(np.int64)

    def rates(start, gain_lo, gain_hi, cap):
        pace = rng.uniform(0.8, 2.4, n)
        gain = rng.uniform(gain_lo, gain_hi, n)
        return np.minimum(cap, start[:, None] + gain[:, None] * progress_curve(pace))

    found = rates(0.55 + 0.2 * u + rng.normal(0, 0.04, n), 0.06, 0.22, 0.97)
    member = rates(0.60 + 0.15 * u + rng.normal(0, 0.04, n), 0.05, 0.20, 0.95)
    migrant_rate = rates(0.36 + 0.10 * u + rng.normal(0, 0.05, n), 0.15, 0.35, 0.92)
    # A few counties slip in the last year (staff turnover, plant closures): real data has dips.
    for arr, k in ((member, 6), (found, 4)):
        dip = rng.choice(n, size=min(k, n), replace=False)
        arr[dip, -1] = arr[dip, -2] - rng.uniform(0.004, 0.015, len(dip))
    migrant_share = rng.uniform(0.2, 0.45, n) * (1.2 - 0.4 * u)
    grassroots_share = rng.uniform(0.82, 0.98, n)
    out = []
    for k in range(len(YEARS)):
        unionised = np.round(legal[:, k] * found[:, k]).astype(np.int64)
        migrants = np.round(emp[:, k] * migrant_share).astype(np.int64)
        out.append(
            pd.DataFrame(
                {
                    "adcode": counties.adcode,
                    "legal_units": legal[:, k],
                    "legal_units_unionised": unionised,
                    "grassroots_unions": np.round(unionised * grassroots_share).astype(np.int64),
                    "employees": emp[:, k],
                    "members": np.round(emp[:, k] * member[:, k]).astype(np.int64),
                    "migrant_workers": migrants,
                    "migrant_members": np.round(migrants * migrant_rate[:, k]).astype(np.int64),
                }
            )
        )
    return out


def nef_by_year(counties: pd.DataFrame, seed: int) -> list[pd.DataFrame]:
    """New-employment-form workers per county and group; the latest total rounds to 240万."""
    rng = rng_for(seed, "nef")
    n = len(counties)
    u = counties.urbanity.to_numpy()
    emp = np.stack(counties.employees.to_numpy())[:, -1]
    county_w = emp * (0.6 + 0.8 * u) * rng.lognormal(0, 0.15, n)
    group_w = NEF_GROUP_SHARE[None, :] * rng.uniform(0.8, 1.2, (n, 4))
    weights = (county_w[:, None] * group_w).ravel()
    total = int(rng.integers(*NEF_TOTAL_RANGE))
    start = 0.20 + 0.10 * u + rng.normal(0, 0.03, n)
    gain = rng.uniform(0.30, 0.45, n)
    group_offset = np.array([-0.06, 0.0, 0.05, 0.02])
    curve = progress_curve(rng.uniform(0.9, 2.0, n))
    out = []
    for k in range(len(YEARS)):
        workers = apportion(round(total * NEF_GROWTH[k]), weights).reshape(n, 4)
        rate = np.clip(start[:, None] + gain[:, None] * curve[:, k][:, None] + group_offset[None, :], 0.05, 0.9)
        out.append(
            pd.DataFrame(
                {
                    "adcode": np.repeat(counties.adcode.to_numpy(), 4),
                    "worker_group": np.tile(np.array(WORKER_GROUPS), n),
                    "workers": workers.ravel(),
                    "members": np.round(workers * rate).astype(np.int64).ravel(),
                }
            )
        )
    return out


def regions_by_year(geo: Geography, counties: pd.DataFrame) -> list[pd.DataFrame]:
    """The regions table per year: counties' population and employees summed up the levels."""
    out = []
    for k in range(len(YEARS)):
        pop = dict(zip(counties.adcode, (p[k] for p in counties.population)))
        emp = dict(zip(counties.adcode, (e[k] for e in counties.employees)))
        regions = geo.regions.copy()
        parent = dict(zip(counties.adcode, counties.parent_adcode))

        def total(adcode, level, values, parent=parent):
            if level == "county":
                return values[adcode]
            if level == "city":
                return sum(v for c, v in values.items() if parent[c] == adcode)
            return sum(values.values())

        regions["population"] = [total(a, lv, pop) for a, lv in zip(regions.adcode, regions.level)]
        regions["employees"] = [total(a, lv, emp) for a, lv in zip(regions.adcode, regions.level)]
        out.append(regions)
    return out
