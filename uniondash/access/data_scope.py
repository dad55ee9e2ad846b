"""Data scopes: the units a session may read, applied by the query layer to every named query.

A planner's scope is their assigned units: an assigned county, or an assigned city and all of its
counties. uniondash.data.warehouse.Warehouse.run narrows every scope parameter (counties, units,
adcode) to it and drops result rows of any other unit; a query it cannot narrow is refused unless
it is a named exception in SCOPE_EXCEPTIONS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

# Named exceptions: queries a scoped session runs over the whole region, and why that shows no
# other unit's figures.
SCOPE_EXCEPTIONS = {
    "region_shapes": "boundaries of every unit: geography drawn as outlines around the scope, no figures",
}
# Region-wide comparisons computed in Python from unrestricted data, returning only the planner's
# own standing (uniondash.access.exceptions; uniondash.ui.view.county_rank).
REGION_WIDE_COMPARISONS = {
    "county_rank": "a county's rank among all the region's counties per KPI: the rank and the count, no other value",
}


@dataclass(frozen=True)
class DataScope:
    """counties: the county adcodes readable; units: every readable adcode (counties and any
    assigned city). Frozen tuples, so that it can key a cache."""

    counties: tuple[str, ...]
    units: tuple[str, ...]
    assigned: tuple[str, ...] = ()

    def allows(self, adcode: str) -> bool:
        return adcode in self.units


def planner_scope(regions: pd.DataFrame, assigned: Iterable[str]) -> DataScope:
    """The units an assignment covers, from the regions table (any snapshot's rows)."""
    assigned = tuple(sorted(dict.fromkeys(str(a) for a in assigned)))
    county_rows = regions[regions.level == "county"]
    city_codes = set(regions.loc[regions.level == "city", "adcode"])
    counties = set(county_rows.adcode[county_rows.adcode.isin(assigned)])
    cities = {a for a in assigned if a in city_codes}
    counties |= set(county_rows.adcode[county_rows.parent_adcode.isin(cities)])
    return DataScope(tuple(sorted(counties)), tuple(sorted(counties | cities)), assigned)


def out_of_scope(scope: DataScope | None, requested: Iterable[str]) -> list[str]:
    """Requested adcodes (from a URL) that the scope does not cover."""
    if scope is None:
        return []
    return [a for a in dict.fromkeys(requested) if not scope.allows(a)]


@dataclass(frozen=True)
class SessionAccess:
    """What the sign-in gate decided for a session: who, which data, whether names show."""

    identity: object  # uniondash.access.roles.Identity
    data_scope: DataScope | None  # None = the whole region
    names_shown: bool


def default_selection(scope: DataScope, cities: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(cities, counties) filters that show a planner's whole assignment when nothing is chosen:
    the assigned cities, or the assigned counties (all readable counties when both are mixed)."""
    city_codes = set(cities)
    assigned_cities = tuple(a for a in scope.assigned if a in city_codes)
    assigned_counties = tuple(a for a in scope.assigned if a in scope.counties)
    if assigned_cities and not assigned_counties:
        return assigned_cities, ()
    return (), assigned_counties if not assigned_cities else scope.counties
