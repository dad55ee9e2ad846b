"""The demo generator: five annual snapshots (2019-12-31 … 2023-12-31) for the configured region.

Deterministic for a seed: the same seed, scale and region give byte-identical parquet files.
The latest snapshot reproduces every figure of the source report (shared/report_figures.csv).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from uniondash.data.geography import BOUNDARY_SOURCE, COORDINATE_SYSTEM, load_geography
from uniondash.data.snapshot_writer import cleanup_stale, fault_point, swap_in, tmp_dir, write_snapshot
from uniondash.data.snapshots import list_snapshots
from uniondash.demo.common import AS_OF, YEARS
from uniondash.demo.contests import build_competitions
from uniondash.demo.indicators import build_indicators, build_targets
from uniondash.demo.people import county_profiles, coverage_by_year, nef_by_year, regions_by_year
from uniondash.demo.stations import demand_points, station_history, stations_snapshot
from uniondash.errors import SnapshotError

DEFAULT_SEED = 20231231


def clear_demo_snapshots(snapshots_dir: Path, keep: tuple[str, ...] = ()) -> None:
    """Remove demo snapshots only (but those of the dates in `keep`); imported ones are never touched."""
    for snap in list_snapshots(snapshots_dir, verify=False, data_checks=False):
        if snap.manifest.get("source") == "demo" and snap.as_of not in keep:
            shutil.rmtree(snap.path)


def _refuse_imported_dates(existing) -> None:
    taken = [s.as_of for s in existing if s.as_of in AS_OF and s.manifest.get("source") != "demo"]
    if taken:
        raise SnapshotError(
            f"快照 {', '.join(taken)} 不是演示数据，--force 不会替换它们。/ {taken} are not demo snapshots;"
            " --force replaces demo snapshots only."
        )


def build_demo(
    data_dir: Path,
    region: str,
    seed: int = DEFAULT_SEED,
    scale: int = 1,
    force: bool = False,
    show_progress: bool = True,
    with_round: bool = True,
) -> list[Path]:
    snapshots_dir = Path(data_dir) / "snapshots"
    cleanup_stale(snapshots_dir)
    existing = list_snapshots(snapshots_dir, verify=False, data_checks=False)
    if existing and not force:
        raise SnapshotError(
            f"{snapshots_dir} 已有 {len(existing)} 个快照；快照不可修改。如需重建演示数据请加 --force"
            f"（只删除演示快照）。/ Snapshots exist; pass --force to rebuild the demo snapshots."
        )
    if force:
        _refuse_imported_dates(existing)
    if scale < 1:
        raise SnapshotError(f"--scale 必须是正整数，收到 {scale}。/ --scale must be a positive integer.")
    steps = tqdm(total=6 + len(YEARS), desc="演示数据 demo", unit="步", disable=not show_progress)
    geo = load_geography(region)
    steps.update()
    counties = county_profiles(geo, seed)
    city_names = geo.regions[geo.regions.level == "city"].set_index("adcode").name
    counties["city_name"] = counties.parent_adcode.map(city_names)
    regions = regions_by_year(geo, counties)
    coverage = coverage_by_year(counties, seed)
    nef = nef_by_year(counties, seed)
    steps.update()
    history = station_history(geo, counties, seed, scale)
    steps.update()
    competitions, results = build_competitions(geo, counties, seed, scale)
    steps.update()
    indicators = build_indicators(geo, counties, seed)
    demand = demand_points(geo, counties, nef[-1], seed)
    steps.update()
    latest_stations = stations_snapshot(history, len(YEARS) - 1)
    registered = latest_stations[latest_stations.status != "closed"].groupby("adcode").size()
    targets = build_targets(geo, counties, registered * 9000 / max(1, registered.sum()))
    steps.update()
    # --force builds the new set beside the old one and swaps it in: a kill leaves one set or the other.
    target = snapshots_dir
    if existing:
        target = tmp_dir(snapshots_dir, "demo")
        target.mkdir(parents=True)
    written = []
    for k, (year, as_of) in enumerate(zip(YEARS, AS_OF)):
        comp_k = competitions[competitions.year <= year]
        tables = {
            "regions": regions[k],
            "region_shapes": geo.shapes,
            "coverage": coverage[k],
            "nef_membership": nef[k],
            "stations": stations_snapshot(history, k),
            "competitions": comp_k,
            "competition_results": results[results.competition_id.isin(comp_k.competition_id)],
            "indicators": indicators[indicators.year <= year],
            "targets": targets,
            "demand_points": demand,
        }
        tables = {name: df.reset_index(drop=True) for name, df in tables.items()}
        written.append(
            write_snapshot(
                target,
                as_of,
                tables,
                source="demo",
                extra={
                    "region_adcode": geo.region_adcode,
                    "boundaries": BOUNDARY_SOURCE,
                    "coordinate_system": COORDINATE_SYSTEM,
                    "generator": {"seed": seed, "scale": scale},
                },
            )
        )
        steps.update()
    if target != snapshots_dir:
        fault_point("demo_before_swap")
        written = swap_in(snapshots_dir, target)
        clear_demo_snapshots(snapshots_dir, keep=AS_OF)
    steps.close()
    if with_round and scale == 1:  # an open collection round with submissions, so /data's board is not empty
        from uniondash.demo.rounds import build_demo_round

        build_demo_round(Path(data_dir))
    return written


__all__ = ["build_demo", "DEFAULT_SEED", "AS_OF", "YEARS", "pd"]
