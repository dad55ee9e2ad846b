"""A table with some units' rows replaced: what a submission is checked against, what the review
compares and what publishing writes. A station a unit leaves out is kept, closed as of the round."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from uniondash.data.schema import TABLES

KEYS = {"stations": ("station_id",), "coverage": ("adcode",), "nef_membership": ("adcode", "worker_group")}
CLOSED = "closed"


def left_out(base: pd.DataFrame, units: Iterable[str], submitted: pd.DataFrame) -> pd.DataFrame:
    """The units' stations in the base that the submission leaves out, closed (already closed ones too)."""
    units = set(units)
    gone = base[base.adcode.isin(units) & ~base.station_id.isin(submitted.station_id.dropna())].copy()
    gone["status"] = CLOSED
    return gone


def replaced(table: str, base: pd.DataFrame, units: Iterable[str], submitted: pd.DataFrame) -> pd.DataFrame:
    """The base table (with `_base_row`) with `units`' rows replaced by `submitted` (with `_row`):
    contract columns plus `_row`, positive for submitted rows, minus the base row for carried ones."""
    units = set(units)
    names = TABLES[table].names
    kept = base[~base.adcode.isin(units)]
    parts = [kept[names].assign(_row=-kept["_base_row"].to_numpy())]
    parts.append(submitted[names].assign(_row=submitted["_row"].to_numpy()))
    if table == "stations":
        gone = left_out(base, units, submitted)
        parts.append(gone[names].assign(_row=-gone["_base_row"].to_numpy()))
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else parts[0]
    return out
