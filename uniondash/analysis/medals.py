"""Competitions: medal tables by county and city, per 10,000 employees, and masking of
personal names where they may not be shown."""

from __future__ import annotations

import pandas as pd

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
        out[col] = out[col] / emp.where(emp > 0) * 10_000
    return out


def mask_person(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the surname stays so a table still reads."""
    return name[:1] + "*" * (len(name) - 1) if name else name


def masked_names(results: pd.DataFrame) -> pd.Series:
    """Winner names with people's names masked (teams and units are not personal data)."""
    return pd.Series(
        [mask_person(n) if w == "person" else n for n, w in zip(results.winner_name, results.winner_type)],
        index=results.index,
    )


def mask_results(results: pd.DataFrame) -> pd.DataFrame:
    """Results with every person's name masked: applied where data is read for a session that may
    not see names, so that no page, export or cache holds the real name for it."""
    if results.empty or "winner_name" not in results.columns:
        return results
    return results.assign(winner_name=masked_names(results))
