"""The KPI catalogue (uniondash/kpis.toml) and how a KPI's value is formed from measures."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from uniondash.metrics.rates import evaluate
from uniondash.text.i18n import whole

CATALOGUE_FILE = Path(__file__).with_name("kpis.toml")
DIRECTIONS = ("up", "down", "none")


@dataclass(frozen=True)
class Kpi:
    code: str
    section: str
    name_zh: str
    name_en: str
    unit_zh: str
    unit_en: str
    direction: str
    numerator: str
    definition_zh: str
    definition_en: str
    denominator: str | None = None
    multiplier: float = 1.0
    report_figure: str | None = None
    headline: bool = False

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @property
    def is_percent(self) -> bool:
        return self.unit_zh == "%"

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh

    def unit(self, lang: str) -> str:
        return self.unit_en if lang == "en" else self.unit_zh

    def definition(self, lang: str) -> str:
        """In the region's own words (（全省口径）, (Province-wide))."""
        return whole(self.definition_en if lang == "en" else self.definition_zh, lang)

    def evaluate(self, sums: Mapping | pd.DataFrame) -> float | pd.Series:
        """The KPI from summed counts (uniondash.metrics.rates): a scope's sums give a number, a
        table of units or groups (one column per measure) a Series; NaN where unknown."""
        return evaluate(sums, self.numerator, self.denominator, self.multiplier)

    def value_from(self, measures: dict[str, float]) -> float | None:
        """The KPI from a scope's measure sums; None when a measure is absent or the base is 0."""
        value = self.evaluate(measures)
        return None if math.isnan(value) else value


@dataclass(frozen=True)
class Catalogue:
    sections: dict[str, dict[str, str]]
    kpis: tuple[Kpi, ...]

    def by_code(self, code: str) -> Kpi:
        for k in self.kpis:
            if k.code == code:
                return k
        raise KeyError(code)

    def in_section(self, section: str) -> list[Kpi]:
        return [k for k in self.kpis if k.section == section]

    def section_name(self, section: str, lang: str) -> str:
        return self.sections[section]["en" if lang == "en" else "zh"]


@lru_cache(maxsize=1)
def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    kpis = tuple(Kpi(**entry) for entry in raw["kpi"])
    codes = [k.code for k in kpis]
    if len(set(codes)) != len(codes):
        raise ValueError("duplicate KPI codes in the catalogue")
    for k in kpis:
        if k.section not in raw["sections"] or k.direction not in DIRECTIONS:
            raise ValueError(f"KPI {k.code}: unknown section or direction")
    return Catalogue(raw["sections"], kpis)


def compute_kpis(measures: pd.DataFrame, catalogue: Catalogue) -> pd.DataFrame:
    """One row per snapshot and KPI from kpi_measures rows (as_of, measure, value)."""
    rows = []
    for as_of, group in measures.groupby("as_of", sort=True):
        values = dict(zip(group.measure, group.value))
        for k in catalogue.kpis:
            rows.append(
                {"as_of": pd.Timestamp(as_of).date().isoformat(), "code": k.code, "value": k.value_from(values)}
            )
    return pd.DataFrame(rows, columns=["as_of", "code", "value"])
