"""Numbers the Chinese way (万, 亿) and the English way (K, M, B), percentages, deltas."""

from __future__ import annotations

import math


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def number(value: float | None, lang: str = "zh", decimals: int | None = None) -> str:
    """8246 → 8,246; 2402385 → 240.2万 (zh) or 2.40M (en); 1.2e8 → 1.2亿."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    if lang == "en":
        for size, suffix in ((1e9, "B"), (1e6, "M")):
            if v >= size:
                return f"{sign}{_trim(f'{v / size:.2f}')}{suffix}"
        return f"{sign}{v:,.{decimals if decimals is not None else (0 if v >= 100 or v == int(v) else 1)}f}"
    if v >= 1e8:
        return f"{sign}{_trim(f'{v / 1e8:.2f}')}亿"
    if v >= 1e5:
        return f"{sign}{_trim(f'{v / 1e4:.1f}')}万"
    d = decimals if decimals is not None else (0 if v >= 100 or v == int(v) else 1)
    return f"{sign}{v:,.{d}f}"


def percent(value: float | None, decimals: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:.{decimals}f}%"


def kpi_value(value: float | None, is_percent: bool, lang: str) -> str:
    return percent(value) if is_percent else number(value, lang)


def delta(value: float | None, is_percent: bool, lang: str) -> str:
    """A signed change: percentage points for rates, counts otherwise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if is_percent:
        pp = "个百分点" if lang == "zh" else " pp"
        return f"{value * 100:+.1f}{pp}"
    text = number(value, lang)
    return text if text.startswith("-") else "+" + text


def decimal(value: float | None, decimals: int = 1) -> str:
    """A plain number with fixed decimals (a rate per 10,000, say); — when unknown."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{decimals}f}"
