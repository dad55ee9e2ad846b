"""The one place a rate is formed from counts: numerator / denominator × multiplier, the counts
summed for the scope first (never a mean of rates). Scalars or aligned pandas Series alike."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

Counts = float | int | pd.Series | None


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def ratio(numerator: Counts, denominator: Counts = None, multiplier: float = 1.0, *, per: bool = True) -> Counts:
    """numerator / denominator × multiplier (with per=False, a count: numerator × multiplier).
    A zero or missing base gives NaN: a rate of nothing is unknown, not zero."""
    if isinstance(numerator, pd.Series) or isinstance(denominator, pd.Series):
        num = pd.Series(numerator, dtype="float64") if not isinstance(numerator, pd.Series) else numerator
        num = num.astype("float64")
        if not per:
            return num * multiplier
        den = pd.Series(denominator, dtype="float64") if not isinstance(denominator, pd.Series) else denominator
        return num / den.astype("float64").where(lambda d: d != 0) * multiplier
    if _missing(numerator):
        return float("nan")
    if not per:
        return float(numerator) * multiplier
    if _missing(denominator) or denominator == 0:
        return float("nan")
    return float(numerator) / float(denominator) * multiplier


def evaluate(
    sums: Mapping | pd.DataFrame, numerator: str, denominator: str | None, multiplier: float = 1.0
) -> float | pd.Series:
    """A measure ratio from summed counts by name: a dict of a scope's sums gives a number, a table
    with one column per measure (one row per unit or group) gives a Series. A measure absent from
    the sums gives NaN (so a misspelt name shows as missing data; the catalogue check catches it)."""
    num = sums.get(numerator)
    den = sums.get(denominator) if denominator else None
    if num is None or (denominator and den is None):
        if isinstance(sums, pd.DataFrame):
            return pd.Series(float("nan"), index=sums.index, dtype="float64")
        return float("nan")
    return ratio(num, den, multiplier, per=denominator is not None)
