"""A killed import (SIGKILL, as a power cut) leaves no partial snapshot, and the earlier snapshots
still verify; the next import cleans up after it. Killed at every named moment of an import and of
a replace, and at moments chosen by the clock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from fixtures import build_fixture
from import_corpus import frame, write_csv

from uniondash.data.snapshots import list_snapshots

NEW = "2024-06-30"
MOMENTS = [
    "after_read",
    "after_checks",
    "before_write",
    "after_table:regions",
    "after_table:stations",
    "after_table:demand_points",
    "before_rename",
]


def assert_writer_killed(killed) -> None:
    """The import runs in a child process (uniondash.data.importer.isolated): the fault point kills
    that writer, and the command says so (status 1, the signal named), as it would after a power
    cut of the child alone."""
    out = killed.stdout.decode() if isinstance(killed.stdout, bytes) else killed.stdout
    assert killed.returncode == 1, killed.stderr
    assert "SIGKILL" in out, out


def env(data, **extra):
    return {"PATH": "/usr/bin:/bin", "UNIONDASH_DATA": str(data), "UNIONDASH_REGION": "990000", **extra}


def import_cmd(path, as_of=NEW, *flags):
    return [sys.executable, "-m", "uniondash", "import", str(path), "--as-of", as_of, *flags]


def state(snaps):
    """(as_of, ok, created_at) of every listed snapshot, and the hidden folders left behind."""
    listed = [(s.as_of, s.ok, s.manifest.get("created_at")) for s in list_snapshots(snaps)]
    hidden = sorted(p.name for p in snaps.iterdir() if p.name.startswith("."))
    return listed, hidden


@pytest.fixture
def data(tmp_path):
    snaps = build_fixture(tmp_path / "data")
    path = write_csv(frame("stations", snaps), tmp_path / "stations.csv")
    return tmp_path / "data", path


@pytest.mark.parametrize("moment", MOMENTS)
def test_killed_at_a_named_moment_leaves_the_earlier_snapshots(data, moment):
    folder, path = data
    snaps = folder / "snapshots"
    before, _ = state(snaps)
    killed = subprocess.run(import_cmd(path), env=env(folder, UNIONDASH_FAULT_AT=moment), capture_output=True)
    assert_writer_killed(killed)
    listed, _hidden = state(snaps)
    assert listed == before  # no partial snapshot visible; the earlier ones verify
    again = subprocess.run(import_cmd(path), env=env(folder), capture_output=True, text=True)
    assert again.returncode == 0, again.stdout + again.stderr
    listed, hidden = state(snaps)
    assert [a for a, ok, _ in listed] == ["2022-12-31", "2023-12-31", NEW]
    assert all(ok for _, ok, _ in listed)
    assert hidden == []  # the killed import's temporary folder was removed by the next one


def test_killed_after_the_rename_the_new_snapshot_is_whole(data):
    folder, path = data
    killed = subprocess.run(import_cmd(path), env=env(folder, UNIONDASH_FAULT_AT="after_rename"), capture_output=True)
    assert_writer_killed(killed)
    listed, hidden = state(folder / "snapshots")
    assert [(a, ok) for a, ok, _ in listed] == [("2022-12-31", True), ("2023-12-31", True), (NEW, True)]
    assert hidden == []


def set_aside(folder):
    aside = folder / "replaced"
    return sorted(p.name for p in aside.iterdir()) if aside.exists() else []


def manifest(folder):
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


# The replace runs at a fixed time (the one clock, UNIONDASH_NOW), so its manifest's created_at
# and the folder the old snapshot is set aside to are known in advance.
REPLACE_NOW, REPLACE_CREATED = "2024-03-01T02:03:04+00:00", "2024-03-01T02:03:04+00:00"
ASIDE = "2023-12-31-replaced-20240301T020304000000Z"
NEXT_NOW = "2024-03-02T00:00:00+00:00"


@pytest.mark.parametrize("moment", ["before_rename", "after_exchange"])
def test_a_killed_replace_keeps_one_whole_snapshot_and_never_loses_the_old(data, moment):
    """Killed before the rename, the old snapshot is still served and the new one is thrown away;
    killed after the exchange, the new one is served and the old one waits in the temporary folder,
    which the next writer moves to replaced/ (where the new manifest said it would be)."""
    folder, path = data
    snaps = folder / "snapshots"
    old = manifest(snaps / "2023-12-31")
    assert old["source"] == "demo"  # the fixture's
    cmd = import_cmd(path, "2023-12-31", "--replace")
    killed = subprocess.run(cmd, env=env(folder, UNIONDASH_FAULT_AT=moment, UNIONDASH_NOW=REPLACE_NOW),
                            capture_output=True)  # fmt: skip
    assert_writer_killed(killed)
    listed, hidden = state(snaps)
    assert [(a, ok) for a, ok, _ in listed] == [("2022-12-31", True), ("2023-12-31", True)]
    assert len(hidden) == 1, hidden
    assert hidden[0].startswith(".tmp-2023-12-31-"), hidden
    served, waiting = manifest(snaps / "2023-12-31"), manifest(snaps / hidden[0])
    new_half = {"source": "import", "created_at": REPLACE_CREATED, "replaced_path": str(folder / "replaced" / ASIDE)}
    if moment == "before_rename":  # the old one served; the new one, complete, never published
        assert served == old
        assert {k: waiting.get(k) for k in new_half} == new_half
    else:  # exchanged: the new one served; the old one waits in the temporary folder
        assert {k: served.get(k) for k in new_half} == new_half
        assert waiting == old
    assert set_aside(folder) == []  # nothing set aside yet

    again = subprocess.run(import_cmd(path, "2024-01-31"), env=env(folder, UNIONDASH_NOW=NEXT_NOW),
                           capture_output=True, text=True)  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    listed, hidden = state(snaps)
    assert [(a, ok) for a, ok, _ in listed] == [("2022-12-31", True), ("2023-12-31", True), ("2024-01-31", True)]
    assert hidden == []
    kept = set_aside(folder)
    if moment == "before_rename":  # nothing was replaced: the unpublished new half is simply removed
        assert manifest(snaps / "2023-12-31") == old
        assert kept == []
    else:  # the old snapshot is kept whole where the replace meant to put it, never deleted
        assert manifest(snaps / "2023-12-31")["created_at"] == REPLACE_CREATED
        assert kept == [ASIDE]
        assert manifest(folder / "replaced" / ASIDE) == old
        assert sorted(p.name for p in (folder / "replaced" / ASIDE).iterdir()) == sorted(
            p.name for p in (snaps / "2022-12-31").iterdir()
        )  # every table and the manifest


def group_states(pgid: int) -> list[str]:
    """The state letter of every process in process group pgid (the command and its import child)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:
            out.append(fields[0])
    return out


def stop(proc) -> bool:
    """Freeze the command and the import child it started (SIGSTOP to the process group, as a
    power cut stops everything at once) and wait until all are stopped; False if it had ended."""
    try:
        os.killpg(proc.pid, signal.SIGSTOP)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        states = group_states(proc.pid)
        if states and all(s in ("T", "t", "Z") for s in states):
            return True
        time.sleep(0.001)
    raise AssertionError(f"process group {proc.pid} did not stop")


def wait_for(predicate, proc, timeout_s: float = 120) -> bool:
    """Poll every millisecond until predicate() holds (True) or the process ends (False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.001)
    raise AssertionError("timed out")


def test_killed_at_moments_chosen_by_the_clock(tmp_path):
    """A larger stations file (20,000 rows) imported again and again, each under its own date, frozen
    (SIGSTOP) at a moment chosen by the clock or by what the folder shows, looked at, then killed:
    while it reads (0.5 s in), while it writes (the first folder for its date has just appeared) and after
    it published (its snapshot is listed). What is listed while it is frozen is exactly what stays
    after the kill, only whole snapshots ever are, a kill before the rename leaves the date
    unlisted, and the next import removes what a killed one left."""
    snaps = build_fixture(tmp_path / "data")
    base = frame("stations", snaps)
    big = pd.concat([base] * 3334, ignore_index=True).head(20_000)
    big["站点编号"] = [f"X{i:06d}" for i in range(len(big))]
    path = write_csv(big, tmp_path / "stations.csv")
    published = ["2022-12-31", "2023-12-31"]
    dates = iter(f"2024-{m:02d}-28" for m in range(1, 13))
    moments = ["reading", "writing", "published"]
    seen: dict[str, str] = {}  # moment -> the date whose import was killed then
    for attempt in range(9):
        if set(seen) == set(moments):
            break
        want = next(m for m in moments if m not in seen)
        as_of = next(dates)
        proc = subprocess.Popen(import_cmd(path, as_of), env=env(tmp_path / "data"), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
        mine = f".tmp-{as_of}-"  # the writer is the command's import child: its pid is in the name
        if want == "reading":
            time.sleep(0.5)
        elif want == "writing":
            # the first thing written for this date, wherever it is written
            wait_for(lambda mine=mine, as_of=as_of: any(p.name.startswith(mine) or p.name == as_of
                                                        for p in snaps.iterdir()), proc)  # fmt: skip
        else:
            wait_for(lambda final=snaps / as_of: final.is_dir(), proc)
        if not stop(proc):  # it finished before the moment came: a whole import, counted as one
            assert proc.returncode == 0, (attempt, want)
            published.append(as_of)
            continue
        frozen = state(snaps)
        os.killpg(proc.pid, signal.SIGKILL)
        assert proc.wait() == -signal.SIGKILL
        listed, hidden = state(snaps)
        assert (listed, hidden) == frozen  # a power cut changes nothing on disk
        assert all(ok for _, ok, _ in listed), listed  # only whole snapshots, every one verifies
        dates_listed = [a for a, _, _ in listed]
        if as_of in dates_listed:
            moment = "published"
            published.append(as_of)
            assert not [h for h in hidden if h.startswith(mine)]  # the rename took the folder away
        elif [h for h in hidden if h.startswith(mine)]:
            moment = "writing"
        else:
            moment = "reading"
        assert dates_listed == published, (moment, listed)  # the killed date only if it had published
        seen.setdefault(moment, as_of)
    assert set(seen) == set(moments), f"the kills landed only at {sorted(seen)}"
    last = next(dates)
    done = subprocess.run(import_cmd(path, last), env=env(tmp_path / "data"), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    listed, hidden = state(snaps)
    assert [a for a, _, _ in listed] == [*published, last]
    assert all(ok for _, ok, _ in listed)
    assert hidden == []  # the folder left by the import killed while writing was removed by this one
    assert (snaps / last / "stations.parquet").is_file()
