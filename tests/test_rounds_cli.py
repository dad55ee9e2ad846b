"""python -m uniondash round …: the contract of the issue (columns, exit codes, messages), ten
fillers submitting at once, and a publish killed before its rename."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rounds_helpers import AFTER_DUE, AS_OF, DUE, edit_a, make_data

from uniondash.data import rounds as R
from uniondash.data.snapshots import list_snapshots

ROOT = Path(__file__).resolve().parent.parent


def run(data: Path, *args, stdin: str = "", env=None):
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "uniondash", "--data", str(data), "round", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=stdin,
        env=full,
        check=False,
    )


@pytest.fixture
def opened(tmp_path, monkeypatch):
    data, users = make_data(tmp_path, monkeypatch)
    out = run(data, "open", "--as-of", AS_OF, "--tables", "stations,coverage", "--due", DUE, "--note", "年中")
    assert out.returncode == 0, out.stderr
    return data, tmp_path


def test_status_csv_and_overdue(opened):
    data, _ = opened
    out = run(data, "status", "--csv")
    assert out.returncode == 0
    assert out.stdout.splitlines() == [
        "unit,name,state,overdue,submitted_at,by,rows",
        "990101,甲一区,not_started,false,,,0",
        "990102,甲二县,not_started,false,,,0",
        "990201,乙一县,not_started,false,,,0",
    ]
    late = run(data, "status", "--csv", env={"UNIONDASH_NOW": AFTER_DUE})
    assert late.stdout.splitlines()[2] == "990102,甲二县,not_started,true,,,0"


def test_a_whole_round_on_the_command_line(opened):
    data, tmp = opened
    out = run(data, "template", "--as", "fa", "--out", str(tmp / "a"))
    assert out.returncode == 0
    assert sorted(p.name for p in (tmp / "a").iterdir()) == ["服务站点.xlsx", "组建入会.xlsx"]
    edit_a(tmp / "a")
    # a password on stdin is ignored: the command neither reads nor needs it
    sub = run(
        data,
        "submit",
        str(tmp / "a" / "服务站点.xlsx"),
        str(tmp / "a" / "组建入会.xlsx"),
        "--as",
        "fa",
        stdin="hunter2hunter2\n",
    )
    assert sub.returncode == 0, sub.stderr
    assert "990101 v001 (stations=3, coverage=1)" in sub.stdout
    bad = run(data, "submit", str(tmp / "a" / "服务站点.xlsx"), "--as", "fb")
    assert bad.returncode == 1
    # rows 2-4: S2, S3 and the new station, all 甲一区's
    assert "服务站点.xlsx [服务站点]，第 2 行，列“区划代码”：值“990101”" in bad.stderr
    assert "990101（甲一区）不在您的范围内" in bad.stderr
    review = run(data, "review", "990101")
    assert "stations：新增 1 行，关闭/移除 1 行，改动 1 处" in review.stdout
    assert "S2 name: 甲一区母婴室 → 甲一区母婴室（新址）" in review.stdout
    assert "职工入会率: 90.0% → 95.0%" in review.stdout
    assert run(data, "return", "990101", "--reason", "请核对会员人数").returncode == 0
    assert "990101,甲一区,returned" in run(data, "status", "--csv").stdout
    assert run(data, "submit", str(tmp / "a" / "服务站点.xlsx"), "--as", "fa").returncode == 0
    assert run(data, "accept", "990101").returncode == 0
    refused = run(data, "publish")
    assert refused.returncode == 2
    assert "2 个单位" in refused.stderr
    assert "2 units" in refused.stderr
    assert not (data / "snapshots" / AS_OF).exists()
    assert run(data, "publish", "--yes").returncode == 0
    assert "already" in run(data, "publish", "--yes").stdout
    assert [s.as_of for s in list_snapshots(data / "snapshots")] == ["2022-12-31", "2023-12-31", AS_OF]
    assert run(data, "close").returncode == 0
    closed = run(data, "status", "--csv")  # no open round: the header alone, exit 0
    assert closed.returncode == 0
    assert closed.stdout == "unit,name,state,overdue,submitted_at,by,rows\n"
    assert "no collection round is open" in closed.stderr
    assert run(data, "accept", "990101").returncode == 2  # nothing open to accept in


def test_unknown_filler_and_non_filler_are_refused(opened):
    data, tmp = opened
    out = run(data, "template", "--as", "nobody", "--out", str(tmp / "x"))
    assert out.returncode == 2
    assert "nobody" in out.stderr
    out = run(data, "template", "--as", "boss", "--out", str(tmp / "x"))
    assert out.returncode == 2
    assert "admin" in out.stderr


def test_ten_fillers_at_once_all_land(opened):
    """Ten submissions at the same moment, in ten processes: three for 甲一区, three for 甲二县,
    four for 乙一县 (each filler submits their own prefilled workbook unchanged)."""
    data, tmp = opened
    who = ["fa", "fb", "fc", "fa", "fb", "fc", "fa", "fb", "fc", "fc"]
    folders = {}
    for name in set(who):
        folders[name] = tmp / name
        assert run(data, "template", "--as", name, "--out", str(folders[name])).returncode == 0
    with ThreadPoolExecutor(10) as pool:
        outs = list(
            pool.map(lambda n: run(data, "submit", *map(str, sorted(folders[n].glob("*.xlsx"))), "--as", n), who)
        )
    assert [o.returncode for o in outs] == [0] * 10, [o.stderr for o in outs]
    store = R.RoundStore(data)
    rnd = store.current()
    versions = {u: [v["version"] for v in store.unit(rnd, u).versions] for u in ("990101", "990102", "990201")}
    assert versions == {
        "990101": ["v001", "v002", "v003"],
        "990102": ["v001", "v002", "v003"],
        "990201": ["v001", "v002", "v003", "v004"],
    }
    for unit, names in versions.items():
        assert all((store.version_dir(rnd, unit, v) / "stations.parquet").is_file() for v in names)


@pytest.mark.parametrize("moment", ["after_table:stations", "before_rename"])
def test_a_killed_publish_leaves_nothing_and_the_round_as_it_was(opened, moment):
    data, tmp = opened
    run(data, "template", "--as", "fa", "--out", str(tmp / "a"))
    assert run(data, "submit", *map(str, sorted((tmp / "a").glob("*.xlsx"))), "--as", "fa").returncode == 0
    assert run(data, "accept", "990101").returncode == 0
    before = run(data, "status", "--csv").stdout
    killed = run(data, "publish", "--yes", env={"UNIONDASH_FAULT_AT": moment})
    assert killed.returncode == -9
    assert [s.as_of for s in list_snapshots(data / "snapshots")] == ["2022-12-31", "2023-12-31"]
    assert run(data, "status", "--csv").stdout == before
    done = run(data, "publish", "--yes")
    assert done.returncode == 0, done.stderr
    # the killed writer's hidden folder was cleaned up by the next publish
    assert sorted(p.name for p in (data / "snapshots").iterdir()) == ["2022-12-31", "2023-12-31", AS_OF]
