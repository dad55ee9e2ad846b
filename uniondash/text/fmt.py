"""Numbers the Chinese way (万, 亿) and the English way (K, M, B), percentages, deltas.

A value that rounds to zero at the shown precision is printed without a sign: never "-0.0"."""

from __future__ import annotations

import math


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def _unsigned_zero(text: str) -> str:
    """'-0', '-0.0', '-0.00%' → the same without the sign (a negative that rounds to nothing)."""
    if text.startswith("-") and not any(ch in "123456789" for ch in text):
        return text[1:]
    return text


def number(value: float | None, lang: str = "zh", decimals: int | None = None) -> str:
    """8246 → 8,246; 2402385 → 240.2万 (zh) or 2.40M (en); 1.2e8 → 1.2亿."""
    if _missing(value):
        return "—"
    sign = "-" if value < 0 else ""
    v = abs(float(value))
    if lang == "en":
        for size, suffix in ((1e9, "B"), (1e6, "M")):
            if v >= size:
                return f"{sign}{_trim(f'{v / size:.2f}')}{suffix}"
        d = decimals if decimals is not None else (0 if v >= 100 or v == int(v) else 1)
        return _unsigned_zero(f"{sign}{v:,.{d}f}")
    if v >= 1e8:
        return f"{sign}{_trim(f'{v / 1e8:.2f}')}亿"
    if v >= 1e5:
        return f"{sign}{_trim(f'{v / 1e4:.1f}')}万"
    d = decimals if decimals is not None else (0 if v >= 100 or v == int(v) else 1)
    return _unsigned_zero(f"{sign}{v:,.{d}f}")


def percent(value: float | None, decimals: int = 1) -> str:
    if _missing(value):
        return "—"
    return _unsigned_zero(f"{value * 100:.{decimals}f}%")


def kpi_value(value: float | None, is_percent: bool, lang: str) -> str:
    return percent(value) if is_percent else number(value, lang)


def rounds_to_zero(value: float | None, is_percent: bool) -> bool:
    """True when a change would print as 0 at the precision shown (0.1 pp for rates)."""
    if _missing(value):
        return False
    if is_percent:
        return round(abs(value) * 100, 1) == 0
    text = number(abs(value))
    return not any(ch in "123456789" for ch in text)


def delta(value: float | None, is_percent: bool, lang: str) -> str:
    """A signed change: percentage points for rates, counts otherwise; 持平 / unchanged when it
    rounds to nothing."""
    if _missing(value):
        return "—"
    if rounds_to_zero(value, is_percent):
        return "持平" if lang == "zh" else "unchanged"
    if is_percent:
        pp = "个百分点" if lang == "zh" else " pp"
        return f"{value * 100:+.1f}{pp}"
    text = number(value, lang)
    return text if text.startswith("-") else "+" + text


def points(value: float | None, lang: str, decimals: int = 1) -> str:
    """A difference of two rates, unsigned, in percentage points: 0.092 → 9.2 个百分点 / 9.2 pp."""
    if _missing(value):
        return "—"
    text = f"{abs(value) * 100:.{decimals}f}"
    return f"{text} 个百分点" if lang == "zh" else f"{text} pp"


def decimal(value: float | None, decimals: int = 1) -> str:
    """A plain number with fixed decimals (a rate per 10,000, say); — when unknown."""
    if _missing(value):
        return "—"
    return _unsigned_zero(f"{value:,.{decimals}f}")
