"""A scope's measures: sums of per-unit measures (queries/unit_measures.sql) over its units.

Counts add; rates are formed afterwards from the sums (uniondash.metrics.kpis), never averaged. The
one measure that is not a sum, "levels fully covered by mediation", is derived here from the
per-level unit and gap counts.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

LEVELS = ("city", "county")


def scope_measures(unit_measures: pd.DataFrame, units: Iterable[str]) -> pd.DataFrame:
    """(as_of, measure, value) for the scope whose units (region, cities, counties) are given."""
    sub = unit_measures[unit_measures.adcode.isin(set(units))]
    sums = sub.groupby(["as_of", "measure"], as_index=False, sort=True).value.sum()
    wide = sums.pivot(index="as_of", columns="measure", values="value")
    derived = []
    for as_of, row in wide.iterrows():
        full = 0
        for level in LEVELS:
            n_units = row.get(f"units_{level}", 0)
            gaps = row.get(f"mediation_gaps_{level}", 0)
            gaps = 0 if pd.isna(gaps) else gaps
            full += int(bool(n_units and not pd.isna(n_units)) and gaps == 0)
        derived.append({"as_of": as_of, "measure": "mediation_levels_full", "value": float(full)})
    return pd.concat([sums, pd.DataFrame(derived, columns=["as_of", "measure", "value"])], ignore_index=True)
