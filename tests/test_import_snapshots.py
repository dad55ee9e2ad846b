"""Snapshots that cannot be fooled: folders and manifests that break the contract are refused with
their reason (on screen, from `snapshots`), never served and never a crash; a file altered while
the app runs changes the fingerprint and is verified again; demo --force swaps whole sets."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures import build_fixture
from streamlit.testing.v1 import AppTest

from uniondash.data.snapshot_writer import cleanup_stale, swap_in, tmp_dir
from uniondash.data.snapshots import list_snapshots
from uniondash.data.warehouse import Warehouse
from uniondash.ui.reads import data_fingerprint

ROOT = Path(__file__).resolve().parent.parent
ENV = {"PATH": "/usr/bin:/bin"}


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def write_manifest(folder: Path, manifest) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest))


def cli_snapshots(data: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "uniondash", "snapshots"],
        capture_output=True,
        text=True,
        env={**ENV, "UNIONDASH_DATA": str(data)},
    )


@pytest.mark.parametrize("name", ["2024-99-99", "2025-01-01\n", "latest", "2024-1-1"])
def test_an_odd_folder_name_is_refused_not_skipped(tmp_path, name):
    snaps = build_fixture(tmp_path)
    shutil.copytree(snaps / "2023-12-31", snaps / name)
    found = {s.as_of: s for s in list_snapshots(snaps)}
    odd = next(s for s in found.values() if not s.ok)
    assert "YYYY-MM-DD" in odd.problems[0]
    wh = Warehouse(snaps)
    assert wh.as_ofs == ["2022-12-31", "2023-12-31"]
    out = cli_snapshots(tmp_path)
    assert out.returncode == 1
    assert "FAILED" in out.stdout
    assert "Traceback" not in out.stderr
    assert out.stdout.count(" ok") == 2


@pytest.mark.parametrize(
    ("damage", "words"),
    [
        (lambda m: [], "不是快照清单"),
        (lambda m: {**m, "tables": {**m["tables"], "stations": {"rows": 1, "sha256": "0" * 64}}}, "没有 file"),
        (
            lambda m: {**m, "tables": {**m["tables"], "stations": {**m["tables"]["stations"], "file": "../x.parquet"}}},
            "不在快照文件夹内",
        ),
        (
            lambda m: {**m, "tables": {**m["tables"], "stations": {**m["tables"]["stations"], "file": "/etc/passwd"}}},
            "不在快照文件夹内",
        ),
        (lambda m: {**m, "created_at": "2023-12-30T15:00:00+00:00"}, "晚于创建日期"),  # 23:00 Beijing, 30 Dec
        (lambda m: {**m, "created_at": "yesterday"}, "不是时间"),
        (lambda m: {**m, "as_of": "2022-12-31"}, "与文件夹"),
        (lambda m: {**m, "tables": {**m["tables"], "stations": "stations.parquet"}}, "没有 file"),
    ],
)
def test_a_manifest_that_breaks_the_contract_is_refused(tmp_path, damage, words):
    snaps = build_fixture(tmp_path)
    folder = snaps / "2023-12-31"
    write_manifest(folder, damage(manifest_of(folder)))
    wh = Warehouse(snaps)
    assert wh.as_ofs == ["2022-12-31"]
    assert words in wh.refused[0].problems[0], wh.refused[0].problems
    out = cli_snapshots(tmp_path)
    assert out.returncode == 1
    assert "FAILED" in out.stdout
    assert "Traceback" not in out.stderr


def test_created_at_is_compared_in_the_region_time_zone(tmp_path):
    """Written at 07:00 Beijing time on 31 Dec (23:00 UTC on the 30th), a 31 Dec snapshot is fine."""
    snaps = build_fixture(tmp_path)
    folder = snaps / "2023-12-31"
    write_manifest(folder, {**manifest_of(folder), "created_at": "2023-12-30T23:00:00+00:00"})
    assert all(s.ok for s in list_snapshots(snaps))


def app(data: Path) -> AppTest:
    os.environ["UNIONDASH_DATA"] = str(data)
    try:
        return AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    finally:
        del os.environ["UNIONDASH_DATA"]


def test_refused_snapshots_are_named_on_screen_and_the_newest_good_one_served(tmp_path):
    snaps = build_fixture(tmp_path)
    shutil.copytree(snaps / "2023-12-31", snaps / "2024-99-99")
    write_manifest(snaps / "2023-12-31", [])
    at = app(tmp_path)
    assert not at.exception
    assert at.sidebar.selectbox[0].options == ["2022-12-31"]
    warning = " ".join(w.value for w in at.sidebar.warning)
    assert "2024-99-99" in warning
    assert "2023-12-31" in warning


def test_an_altered_parquet_file_changes_the_fingerprint_and_is_refused(tmp_path):
    snaps = build_fixture(tmp_path)
    before = data_fingerprint(snaps)
    target = snaps / "2023-12-31" / "coverage.parquet"
    data = bytearray(target.read_bytes())
    data[-20] ^= 0xFF  # same size, one byte different
    target.write_bytes(bytes(data))
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 1_000_000))
    assert data_fingerprint(snaps) != before  # the cached warehouse is rebuilt, so verified again
    assert Warehouse(snaps).as_ofs == ["2022-12-31"]


def test_the_fingerprint_ignores_work_in_progress(tmp_path):
    snaps = build_fixture(tmp_path)
    before = data_fingerprint(snaps)
    tmp_dir(snaps, "2024-01-01").mkdir()
    assert data_fingerprint(snaps) == before


def test_stale_temporary_folders_are_removed_ours_only(tmp_path):
    snaps = build_fixture(tmp_path)
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = snaps / f".tmp-2024-01-01-{dead.pid}-0123abcd"
    live = snaps / f".tmp-2024-01-02-{os.getppid()}-0123abcd"  # a writer that is still running
    other = snaps / ".tmp-notes"  # not a name the importer gives
    for p in (stale, live, other):
        p.mkdir()
        (p / "x").write_text("x")
    assert cleanup_stale(snaps) == [stale]
    assert not stale.exists()
    assert live.exists()
    assert other.exists()


def test_an_interrupted_demo_swap_is_finished_not_mixed(tmp_path):
    """The new set is complete in a staging folder before the swap; a swap cut short is finished by
    the next writer, so the data folder holds the old set or the new one, never a mix."""
    snaps = build_fixture(tmp_path / "old")
    staging = tmp_dir(snaps, "demo")
    build_fixture(staging.parent / "new")
    staging.mkdir()
    for p in (staging.parent / "new" / "snapshots").iterdir():
        shutil.move(p, staging / p.name)
    shutil.rmtree(staging.parent / "new")
    new = {p.name: manifest_of(p)["created_at"] for p in staging.iterdir()}
    (staging / "SWAP_READY").touch()
    # The swap was cut after moving 2022-12-31 in: the old 2022 sits aside, 2023 is still the old one.
    os.rename(snaps / "2022-12-31", staging / "old-2022-12-31")
    os.rename(staging / "2022-12-31", snaps / "2022-12-31")
    dead = subprocess.Popen(["true"])
    dead.wait()
    interrupted = staging.with_name(staging.name.replace(f"-{os.getpid()}-", f"-{dead.pid}-"))
    os.rename(staging, interrupted)
    cleanup_stale(snaps)
    assert {s.as_of: s.manifest["created_at"] for s in list_snapshots(snaps)} == new
    assert all(s.ok for s in list_snapshots(snaps))
    assert sorted(p.name for p in snaps.iterdir()) == ["2022-12-31", "2023-12-31"]


def test_swap_in_replaces_a_whole_set(tmp_path):
    snaps = build_fixture(tmp_path / "a")
    staging = tmp_dir(snaps, "demo")
    shutil.copytree(build_fixture(tmp_path / "b"), staging)
    moved = swap_in(snaps, staging)
    assert [p.name for p in moved] == ["2022-12-31", "2023-12-31"]
    assert not staging.exists()


@pytest.mark.parametrize("moment", ["demo_before_swap", "after_table:stations"])
def test_demo_force_killed_leaves_the_old_set(tmp_path, moment):
    data = tmp_path / "data"
    subprocess.run(
        [sys.executable, "-m", "uniondash", "demo", "--region", "420500"],
        env={**ENV, "UNIONDASH_DATA": str(data)},
        check=True,
        capture_output=True,
    )
    old = {s.as_of: s.manifest["created_at"] for s in list_snapshots(data / "snapshots")}
    killed = subprocess.run(
        [sys.executable, "-m", "uniondash", "demo", "--region", "420500", "--force", "--seed", "7"],
        env={**ENV, "UNIONDASH_DATA": str(data), "UNIONDASH_FAULT_AT": moment},
        capture_output=True,
    )
    assert killed.returncode == -signal.SIGKILL
    after = list_snapshots(data / "snapshots")
    assert {s.as_of: s.manifest["created_at"] for s in after} == old
    assert all(s.ok for s in after)
    rebuilt = subprocess.run(
        [sys.executable, "-m", "uniondash", "demo", "--region", "420500", "--force", "--seed", "7"],
        env={**ENV, "UNIONDASH_DATA": str(data)},
        capture_output=True,
    )
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert [p.name for p in (data / "snapshots").iterdir() if p.name.startswith(".")] == []  # stale one cleaned
    assert all(s.ok and s.manifest["generator"]["seed"] == 7 for s in list_snapshots(data / "snapshots"))


@pytest.mark.parametrize(
    ("lang", "title", "button"), [("zh", "数据导入", "校验并导入"), ("en", "Data import", "Validate and import")]
)
def test_the_data_page_in_both_languages(tmp_path, monkeypatch, lang, title, button):
    build_fixture(tmp_path)
    # /data is for admins: the single-user demo mode on this computer (no accounts, a loopback
    # client; AppTest's own address is a mock, which counts as not loopback)
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "no-accounts.toml"))
    monkeypatch.delenv("UNIONDASH_PUBLIC", raising=False)
    monkeypatch.setattr("uniondash.ui.signin.current_address", lambda: "127.0.0.1")
    os.environ["UNIONDASH_DATA"] = str(tmp_path)
    try:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        at.query_params["lang"] = lang
        at.run()
        at.switch_page("app_pages/data.py").run()
    finally:
        del os.environ["UNIONDASH_DATA"]
    assert not at.exception
    assert at.title[0].value == title
    assert any(b.label == button for b in at.button) or button in str(at)
    snapshots = at.dataframe[-1].value
    assert list(snapshots.iloc[:, 0]) == ["2023-12-31", "2022-12-31"]
