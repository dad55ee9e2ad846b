"""The units of a round (every county of the newest snapshot) and the ones a filler fills in."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import pyarrow.parquet as pq

from uniondash.access.data_scope import planner_scope
from uniondash.data.snapshots import Snapshot


def regions(base: Snapshot) -> pd.DataFrame:
    return pq.read_table(base.table_path("regions")).to_pandas()


def county_units(base: Snapshot) -> pd.DataFrame:
    """One row per county: unit (adcode), name, city (adcode) and city_name, in adcode order."""
    reg = regions(base)
    cities = reg[reg.level.isin(["city", "province"])].drop_duplicates("adcode").set_index("adcode").name
    counties = reg[reg.level == "county"].sort_values("adcode")
    return pd.DataFrame(
        {
            "unit": counties.adcode.to_numpy(),
            "name": counties.name.to_numpy(),
            "city": counties.parent_adcode.to_numpy(),
            "city_name": counties.parent_adcode.map(cities).fillna("").to_numpy(),
        }
    )


def scope_counties(base: Snapshot, assigned: Iterable[str]) -> tuple[str, ...]:
    """The counties an assignment (counties, or cities meaning all their counties) covers."""
    return planner_scope(regions(base), assigned).counties


def unit_names(base: Snapshot) -> dict[str, str]:
    reg = regions(base)
    return dict(zip(reg.adcode, reg.name))
