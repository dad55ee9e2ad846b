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


def county_targets(kpi: Kpi, targets: pd.DataFrame, counties, region_adcode: str) -> dict[str, Target]:
    """Each county's own target (its latest year); where a county has none, a rate takes the
    region's (a uniform policy, as scope_target does) and a count has none (the region's total
    is no county's)."""
    rows = targets[targets.kpi_code == kpi.code].sort_values("year")
    latest = {a: Target(int(r.year), float(r.target)) for a, r in zip(rows.adcode, rows.itertuples())}
    out = {}
    for a in counties:
        if a in latest:
            out[a] = latest[a]
        elif kpi.is_rate and region_adcode in latest:
            out[a] = latest[region_adcode]
    return out


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
    progress: float | None  # share of the target reached, at most 1 (see reached)
    projected: float | None  # straight-line projection to the end of the target year, within reach
    on_track: bool | None
    reached: bool | None = None  # the value already meets the target
    projected_capped: bool = False  # the line ran past what the KPI can reach (100 %, or below 0)
    missing: str | None = None  # why value is None: "region_only" (a region-wide figure) or "no_data"
    year: int | None = None  # the snapshot's year (for "2021 年无数据")


def ceiling(kpi: Kpi) -> float | None:
    """The most a KPI can reach: a share cannot pass 100 %; counts have no ceiling."""
    return 1.0 if kpi.is_percent else None


def capped(kpi: Kpi, projected: float | None) -> tuple[float | None, bool]:
    """A projection within what the KPI can reach (0 … its ceiling), and whether it was cut."""
    if projected is None:
        return None, False
    top = ceiling(kpi)
    value = max(0.0, projected if top is None else min(top, projected))
    return value, value != projected


def reached(kpi: Kpi, value: float, target: Target) -> bool:
    return value <= target.value if kpi.direction == "down" else value >= target.value


def kpi_result(
    kpi: Kpi,
    trend: dict[str, float | None],
    snapshot: str,
    compare: str | None,
    target: Target | None,
    region_only: bool = False,
) -> KpiResult:
    """A KPI's card for a scope from its values at every snapshot (as_of → value). region_only:
    the KPI exists for the region as a whole only (region_only_codes), so a smaller scope has none."""
    trend = {a: (None if _missing(v) else float(v)) for a, v in dict(trend).items()}
    now = trend.get(snapshot)
    before = trend.get(compare) if compare else None
    history = tuple(v for a, v in trend.items() if a <= snapshot and v is not None)
    change = None if now is None or before is None else now - before
    has_target = target is not None and bool(target.value) and now is not None
    raw = projection({a: v for a, v in trend.items() if a <= snapshot}, target.year) if has_target else None
    projected, was_capped = capped(kpi, raw)
    done = reached(kpi, now, target) if has_target else None
    progress = None
    if has_target:
        share = target.value / now if kpi.direction == "down" and now else now / target.value
        progress = min(1.0, max(0.0, share))
    return KpiResult(
        value=now,
        before=before,
        change=change,
        relative=relative_change(now, before),
        history=history,
        target=target if has_target else None,
        progress=progress,
        projected=projected,
        on_track=True if done else (on_track(kpi, projected, target) if has_target else None),
        reached=done,
        projected_capped=was_capped,
        missing=None if now is not None else ("region_only" if region_only else "no_data"),
        year=int(snapshot[:4]),
    )


def region_only_codes(per_unit: pd.DataFrame, kpis, region_adcode: str) -> frozenset[str]:
    """KPIs whose counts exist for the region's own code only, in every snapshot: region-wide
    figures (a county or city has none, by nature, not for want of data)."""
    where = per_unit.groupby("measure").adcode.agg(lambda a: frozenset(a))
    out = set()
    for kpi in kpis:
        units = set()
        for measure in (kpi.numerator, kpi.denominator):
            if measure:
                units |= set(where.get(measure, frozenset()))
        if units and units <= {region_adcode}:
            out.add(kpi.code)
    return frozenset(out)


@dataclass(frozen=True)
class Behind:
    code: str
    projected: float
    target: Target
    shortfall: float  # (target − projected) / target for "up", the other way for "down"


def behind_target(results: dict[str, KpiResult], kpis, limit: int = 5) -> list[Behind]:
    """KPIs projected to miss their target, the furthest behind (relative to the target) first."""
    by_code = {k.code: k for k in kpis}
    out = []
    for code, r in results.items():
        if r.on_track is False and r.projected is not None and r.target is not None and r.target.value:
            sign = -1 if by_code[code].direction == "down" else 1
            shortfall = sign * (r.target.value - r.projected) / abs(r.target.value)
            out.append(Behind(code, r.projected, r.target, shortfall))
    return sorted(out, key=lambda b: (-b.shortfall, b.code))[:limit]


def unit_wide(per_unit: pd.DataFrame, as_of: str) -> pd.DataFrame:
    """One snapshot's per-unit measures as a table: index adcode, one column per measure."""
    sub = per_unit[per_unit.as_of.astype(str) == as_of]
    return sub.pivot_table(index="adcode", columns="measure", values="value", aggfunc="sum")


def county_values(wide: pd.DataFrame, kpi: Kpi, counties) -> pd.Series:
    """The KPI for each county (index adcode), from that county's own counts (see unit_wide)."""
    return kpi.evaluate(wide.reindex(list(counties)))


MIN_CHANGE = 0.0005  # a rate change under 0.05 percentage points rounds to nothing on screen


@dataclass(frozen=True)
class Change:
    kind: str  # stations_opened | stations_closed | rate_rose | rate_fell | honours
    adcode: str
    magnitude: float  # for ranking: stations, percentage points, winners
    detail: dict


@dataclass(frozen=True)
class Changes:
    """What changed since the compare snapshot: both ways, each ranked, short enough for ten seconds."""

    improved: list[Change]
    declined: list[Change]

    def __bool__(self) -> bool:
        return bool(self.improved or self.declined)


def _rate_changes(rates_now: dict[str, pd.Series], rates_before: dict[str, pd.Series]) -> list[Change]:
    items = []
    for code, now in rates_now.items():
        diff = (now - rates_before[code]).dropna()
        for adcode, d in diff[diff.abs() >= MIN_CHANGE].items():
            kind = "rate_rose" if d > 0 else "rate_fell"
            items.append(Change(kind, adcode, float(abs(d) * 100), {"kpi": code, "pp": float(abs(d) * 100)}))
    return items


def _top(items: list[Change], kinds: tuple[str, ...], n: int) -> list[Change]:
    return sorted((c for c in items if c.kind in kinds), key=lambda c: (-c.magnitude, c.adcode))[:n]


def what_changed(
    station_changes: pd.DataFrame,
    honours: pd.DataFrame,
    rates_now: dict[str, pd.Series],
    rates_before: dict[str, pd.Series],
    counties,
    rates: int = 3,
    stations: int = 2,
    honour_kinds: int = 2,
) -> Changes:
    """Improvements (rates up, stations opened, new honours) and declines (rates down, stations
    closed): the largest `rates` rate changes (percentage points), then the `stations` counties with
    most stations opened or closed, then the `honour_kinds` honours with most new winners."""
    counties = set(counties)
    items = _rate_changes(rates_now, rates_before)
    sc = station_changes[station_changes.adcode.isin(counties)]
    for r in sc.itertuples():
        if r.opened > 0:
            items.append(Change("stations_opened", r.adcode, float(r.opened), {"n": int(r.opened)}))
        if r.closed > 0:
            items.append(Change("stations_closed", r.adcode, float(r.closed), {"n": int(r.closed)}))
    hon = honours[honours.adcode.isin(counties)].groupby("honour", as_index=False).winners.sum()
    for r in hon.sort_values(["winners", "honour"], ascending=[False, True]).itertuples():
        items.append(Change("honours", "", float(r.winners), {"honour": r.honour, "n": int(r.winners)}))
    improved = _top(items, ("rate_rose",), rates) + _top(items, ("stations_opened",), stations)
    improved += _top(items, ("honours",), honour_kinds)
    declined = _top(items, ("rate_fell",), rates) + _top(items, ("stations_closed",), stations)
    return Changes(improved, declined)


def county_changes(now: pd.Series, before: pd.Series | None) -> pd.Series:
    """Each county's change against the compare snapshot, in the KPI's own terms (a share's as a
    fraction: shown in percentage points); NaN where either snapshot has no value, or no compare."""
    if before is None:
        return pd.Series(np.nan, index=now.index, dtype="float64")
    return (now - before.reindex(now.index)).astype("float64")


def best_first(changes: pd.Series, direction: str) -> pd.Series:
    """Changes ordered the best for the KPI first (the largest rise of an "up" KPI, the largest
    fall of a "down" one), ties by code; unknown changes left out."""
    known = changes.dropna()
    known = known.iloc[np.argsort(known.index.to_numpy(), kind="stable")]
    return known.sort_values(ascending=direction == "down", kind="stable")


def ranking_table(
    values: pd.Series,
    direction: str,
    names: dict[str, str],
    n: int = 5,
    changes: pd.Series | None = None,
    by: str = "value",
) -> pd.DataFrame:
    """Best and worst counties (up to n each, never overlapping) with their rank among all (by
    value) and their change against the compare snapshot (NaN without one). by="change" picks and
    orders them by the change instead: the n that improved most, then the n that did worst."""
    values = values.dropna()
    ordered = values.sort_values(ascending=direction == "down", kind="stable")
    rank = pd.Series(range(1, len(ordered) + 1), index=ordered.index)
    changes = county_changes(values, None) if changes is None else changes.reindex(values.index)
    if by == "change":
        ordered = values.reindex(best_first(changes, direction).index)
    n = min(n, len(ordered) // 2)
    parts = [
        ordered.head(n).rename("value").to_frame().assign(group="best"),
        ordered.tail(n).rename("value").to_frame().assign(group="worst"),
    ]
    table = pd.concat(parts).rename_axis("adcode").reset_index()
    table["name"] = table.adcode.map(names)
    table["rank"] = table.adcode.map(rank)
    table["change"] = table.adcode.map(changes).astype("float64")
    return table
