"""The county profile's arithmetic: every KPI with county data, its rank, the city and region
figures beside it, its trend and target; and a summary in plain sentences from the numbers."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import pandas as pd

from uniondash.analysis.overview import KpiResult, county_values, kpi_result, scope_target, unit_wide
from uniondash.metrics.kpis import Catalogue
from uniondash.metrics.measures import scope_measures
from uniondash.metrics.scope import Scope
from uniondash.text import fmt
from uniondash.text.i18n import t


@dataclass(frozen=True)
class ProfileRow:
    code: str
    value: float
    rank: int | None  # 1 = best among the region's counties (None for direction "none")
    n: int
    city: float | None
    region: float | None
    trend: tuple[float | None, ...]
    result: KpiResult  # the same card the overview draws for this county alone: target, progress, verdict

    @property
    def target(self) -> float | None:
        return self.result.target.value if self.result.target is not None else None


def _value(measures: pd.DataFrame, kpi) -> float | None:
    return kpi.value_from(dict(zip(measures.measure, measures.value)))


def profile_rows(
    per_unit: pd.DataFrame,
    catalogue: Catalogue,
    regions: pd.DataFrame,
    county: str,
    as_of: str,
    as_ofs,
    targets: pd.DataFrame,
    compare: str | None = None,
) -> list[ProfileRow]:
    """Every KPI the county has a value for; each row's result carries the county's own change
    against `compare` (the sidebar's 对比快照), as the overview's card does for a scope."""
    counties = list(regions.loc[regions.level == "county", "adcode"])
    city = regions.set_index(["adcode", "level"]).loc[(county, "county"), "parent_adcode"]
    city_units = [city] + list(regions.loc[(regions.level == "county") & (regions.parent_adcode == city), "adcode"])
    snap = per_unit[per_unit.as_of.astype(str) == as_of]
    city_m = scope_measures(snap, city_units)
    region_m = scope_measures(snap, regions.adcode)
    wides = {a: unit_wide(per_unit, a) for a in as_ofs}
    parents = dict(zip(regions.adcode, regions.parent_adcode))
    region_adcode = parents.get(city) or city  # the city's parent, or the city itself when it is the region
    own_scope = Scope(region_adcode, (), (county,), (county,), (county,))
    rows = []
    for kpi in catalogue.kpis:
        all_counties = county_values(wides[as_of], kpi, counties)
        value = all_counties.get(county)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        known = all_counties.dropna()
        rank = None
        if kpi.direction != "none":
            rank = int(known.rank(ascending=kpi.direction == "down", method="min")[county])
        known_as_ofs = [a for a in as_ofs if a <= as_of]
        trend = tuple(county_values(wides[a], kpi, [county]).iloc[0] for a in known_as_ofs)
        target = scope_target(kpi, targets, own_scope)
        result = kpi_result(kpi, dict(zip(known_as_ofs, trend)), as_of, compare, target)
        rows.append(
            ProfileRow(
                kpi.code,
                float(value),
                rank,
                len(known),
                _value(city_m, kpi),
                _value(region_m, kpi),
                trend,
                result,
            )
        )
    return rows


def summary(rows: list[ProfileRow], catalogue: Catalogue, county_name: str, lang: str) -> tuple[list[str], list[str]]:
    """Strengths (top quarter of counties) and gaps (bottom quarter, or short of target). A gap
    names each KPI once: short of target and in the bottom quarter, the target sentence is kept
    (it says how far there is to go, in the KPI's unit; the rank stays in the table beside it).

    The order, and so which five are kept, is the same in every language: the furthest from target
    first (its shortfall relative to the target), then the lowest ranks; the best ranks first among
    strengths; ties in catalogue order (never by the sentence's text)."""
    strengths, gaps = [], []
    for i, r in enumerate(rows):
        kpi = catalogue.by_code(r.code)
        if r.rank is None:
            continue
        value = fmt.kpi_value(r.value, kpi.is_percent, lang)
        fields = dict(county=county_name, kpi=kpi.name(lang), value=value, rank=r.rank, n=r.n)
        behind = r.target is not None and r.result.reached is False
        if r.rank <= max(1, r.n // 4):
            strengths.append((r.rank / r.n, i, t("profile.strength", lang, **fields)))
        elif r.rank > r.n - max(1, r.n // 4) and not behind:
            gaps.append((1 - r.rank / r.n, i, t("profile.weakness", lang, **fields)))
        if behind:
            # a difference of rates is in percentage points ("还差 9.2 个百分点"), of counts a count
            gap = r.target - r.value
            short = fmt.points(gap, lang) if kpi.is_percent else f"{fmt.number(abs(gap), lang)} {kpi.unit(lang)}"
            target = fmt.kpi_value(r.target, kpi.is_percent, lang)
            shortfall = abs(gap) / abs(r.target) if r.target else 0.0
            gaps.append((-shortfall, i, t("profile.behind_target", lang, **fields, target=target, short=short)))
    return [s for *_, s in sorted(strengths)][:5], [g for *_, g in sorted(gaps)][:5]


def change_header(compare: str | None, lang: str) -> str:
    return t("rankings.col.change", lang, compare=compare) if compare else t("rankings.col.change_none", lang)


def _good_change(r: ProfileRow, catalogue: Catalogue) -> float | None:
    """The row's change relative to where it stood, signed so that better is larger."""
    direction = catalogue.by_code(r.code).direction
    if r.result.relative is None or direction == "none":
        return None
    return r.result.relative if direction == "up" else -r.result.relative


def by_change(rows: list[ProfileRow], catalogue: Catalogue) -> list[ProfileRow]:
    """The rows ordered by their change against the compare snapshot, the most improved first
    (relative to the value before, signed by the KPI's direction: rates and counts compare),
    then the rest (no direction, no compare value) in catalogue order."""
    known = [r for r in rows if _good_change(r, catalogue) is not None]
    rest = [r for r in rows if _good_change(r, catalogue) is None]
    return sorted(known, key=lambda r: -_good_change(r, catalogue)) + rest


def profile_table(rows: list[ProfileRow], catalogue: Catalogue, lang: str, compare: str | None = None) -> pd.DataFrame:
    """Every indicator as shown on screen (and printed): values formatted with their units, and
    the change against the compare snapshot (percentage points for a share)."""

    def shown(value: float | None, kpi) -> str:
        return fmt.kpi_value(value, kpi.is_percent, lang) if value is not None else "—"

    out = []
    for r in rows:
        kpi = catalogue.by_code(r.code)
        out.append(
            {
                t("col.kpi", lang): kpi.name(lang),
                t("col.value", lang): shown(r.value, kpi),
                change_header(compare, lang): fmt.delta(r.result.change, kpi.is_percent, lang),
                t("col.rank_of", lang): f"{r.rank} / {r.n}" if r.rank else "—",
                t("col.city_value", lang): shown(r.city, kpi),
                t("col.region_value", lang): shown(r.region, kpi),
                t("col.target", lang): shown(r.target, kpi),
                t("col.progress", lang): f"{r.result.progress * 100:.0f}%" if r.result.progress is not None else "—",
                t("col.verdict", lang): verdict_text(r.result, lang),
            }
        )
    return pd.DataFrame(out)


def verdict_text(result: KpiResult, lang: str) -> str:
    """The target verdict in words, as the overview's card and the presentation give it."""
    if result.reached:
        return t("profile.reached", lang)
    if result.on_track is None:
        return "—"
    return t("present.on_track" if result.on_track else "present.behind", lang)


def profile_export(
    rows: list[ProfileRow], catalogue: Catalogue, lang: str, compare: str | None = None
) -> tuple[pd.DataFrame, dict]:
    """Every indicator for an export: numbers as numbers (a share as a fraction under a percent
    format, row by row), the unit in a column of its own, the change against the compare snapshot
    as a number (a share's in percentage points, its unit beside it), the rank and how many were
    ranked."""
    kpis = [catalogue.by_code(r.code) for r in rows]
    kinds = ["percent" if k.is_percent else "number" for k in kpis]
    changes = [
        None if r.result.change is None else r.result.change * (100 if k.is_percent else 1) for r, k in zip(rows, kpis)
    ]
    change_col, change_unit = change_header(compare, lang), t("rankings.col.change_unit", lang)
    frame = pd.DataFrame(
        {
            t("col.kpi", lang): [k.name(lang) for k in kpis],
            t("col.unit", lang): [k.unit(lang) for k in kpis],
            t("col.value", lang): [r.value for r in rows],
            change_col: pd.array(changes, dtype="Float64"),
            change_unit: [t("rankings.pp_header", lang) if k.is_percent else k.unit(lang) for k in kpis],
            t("col.rank_of", lang): pd.array([r.rank for r in rows], dtype="Int64"),
            t("col.rank_n", lang): [r.n for r in rows],
            t("col.city_value", lang): [r.city for r in rows],
            t("col.region_value", lang): [r.region for r in rows],
            t("col.target", lang): [r.target for r in rows],
            t("col.progress", lang): [r.result.progress for r in rows],
            t("col.verdict", lang): [verdict_text(r.result, lang) for r in rows],
        }
    )
    formats = {t(c, lang): kinds for c in ("col.value", "col.city_value", "col.region_value", "col.target")}
    formats |= {t("col.rank_of", lang): "int", t("col.rank_n", lang): "int", t("col.progress", lang): "percent"}
    formats[change_col] = ["decimal1" if k.is_percent else "number" for k in kpis]
    return frame, formats


# A planner's view of the region-wide comparison county_rank (uniondash.access.data_scope.REGION_WIDE_READS):
# only the county's own standing leaves these functions, never another county's figure.
def own_ranks(rows_all: list[ProfileRow]) -> dict[str, tuple[int | None, int]]:
    """county_rank: per KPI, the county's rank among all the region's counties and their number."""
    return {r.code: (r.rank, r.n) for r in rows_all}


def scoped_profile_rows(
    rows: list[ProfileRow], ranks: dict[str, tuple[int | None, int]], city_visible: bool
) -> list[ProfileRow]:
    """A planner's profile rows: the rank among all counties from the exception; the city figure
    only when the planner reads the whole city; no region figure (it sums counties they may not read)."""
    out = []
    for r in rows:
        rank, n = ranks.get(r.code, (None, r.n))
        out.append(dataclasses.replace(r, rank=rank, n=n, city=r.city if city_visible else None, region=None))
    return out
