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
# Region-wide reads: the only reads of a session that ignore its data scope, each by name with why
# it shows no other unit's figures. They go through uniondash.ui.reads.region_wide(NAME, …), which
# refuses a name not listed here; tests/test_layout.py fails on any other read that passes no scope.
REGION_WIDE_READS = {
    "county_rank": "a county's rank among all the region's counties per KPI (uniondash.analysis.profile.own_ranks):"
    " the rank and the count leave, no other value",
    "region_only_kpis": "which KPIs exist for the region as a whole only: catalogue metadata, the same for everyone",
    "sign_in_units": "every unit's code, level and parent, for the sign-in gate to resolve an assignment and to tell"
    " another county's code from a mistyped one: never displayed",
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


SCOPE_PARAMS = ("counties", "units", "adcode", "filters")
NO_UNIT = "-"  # an adcode that no unit has: a single-unit query outside the scope returns no rows


class ScopeError(ValueError):
    """A named query that cannot be restricted to a scope (no scope parameter, no adcode column)."""


def restrict_params(params: dict, scope: DataScope) -> dict:
    """Scope parameters narrowed to the scope: counties and units intersected, an adcode outside
    it replaced by one that matches nothing."""
    out = dict(params)
    if isinstance(out.get("filters"), dict) and "counties" in out["filters"]:  # the stations filters' STRUCT
        out["filters"] = {
            **out["filters"],
            "counties": tuple(c for c in out["filters"]["counties"] if c in scope.counties),
        }
    if "counties" in out:
        out["counties"] = tuple(c for c in out["counties"] if c in scope.counties)
    if "units" in out:
        out["units"] = tuple(u for u in out["units"] if u in scope.units)
    if "adcode" in out and out["adcode"] not in scope.units:
        out["adcode"] = NO_UNIT
    return out


def restrict_rows(name: str, result: pd.DataFrame, params: dict, scope: DataScope) -> pd.DataFrame:
    """Rows of other units dropped; a query with neither a scope parameter nor an adcode column
    is refused (a new query cannot forget the scope)."""
    if "adcode" in result.columns:
        return result[result.adcode.isin(scope.units)].reset_index(drop=True)
    if not any(p in params for p in SCOPE_PARAMS):
        raise ScopeError(
            f"查询 {name} 无法按账号范围限制（没有 counties/units/adcode 参数，也没有 adcode 列）。"
            f" / Query {name} cannot be restricted to a scope: add a scope parameter or an adcode column,"
            " or name it in uniondash.access.data_scope.SCOPE_EXCEPTIONS with the reason."
        )
    return result


def mask_person(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***: the surname stays so a table still reads."""
    return name[:1] + "*" * (len(name) - 1) if name else name


def masked_names(results: pd.DataFrame) -> pd.Series:
    """Winner names with people's names masked (teams and units are not personal data)."""
    return pd.Series(
        [mask_person(n) if w == "person" else n for n, w in zip(results.winner_name, results.winner_type)],
        index=results.index,
    )


def mask_names(result: pd.DataFrame) -> pd.DataFrame:
    """A query result with every person's name masked (a result without winner names as it is):
    the gateway applies it for a session that may not see names."""
    if result.empty or not {"winner_name", "winner_type"} <= set(result.columns):
        return result
    return result.assign(winner_name=masked_names(result))
