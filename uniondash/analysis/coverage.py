"""Coverage and membership arithmetic: rates for groups of counties (from summed counts), the
gap to target with the members still needed, trends and the new-employment-form breakdown."""

from __future__ import annotations

import math

import pandas as pd

from uniondash.analysis.overview import county_values
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


def gap_table(
    wide: pd.DataFrame, kpi: Kpi, counties, target: float | None, names: dict[str, str], parents: dict[str, str]
) -> pd.DataFrame:
    """One row per county: rate, counts, rank (1 = best), gap to target and how many more
    members (or units) it takes to reach it: ceil(target × denominator − numerator)."""
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
    out["target"] = target
    if target is not None:
        out["gap_pp"] = (target - out.value) * 100
        needed = [
            max(0, math.ceil(target * d - n - 1e-9)) if not (math.isnan(d) or math.isnan(n)) else None
            for n, d in zip(out.numerator.astype(float), out.denominator.astype(float))
        ]
        out["needed"] = pd.array(needed, dtype="Int64")
    else:
        out["gap_pp"] = None
        out["needed"] = pd.array([None] * len(out), dtype="Int64")
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
