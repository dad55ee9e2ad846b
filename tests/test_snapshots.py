"""Snapshots are immutable, verified and written atomically; bad data gives a clear error."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest
from fixtures import build_fixture

from uniondash.data.snapshot_writer import write_snapshot
from uniondash.data.snapshots import list_snapshots
from uniondash.data.warehouse import Warehouse
from uniondash.errors import DataMissingError, SnapshotError


def test_tampered_snapshot_is_refused_and_the_newest_good_one_used(tmp_path):
    snaps = build_fixture(tmp_path)
    (snaps / "2023-12-31" / "coverage.parquet").write_bytes(b"not parquet")
    wh = Warehouse(snaps)
    assert wh.as_ofs == ["2022-12-31"]
    assert [s.as_of for s in wh.refused] == ["2023-12-31"]
    assert "sha256" in wh.refused[0].problems[0]


def test_no_data_names_the_folder_and_the_fix(tmp_path):
    with pytest.raises(DataMissingError, match="make data"):
        Warehouse(tmp_path / "snapshots")


def test_all_snapshots_bad(tmp_path):
    snaps = build_fixture(tmp_path)
    for s in snaps.iterdir():
        (s / "manifest.json").write_text("{broken")
    with pytest.raises(SnapshotError, match="make data"):
        Warehouse(snaps)


def test_snapshots_are_immutable(tmp_path, fixture_dir):
    snaps = build_fixture(tmp_path)
    with pytest.raises(SnapshotError, match="不可修改"):
        write_snapshot(snaps, "2023-12-31", {}, source="import")


def test_failed_write_leaves_nothing(tmp_path):
    snaps = build_fixture(tmp_path)
    shutil.rmtree(snaps / "2023-12-31")
    tables = {name: pd.DataFrame() for name in ("regions",)}
    with pytest.raises(SnapshotError):
        write_snapshot(snaps, "2024-12-31", tables, source="import")  # tables missing: refused up front
    bad = {
        n: pd.DataFrame({"x": [1]})
        for n in (
            "regions",
            "region_shapes",
            "coverage",
            "nef_membership",
            "stations",
            "competitions",
            "competition_results",
            "indicators",
            "targets",
            "demand_points",
        )
    }
    with pytest.raises(KeyError):
        write_snapshot(snaps, "2024-12-31", bad, source="import")  # fails while writing
    assert sorted(p.name for p in snaps.iterdir()) == ["2022-12-31"]


def test_cli_snapshots_reports_checksums(tmp_path):
    snaps = build_fixture(tmp_path)
    env = {"UNIONDASH_DATA": str(tmp_path), "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, "-m", "uniondash", "snapshots"], capture_output=True, text=True, env=env)
    assert ok.returncode == 0
    assert ok.stdout.count(" ok") == 2
    (snaps / "2022-12-31" / "stations.parquet").write_bytes(b"x")
    bad = subprocess.run([sys.executable, "-m", "uniondash", "snapshots"], capture_output=True, text=True, env=env)
    assert bad.returncode == 1
    assert "FAILED" in bad.stdout
    assert "stations.parquet" in bad.stdout
    assert [s.ok for s in list_snapshots(snaps)] == [False, True]


def test_cli_unknown_region_is_a_clear_error(tmp_path):
    env = {"UNIONDASH_DATA": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "uniondash", "demo", "--region", "999999"], capture_output=True, text=True, env=env
    )
    assert out.returncode == 2
    assert "999999" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "snapshots").exists()
