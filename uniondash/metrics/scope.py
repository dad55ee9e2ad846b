"""Scope: which counties (and which units for unit-level indicators) a view covers."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Scope:
    region_adcode: str
    cities: tuple[str, ...]  # chosen cities (empty = whole region)
    chosen_counties: tuple[str, ...]  # chosen counties (empty = all counties of the cities)
    counties: tuple[str, ...]  # every county in scope
    units: tuple[str, ...]  # every adcode in scope: region (if whole), cities, counties

    @property
    def is_region(self) -> bool:
        return not self.cities and not self.chosen_counties

    @property
    def is_single_county(self) -> bool:
        return len(self.counties) == 1 and bool(self.chosen_counties)


def resolve_scope(regions: pd.DataFrame, region_adcode: str, cities=(), counties=()) -> Scope:
    """Counties in scope: chosen counties (within chosen cities), else all counties of the chosen
    cities, else the whole region. Unknown codes are ignored (the filters only offer real ones)."""
    county_rows = regions[regions.level == "county"]
    city_codes = set(regions.loc[regions.level == "city", "adcode"])
    cities = tuple(sorted(c for c in dict.fromkeys(cities) if c in city_codes))
    pool = county_rows[county_rows.parent_adcode.isin(cities)] if cities else county_rows
    chosen = tuple(sorted(c for c in dict.fromkeys(counties) if c in set(pool.adcode)))
    in_scope = tuple(sorted(chosen or pool.adcode))
    if chosen:
        units = chosen
    elif cities:
        units = tuple(sorted(set(cities) | set(in_scope)))
    else:
        units = tuple(sorted(set(regions.adcode)))
    return Scope(region_adcode, cities, chosen, in_scope, units)
