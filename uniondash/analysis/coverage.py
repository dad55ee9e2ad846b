"""Coverage and membership arithmetic: rates for groups of counties (from summed counts), the
gap to target with the members still needed, trends and the new-employment-form breakdown."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from uniondash.analysis.overview import county_changes, county_values
from uniondash.data.schema import WORKER_GROUPS
from uniondash.metrics.kpis import Kpi
from uniondash.metrics.rates import ratio

RATE_KPIS = ("union_founding_rate", "membership_rate", "migrant_membership_rate", "nef_membership_rate")


def group_values(wide: pd.DataFrame, kpi: Kpi, groups: dict[str, str]) -> pd.Series:
    """The KPI for each group of counties (county → group), from the group's summed counts."""
    rows = wide.reindex(list(groups)).assign(_group=[groups[a] for a in groups])
    cols = [c for c in (kpi.numerator, kpi.denominator) if c]
    if any(c not in wide.columns for c in cols):
        return pd.Series(dtype="float64")
    return kpi.evaluate(rows.groupby("_group")[cols].sum(min_count=1))


def _needed(kpi: Kpi, target: float, value: float, numerator: float, denominator: float) -> int | None:
    """How many more members (or units) reach the target: for a rate ceil(target × denominator −
    numerator) (fewer for a "down" rate), for a count ceil(target − value); 0 once reached."""
    sign = -1 if kpi.direction == "down" else 1
    if kpi.is_rate:
        if math.isnan(numerator) or math.isnan(denominator):
            return None
        short = sign * (target / kpi.multiplier * denominator - numerator)
    else:
        if math.isnan(value):
            return None
        short = sign * (target - value)
    return max(0, math.ceil(short - 1e-9))


def gap_table(
    wide: pd.DataFrame,
    kpi: Kpi,
    counties,
    target: float | Mapping[str, float] | None,
    names: dict[str, str],
    parents: dict[str, str],
    before: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per county: value, counts, rank (1 = best), the change against `before` (the
    compare snapshot's unit_wide; NaN without it), and against the target (one for every county,
    or each county's own: county_targets): `gap` in the unit shown (percentage points for a
    share, the KPI's unit otherwise; gap_pp the same for a share), `reached`, and `needed`, how
    many more members (or units) it takes (_needed). A county at or past its target has reached
    it: gap 0 and needed 0, never a negative gap."""
    counties = list(counties)
    rows = wide.reindex(counties)
    out = pd.DataFrame(
        {
            "adcode": counties,
            "county": [names.get(a, a) for a in counties],
            "city": [names.get(parents.get(a, ""), "") for a in counties],
            "numerator": rows[kpi.numerator].to_numpy() if kpi.numerator in rows else None,
            "denominator": rows[kpi.denominator].to_numpy() if kpi.denominator in rows else None,
        }
    )
    out["value"] = county_values(wide, kpi, counties).to_numpy()
    out["rank"] = out.value.rank(ascending=kpi.direction == "down", method="min").astype("Int64")
    before_values = county_values(before, kpi, counties) if before is not None else None
    out["change"] = county_changes(county_values(wide, kpi, counties), before_values).to_numpy()
    if target is None or isinstance(target, Mapping):
        targets = dict(target or {})
        out["target"] = [targets.get(a) for a in counties]
    else:
        out["target"] = float(target)
    out["target"] = out.target.astype("float64")
    scale = 100 if kpi.is_percent else 1
    sign = -1 if kpi.direction == "down" else 1
    raw = sign * (out.target - out.value) * scale
    known = raw.notna() & (kpi.direction != "none")
    out["reached"] = pd.array([bool(r <= 1e-9) if k else None for r, k in zip(raw, known)], dtype="boolean")
    out["gap"] = raw.where(known).clip(lower=0.0)
    out["gap_pp"] = out.gap if kpi.is_percent else np.nan
    needed = [
        _needed(kpi, t, v, n, d) if k else None
        for t, v, n, d, k in zip(
            out.target, out.value, out.numerator.astype(float), out.denominator.astype(float), known
        )
    ]
    out["needed"] = pd.array(needed, dtype="Int64")
    return out.sort_values(["rank", "adcode"]).reset_index(drop=True)


def trend_by_group(wides: dict[str, pd.DataFrame], kpi: Kpi, groups: dict[str, str]) -> pd.DataFrame:
    """(as_of, group, value) over the snapshots, each group's rate from its summed counts.
    wides: each snapshot's per-unit table (unit_wide), by as_of."""
    frames = []
    for as_of, wide in wides.items():
        values = group_values(wide, kpi, groups)
        frames.append(pd.DataFrame({"as_of": as_of, "group": values.index, "value": values.to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def nef_breakdown(wide: pd.DataFrame, counties) -> pd.DataFrame:
    """Workers, members and membership rate of each new-employment-form group, and all four."""
    rows = wide.reindex(list(counties))
    out = []
    for group in WORKER_GROUPS:
        w = rows.get(f"nef_workers_{group}", pd.Series(dtype=float)).sum()
        m = rows.get(f"nef_members_{group}", pd.Series(dtype=float)).sum()
        out.append({"group": group, "workers": int(w), "members": int(m), "rate": ratio(m, w) if w else None})
    w, m = sum(r["workers"] for r in out), sum(r["members"] for r in out)
    out.append({"group": "all", "workers": w, "members": m, "rate": ratio(m, w) if w else None})
    return pd.DataFrame(out)
