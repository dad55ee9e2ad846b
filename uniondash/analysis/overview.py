"""The overview's arithmetic, free of Streamlit: targets for a scope, projections, county values,
and the "what changed" list. Pages draw; this module decides."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from uniondash.metrics.kpis import Kpi
from uniondash.metrics.scope import Scope


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


@dataclass(frozen=True)
class Target:
    year: int
    value: float


def scope_target(kpi: Kpi, targets: pd.DataFrame, scope: Scope) -> Target | None:
    """The target for this scope: the region's or the county's own row; for several counties,
    the sum of their targets for counts, and the region's (uniform policy) target for rates."""
    rows = targets[targets.kpi_code == kpi.code]
    if rows.empty:
        return None
    if scope.is_region or kpi.is_rate:
        own = scope.counties[0] if scope.is_single_county else scope.region_adcode
        picked = rows[rows.adcode == own]
        if picked.empty and scope.is_single_county:
            picked = rows[rows.adcode == scope.region_adcode]
        if picked.empty:
            return None
        last = picked.sort_values("year").iloc[-1]
        return Target(int(last.year), float(last.target))
    county_rows = rows[rows.adcode.isin(scope.counties)]
    if county_rows.empty or set(county_rows.adcode) != set(scope.counties):
        return None  # a partial sum would understate the target
    year = int(county_rows.year.max())
    return Target(year, float(county_rows[county_rows.year == year].target.sum()))


def projection(trend: dict[str, float | None], target_year: int) -> float | None:
    """Straight-line (least squares) projection of the trend to the end of the target year."""
    points = [
        (int(a[:4]) + (int(a[5:7]) - 1) / 12 + int(a[8:10]) / 365, v) for a, v in trend.items() if not _missing(v)
    ]
    if len(points) < 2:
        return None
    x, y = np.array(points, dtype=float).T
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope * (target_year + 1.0) + intercept)


def on_track(kpi: Kpi, projected: float | None, target: Target | None) -> bool | None:
    if projected is None or target is None or kpi.direction == "none":
        return None
    return projected >= target.value if kpi.direction == "up" else projected <= target.value


def relative_change(now: float | None, before: float | None) -> float | None:
    if _missing(now) or _missing(before) or before == 0:
        return None
    return (now - before) / abs(before)


@dataclass(frozen=True)
class KpiResult:
    """Everything a KPI card shows, computed: the card only draws it."""

    value: float | None  # at the snapshot; None when the scope has no data for it
    before: float | None  # at the compare snapshot
    change: float | None  # value − before
    relative: float | None  # change / |before|
    history: tuple[float, ...]  # known values up to the snapshot, oldest first (the sparkline)
    target: Target | None
    progress: float | None  # value / target
    projected: float | None  # straight-line projection to the end of the target year
    on_track: bool | None


def kpi_result(
    kpi: Kpi, trend: dict[str, float | None], snapshot: str, compare: str | None, target: Target | None
) -> KpiResult:
    """A KPI's card for a scope from its values at every snapshot (as_of → value)."""
    trend = {a: (None if _missing(v) else float(v)) for a, v in dict(trend).items()}
    now = trend.get(snapshot)
    before = trend.get(compare) if compare else None
    history = tuple(v for a, v in trend.items() if a <= snapshot and v is not None)
    change = None if now is None or before is None else now - before
    has_target = target is not None and bool(target.value) and now is not None
    projected = projection({a: v for a, v in trend.items() if a <= snapshot}, target.year) if has_target else None
    return KpiResult(
        value=now,
        before=before,
        change=change,
        relative=relative_change(now, before),
        history=history,
        target=target if has_target else None,
        progress=now / target.value if has_target else None,
        projected=projected,
        on_track=on_track(kpi, projected, target) if has_target else None,
    )


def unit_wide(per_unit: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """One snapshot's per-unit measures as a table: index adcode, one column per measure."""
    sub = per_unit[per_unit.as_of.astype(str) == as_of]
    return sub.pivot_table(index="adcode", columns="measure", values="value", aggfunc="sum")


def county_values(wide: pd.DataFrame, kpi: Kpi, counties) -> pd.Series:
    """The KPI for each county (index adcode), from that county's own counts (see unit_wide)."""
    return kpi.evaluate(wide.reindex(list(counties)))


MIN_FALL = 0.0005  # a fall under 0.05 percentage points rounds to nothing on screen


@dataclass(frozen=True)
class Change:
    kind: str  # stations_opened | stations_closed | rate_fell | honours
    adcode: str
    magnitude: float  # for ranking: stations, percentage points ×100, winners
    detail: dict


def what_changed(
    station_changes: pd.DataFrame,
    honours: pd.DataFrame,
    rates_now: dict[str, pd.Series],
    rates_before: dict[str, pd.Series],
    counties,
    limit: int = 8,
) -> list[Change]:
    """A short list a leader reads in ten seconds: falls first, then stations, then honours;
    each kind ranked by size (stations, percentage points, winners)."""
    counties = set(counties)
    items: list[Change] = []
    sc = station_changes[station_changes.adcode.isin(counties)]
    for r in sc.nlargest(3, "opened").itertuples():
        if r.opened > 0:
            items.append(Change("stations_opened", r.adcode, float(r.opened), {"n": int(r.opened)}))
    for r in sc.nlargest(2, "closed").itertuples():
        if r.closed > 0:
            items.append(Change("stations_closed", r.adcode, float(r.closed), {"n": int(r.closed)}))
    for code, now in rates_now.items():
        fall = (now - rates_before[code]).dropna()
        for adcode, d in fall[fall <= -MIN_FALL].sort_values().head(3).items():
            items.append(Change("rate_fell", adcode, float(-d * 100), {"kpi": code, "pp": float(-d * 100)}))
    hon = honours[honours.adcode.isin(counties)].groupby("honour", as_index=False).winners.sum()
    for r in hon.sort_values("winners", ascending=False).itertuples():
        items.append(Change("honours", "", float(r.winners), {"honour": r.honour, "n": int(r.winners)}))
    order = {"rate_fell": 0, "stations_closed": 1, "stations_opened": 2, "honours": 3}
    return sorted(items, key=lambda c: (order[c.kind], -c.magnitude))[:limit]


def ranking_table(values: pd.Series, direction: str, names: dict[str, str], n: int = 5) -> pd.DataFrame:
    """Best and worst counties (up to n each, never overlapping) with their rank among all."""
    ordered = values.dropna().sort_values(ascending=direction == "down", kind="stable")
    n = min(n, len(ordered) // 2)
    rank = pd.Series(range(1, len(ordered) + 1), index=ordered.index)
    parts = [
        ordered.head(n).rename("value").to_frame().assign(group="best"),
        ordered.tail(n).rename("value").to_frame().assign(group="worst"),
    ]
    table = pd.concat(parts).rename_axis("adcode").reset_index()
    table["name"] = table.adcode.map(names)
    table["rank"] = table.adcode.map(rank)
    return table
