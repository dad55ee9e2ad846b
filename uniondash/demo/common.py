"""Shared pieces of the demo generator: years, seeded generators, exact apportionment."""

from __future__ import annotations

import numpy as np

YEARS = (2019, 2020, 2021, 2022, 2023)
AS_OF = tuple(f"{y}-12-31" for y in YEARS)

# Urbanity by unit kind: urban districts are dense, mountain and forest units sparse.
URBANITY = {"core": 1.0, "区": 0.7, "县级市": 0.45, "县": 0.3, "自治县": 0.15, "林区": 0.2}


def rng_for(seed: int, part: str) -> np.random.Generator:
    """An independent generator per part, so changing one part never shifts another's numbers."""
    return np.random.default_rng([seed, sum(ord(c) * 31**i for i, c in enumerate(part)) % (2**32)])


def apportion(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total in proportion to weights (largest remainder): sums exactly to total."""
    weights = np.asarray(weights, dtype=float)
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    quotas = weights / weights.sum() * total
    base = np.floor(quotas).astype(np.int64)
    short = int(total - base.sum())
    order = np.argsort(-(quotas - base), kind="stable")
    base[order[:short]] += 1
    return base


def progress_curve(pace: np.ndarray) -> np.ndarray:
    """Share of a five-year gain reached in each year (rows: units, columns: years), 0 → 1."""
    k = np.arange(len(YEARS)) / (len(YEARS) - 1)
    return 1.0 - (1.0 - k[None, :]) ** pace[:, None]
