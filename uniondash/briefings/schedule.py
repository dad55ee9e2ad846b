"""When a briefing is due: its cron expression (5 fields, cronsim) in the region's time zone.

Catch-up: only the latest slot of the last CATCH_UP is ever due, so a scheduler that was down
for three slots sends one briefing, not three, and nothing older than a day."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from cronsim import CronSim

from uniondash.clock import REGION_TZ

CATCH_UP = dt.timedelta(hours=24)


def latest_slot(schedule: str, now: dt.datetime, tz: str = REGION_TZ) -> dt.datetime | None:
    """The latest time at or before `now` that the schedule names, read in the zone tz (the
    region's), if it lies within CATCH_UP; else None."""
    now = now.astimezone(ZoneInfo(tz))
    # cronsim's reverse iteration starts strictly before its start: one second past now, whole
    # seconds (a start with microseconds would be counted itself), so a slot at now is found.
    start = now.replace(microsecond=0) + dt.timedelta(seconds=1)
    slot = next(CronSim(schedule, start, reverse=True))
    if slot > now or now - slot >= CATCH_UP:
        return None
    return slot


def next_slot(schedule: str, now: dt.datetime, tz: str = REGION_TZ) -> dt.datetime:
    """The first slot after now, in the zone tz (for `briefings list` and the subscriptions page)."""
    return next(CronSim(schedule, now.astimezone(ZoneInfo(tz))))
