"""Region-wide comparisons a planner may see: named exceptions to the query layer's scope.

Each reads the whole region but hands back only the planner's own county's standing, never
another county's figure. They are listed by name in uniondash.access.scope.SCOPE_EXCEPTIONS."""

from __future__ import annotations

import dataclasses

from uniondash.analysis.profile import ProfileRow


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
