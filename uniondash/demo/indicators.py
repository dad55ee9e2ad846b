"""Demo indicators (the report's other figures, long format) and targets.

The latest year reproduces every figure of report_figures.csv exactly; earlier years build
up to it plausibly. Flow figures (measures issued, work groups sent) are stored per year and
summed by the KPI catalogue; stock figures (units, lists, pilots) are the year's level.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from uniondash.demo.common import YEARS, apportion, rng_for

# Region-level stock figures by year (None = not yet in existence that year).
REGION_STOCK = {
    "support_measures_relief": (None, 15, 15, 15, 15),
    "support_measures_stabilise": (None, None, None, 18, 18),
    "reform_member_units": (10, 11, 12, 12, 12),
    "reform_participating_units": (18, 20, 22, 25, 25),
    "reform_tasks": (5, 5, 5, 5, 5),
    "harmonious_award_cycle_years": (2, 2, 2, 2, 2),
    "co_creation_measures": (None, None, None, 12, 12),
    "county_union_items": (None, None, None, 24, 24),
    "county_union_measures": (None, None, None, 13, 13),
    "best_practice_cases": (None, None, None, None, 100),
    "best_practice_areas": (None, None, None, None, 5),
    "party_lists": (None, None, 7, 7, 7),
    "party_measures": (None, None, 236, 262, 281),
}
# Region-level flows by year: the five-year sums are the report's figures.
REGION_FLOW = {
    "reform_policy_measures": (14, 16, 18, 19, 18),  # 85
    "work_groups": (52, 58, 66, 71, 76),  # 323
    "love_consumption_campaigns": (0, 0, 1, 1, 1),  # 连续三年
}
PROBLEMS_SOLVED_RANGE = (1600, 1700)  # 1600多个
FUND_SHARE_RANGE = (0.80, 0.86)  # 80%以上


def build_indicators(geo, counties: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = rng_for(seed, "indicators")
    region = geo.region_adcode
    rows: list[tuple[str, str, int, float]] = []
    for code, values in REGION_STOCK.items():
        rows += [(code, region, y, float(v)) for y, v in zip(YEARS, values) if v is not None]
    for code, values in REGION_FLOW.items():
        rows += [(code, region, y, float(v)) for y, v in zip(YEARS, values) if v]
    solved = apportion(int(rng.integers(*PROBLEMS_SOLVED_RANGE)), np.array([0.16, 0.18, 0.2, 0.22, 0.24]))
    rows += [("problems_solved", region, y, float(v)) for y, v in zip(YEARS, solved)]
    sales = np.round(rng.uniform(8000, 15000, 3), 1)
    rows += [("love_consumption_sales_10k_yuan", region, y, float(v)) for y, v in zip(YEARS[2:], sales)]
    # Funds: the share passed down rises to [80%, 86%) and is never below 80%.
    total = np.round(rng.uniform(150000, 180000) * (1.05 ** np.arange(len(YEARS))), 1)
    share = np.linspace(0.80, rng.uniform(*FUND_SHARE_RANGE), len(YEARS)) + rng.uniform(0.001, 0.004, len(YEARS))
    for y, t, s in zip(YEARS, total, share):
        rows += [
            ("funds_total_10k_yuan", region, y, float(t)),
            ("funds_to_grassroots_10k_yuan", region, y, float(round(t * min(s, 0.8599), 1))),
        ]

    n = len(counties)
    emp = np.stack(counties.employees.to_numpy())[:, -1].astype(float)
    u = counties.urbanity.to_numpy()
    codes = counties.adcode.to_numpy()
    # 共同缔造 pilots began in 2022: 161 by the end of 2023 (市县两级 counted at county level).
    pilots_w = rng.lognormal(0, 0.5, n) * (0.5 + u)
    for y, total_pilots in ((2022, 64), (2023, 161)):
        rows += [("co_creation_pilots", a, y, float(v)) for a, v in zip(codes, apportion(total_pilots, pilots_w))]
    # 法院＋工会 mediation: cities first, every county by 2023 (市县两级全覆盖).
    units = geo.regions[geo.regions.level.isin(["city", "county"])].drop_duplicates("adcode")
    for a, level in zip(units.adcode, units.level):
        start = int(rng.integers(2019, 2021)) if level == "city" else int(rng.integers(2020, 2024))
        rows += [("court_union_mediation", a, y, 1.0 if y >= start else 0.0) for y in YEARS]
    # Harmonious labour-relations enterprises, awarded every two years.
    for y in (2019, 2021, 2023):
        rows += [
            ("harmonious_enterprises_awarded", a, y, float(v))
            for a, v in zip(codes, apportion(int(rng.integers(90, 120)), emp))
        ]
    studios = np.round(emp / 40000 * rng.uniform(0.6, 1.4, n) + 1)
    hardship = np.round(emp / 900 * rng.uniform(0.6, 1.4, n) * (1.3 - 0.5 * u))
    for k, y in enumerate(YEARS):
        grow = 0.55 + 0.45 * k / 4
        rows += [("innovation_studios", a, y, float(max(1, round(s * grow)))) for a, s in zip(codes, studios)]
        rows += [("hardship_files", a, y, float(round(h * (0.8 + 0.05 * k)))) for a, h in zip(codes, hardship)]
        rows += [
            ("ideology_activities", a, y, float(v))
            for a, v in zip(codes, np.round(emp / 20000 * rng.uniform(0.7, 1.3, n) * (1 + 0.08 * k) + 2))
        ]
        rows += [
            ("culture_participants", a, y, float(v))
            for a, v in zip(codes, np.round(emp * rng.uniform(0.04, 0.09, n) * (1 + 0.1 * k)))
        ]
    return pd.DataFrame(rows, columns=["kpi_code", "adcode", "year", "value"])


def build_targets(geo, counties: pd.DataFrame, stations_latest: pd.Series) -> pd.DataFrame:
    """2025 targets for the region and each county (the 十四五 plan's end year)."""
    region = geo.region_adcode
    rows = [
        ("union_founding_rate", region, 2025, 0.90),
        ("membership_rate", region, 2025, 0.88),
        ("migrant_membership_rate", region, 2025, 0.80),
        ("nef_membership_rate", region, 2025, 0.75),
        ("stations_registered", region, 2025, 9000.0),
        ("co_creation_pilots", region, 2025, 200.0),
        ("fund_share_to_grassroots", region, 2025, 0.80),
    ]
    per_county = apportion(9000, stations_latest.reindex(counties.adcode).fillna(0).to_numpy() + 1)
    for a, st in zip(counties.adcode, per_county):
        rows += [
            ("union_founding_rate", a, 2025, 0.90),
            ("membership_rate", a, 2025, 0.88),
            ("nef_membership_rate", a, 2025, 0.75),
            ("stations_registered", a, 2025, float(st)),
        ]
    return pd.DataFrame(rows, columns=["kpi_code", "adcode", "year", "target"])
