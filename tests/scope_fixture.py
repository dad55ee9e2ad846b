"""The hand-made region of tests/fixtures.py with rows added so that every named query has rows
inside AND outside a planner's scope, for the scope tests only (other tests hand-compute from
fixtures.py's rows, which stay as they are).

fixtures.py leaves 甲一区 (990101) without an event it hosted and without an innovation benefit,
and has no benefit outside 甲市 (990100): a scoped query over those was an empty frame either way.
Added to the 2023-12-31 snapshot (the 2022 one is fixtures.py's unchanged):

- C4 甲一区五小创新 (five_small, 2023, hosted by 990101, 25 participants, no trade);
- C5 甲二县技能赛（电工） (skills_contest, 2023, hosted by 990102, 30 participants, trade 电工);
- R5 C4 一等奖 team 甲一区创新团队 of 甲一区电机厂, 990101, no honour, benefit 8.0;
- R6 C4 二等奖 person 赵六 of 乙一县纺织厂, 990201, 五一劳动奖章, benefit 3.5 (an outsider at
  甲一区's event: their figures are 乙一县's);
- R7 C5 一等奖 person 钱七 of 甲二县电厂, 990102, 劳动模范, no benefit;
- indicator innovation_studios 2023: 990101 3, 990102 2, 990201 5.

So the 2023 snapshot's awards, by the winner's county:
  990101: R1 (C1 焊工, 一等奖, 技术能手), R5 (C4, 一等奖, benefit 8.0)
  990102: R3 (C2, 一等奖, benefit 12.5), R7 (C5 电工, 一等奖, 劳动模范)
  990201: R2 (C1 焊工, 二等奖, 荆楚工匠), R4 (C3 2022, 一等奖), R6 (C4, 二等奖, 五一劳动奖章, benefit 3.5)
and its competitions by host: 990000 C1 (100), 990100 C2 (40), 990101 C4 (25), 990102 C5 (30),
990201 C3 (2022, 10).
"""

from __future__ import annotations

from pathlib import Path

import fixtures
import pandas as pd

from uniondash.data.schema import TABLES
from uniondash.data.snapshot_writer import write_snapshot

AS_OF, COMPARE = "2023-12-31", "2022-12-31"

EXTRA_COMPETITIONS = [
    ("C4", "five_small", "甲一区五小创新", 2023, "county", None, 25, "990101"),
    ("C5", "skills_contest", "甲二县技能赛（电工）", 2023, "county", "电工", 30, "990102"),
]
EXTRA_RESULTS = [
    ("R5", "C4", "一等奖", "team", "甲一区创新团队", "甲一区电机厂", "990101", None, 8.0),
    ("R6", "C4", "二等奖", "person", "赵六", "乙一县纺织厂", "990201", "五一劳动奖章", 3.5),
    ("R7", "C5", "一等奖", "person", "钱七", "甲二县电厂", "990102", "劳动模范", None),
]
EXTRA_INDICATORS = [
    ("innovation_studios", "990101", 2023, 3.0),
    ("innovation_studios", "990102", 2023, 2.0),
    ("innovation_studios", "990201", 2023, 5.0),
]


def _add(frame: pd.DataFrame, table: str, rows: list[tuple]) -> pd.DataFrame:
    return pd.concat([frame, pd.DataFrame(rows, columns=TABLES[table].names)], ignore_index=True)


def scope_tables(year: int) -> dict[str, pd.DataFrame]:
    """One snapshot's tables: fixtures.py's, plus the rows above in 2023."""
    comps, results = fixtures._competitions(year)
    tables = {
        "regions": fixtures._regions(),
        "region_shapes": fixtures._shapes(),
        "coverage": fixtures._coverage(year),
        "nef_membership": fixtures._nef(year),
        "stations": fixtures._stations(year),
        "competitions": comps,
        "competition_results": results,
        "indicators": fixtures._indicators(year),
        "targets": fixtures._targets(),
        "demand_points": fixtures._demand(),
    }
    if year == 2023:
        tables["competitions"] = _add(comps, "competitions", EXTRA_COMPETITIONS)
        tables["competition_results"] = _add(results, "competition_results", EXTRA_RESULTS)
        tables["indicators"] = _add(tables["indicators"], "indicators", EXTRA_INDICATORS)
    return tables


def build_scope_fixture(data_dir: Path) -> Path:
    """Write snapshots 2022-12-31 and 2023-12-31 of the variant; return the snapshots dir."""
    snapshots = Path(data_dir) / "snapshots"
    for year in (2022, 2023):
        write_snapshot(
            snapshots, f"{year}-12-31", scope_tables(year), source="demo", extra={"region_adcode": fixtures.REGION}
        )
    return snapshots


def read_snapshot_tables(snapshots_dir: Path) -> dict[str, dict[str, pd.DataFrame]]:
    """Every table of every snapshot as written (pandas over the parquet files, no DuckDB, no
    named query): {as_of: {table: frame}}, for expected values computed independently."""
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for folder in sorted(Path(snapshots_dir).iterdir()):
        if folder.is_dir() and not folder.name.startswith("."):
            out[folder.name] = {t: pd.read_parquet(folder / f"{t}.parquet") for t in TABLES}
    return out
