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


@dataclass(frozen=True)
class RegionIndex:
    """A snapshot's units as plain lookups (names, cities, counties by city), built once per
    snapshot: the filters and the scope ask it on every rerun, a DataFrame costs more to ask."""

    names: dict[str, str]
    cities: tuple[str, ...]
    counties: tuple[str, ...]
    parent: dict[str, str]  # county → its city
    units: tuple[str, ...]  # every adcode: region, cities, counties

    @classmethod
    def from_regions(cls, regions: pd.DataFrame) -> RegionIndex:
        counties = regions[regions.level == "county"]
        return cls(
            names=dict(zip(regions.adcode, regions.name)),
            cities=tuple(regions.loc[regions.level == "city", "adcode"]),
            counties=tuple(counties.adcode),
            parent=dict(zip(counties.adcode, counties.parent_adcode)),
            units=tuple(sorted(set(regions.adcode))),
        )

    def counties_of(self, cities) -> tuple[str, ...]:
        """The counties of the given cities, in the index's order (all counties when none given)."""
        wanted = set(cities)
        return tuple(c for c in self.counties if self.parent.get(c) in wanted) if wanted else self.counties


def resolve_scope(regions: pd.DataFrame | RegionIndex, region_adcode: str, cities=(), counties=()) -> Scope:
    """Counties in scope: chosen counties (within chosen cities), else all counties of the chosen
    cities, else the whole region. Unknown codes are ignored (the filters only offer real ones)."""
    index = regions if isinstance(regions, RegionIndex) else RegionIndex.from_regions(regions)
    city_codes = set(index.cities)
    cities = tuple(sorted(c for c in dict.fromkeys(cities) if c in city_codes))
    pool = set(index.counties_of(cities))
    chosen = tuple(sorted(c for c in dict.fromkeys(counties) if c in pool))
    in_scope = tuple(sorted(chosen or pool))
    if chosen:
        units = chosen
    elif cities:
        units = tuple(sorted(set(cities) | set(in_scope)))
    else:
        units = index.units
    return Scope(region_adcode, cities, chosen, in_scope, units)
