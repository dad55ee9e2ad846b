"""Competitions: medal tables by county and city, and per 10,000 employees (names are masked
where data is read, by the query gateway: uniondash/access/data_scope.py)."""

from __future__ import annotations

import pandas as pd

from uniondash.metrics.rates import ratio

TIER_COLUMNS = ("first_prizes", "second_prizes", "third_prizes", "awards", "honours")


def city_medals(county_table: pd.DataFrame, parents: dict[str, str]) -> pd.DataFrame:
    """The county medal table summed to cities (each county's awards go to its city)."""
    t = county_table.assign(adcode=county_table.adcode.map(parents))
    out = t.groupby("adcode", as_index=False)[list(TIER_COLUMNS)].sum()
    return out.sort_values(
        ["first_prizes", "second_prizes", "third_prizes", "adcode"], ascending=[False, False, False, True]
    ).reset_index(drop=True)


def per_10k(table: pd.DataFrame, employees: dict[str, float]) -> pd.DataFrame:
    """Awards per 10,000 employees of the unit, for every tier column."""
    emp = table.adcode.map(employees).astype(float)
    out = table.copy()
    for col in TIER_COLUMNS:
        out[col] = ratio(out[col], emp.where(emp > 0), 10_000)
    return out
