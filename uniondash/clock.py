"""The one clock: everything that asks for "now" asks here (idle expiry, overdue rounds, schedules,
an as-of date in the future, audit times, file stamps).

`UNIONDASH_NOW` (an ISO time; without an offset it is read in the region's zone, Asia/Shanghai
unless given) fixes it, so tests and demonstrations move time instead of sleeping. It is read at
every call: a test may set it, advance it and unset it in one process."""

from __future__ import annotations

import datetime as dt
import os
from zoneinfo import ZoneInfo

from uniondash.errors import UserFacingError

ENV = "UNIONDASH_NOW"
REGION_TZ = "Asia/Shanghai"


class ClockError(UserFacingError):
    """UNIONDASH_NOW holds something that is not an ISO time."""


def now(tz: str = REGION_TZ) -> dt.datetime:
    """The current time, aware, in the zone tz (the region's by default)."""
    zone = ZoneInfo(tz)
    fixed = os.environ.get(ENV, "").strip()
    if not fixed:
        return dt.datetime.now(zone)
    try:
        when = dt.datetime.fromisoformat(fixed)
    except ValueError:
        raise ClockError(
            f"环境变量 {ENV}={fixed!r} 不是 ISO 时间（例如 2026-12-06T09:30:00+08:00）。"
            f" / {ENV}={fixed!r} is not an ISO time (e.g. 2026-12-06T09:30:00+08:00)."
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)
    return when.astimezone(zone)


def timestamp() -> float:
    """Seconds since the epoch (for stores that keep times as numbers)."""
    return now().timestamp()


def today(tz: str = REGION_TZ) -> dt.date:
    """The date in the zone tz (the region's by default): "an as-of in the future" is after this."""
    return now(tz).date()


def utc_now() -> dt.datetime:
    """The same instant in UTC (audit lines, manifests' created_at)."""
    return now().astimezone(dt.UTC)
