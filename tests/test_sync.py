"""`python -m uniondash sync --from DIR` (issue 24): new snapshots copied, verified and renamed into
place; good ones already here left alone; a corrupted one refused with nothing written; a file
that changes during the copy refused; a snapshot replaced at the source taken only with --replace."""

from __future__ import annotations

import json
import shutil

import pytest
from fixtures import build_fixture

from uniondash import clock
from uniondash.cli import main
from uniondash.data import sync as sync_module
from uniondash.data.snapshots import list_snapshots, sha256_file


@pytest.fixture
def shared(tmp_path):
    """The shared folder: the hand-made fixture's two snapshots, 2022-12-31 and 2023-12-31."""
    src = tmp_path / "shared"
    build_fixture(src)
    return src


def listing(folder) -> dict[str, bool]:
    return {s.as_of: s.ok for s in list_snapshots(folder / "snapshots")}


def hidden(folder) -> list[str]:
    return [p.name for p in (folder / "snapshots").iterdir() if p.name.startswith(".")]


def new_snapshot(src, as_of: str):
    """A copy of 2023-12-31 published at the source under another date (its manifest says so)."""
    folder = src / "snapshots" / as_of
    shutil.copytree(src / "snapshots" / "2023-12-31", folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["as_of"] = as_of
    manifest["created_at"] = clock.utc_now().isoformat()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder, manifest


def test_new_snapshots_are_copied_verified_and_then_up_to_date(shared, tmp_path, capsys):
    local = tmp_path / "node"
    assert main(["--data", str(local), "sync", "--from", str(shared)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split(" (")[0] for line in out] == ["已复制 copied 2022-12-31", "已复制 copied 2023-12-31"]
    assert listing(local) == {"2022-12-31": True, "2023-12-31": True}  # verified again, checksums included
    for name in ("2022-12-31", "2023-12-31"):
        there, here = shared / "snapshots" / name, local / "snapshots" / name
        assert sorted(p.name for p in here.iterdir()) == sorted(p.name for p in there.iterdir())
        assert {p.name: sha256_file(p) for p in here.iterdir()} == {p.name: sha256_file(p) for p in there.iterdir()}
    assert hidden(local) == []
    assert main(["--data", str(local), "sync", "--from", str(shared / "snapshots")]) == 0  # the folder itself too
    assert capsys.readouterr().out.splitlines() == ["已是最新 up to date 2022-12-31", "已是最新 up to date 2023-12-31"]
    new_snapshot(shared, "2024-06-30")
    assert main(["--data", str(local), "sync", "--from", str(shared)]) == 0
    assert capsys.readouterr().out.splitlines()[2].startswith("已复制 copied 2024-06-30 (10 个表 tables, ")
    assert listing(local) == {"2022-12-31": True, "2023-12-31": True, "2024-06-30": True}


def test_a_corrupted_snapshot_is_refused_and_nothing_of_it_written(shared, tmp_path, capsys):
    local = tmp_path / "node"
    folder, manifest = new_snapshot(shared, "2024-06-30")
    victim = folder / manifest["tables"]["stations"]["file"]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte in the middle of the file
    victim.write_bytes(bytes(data))
    assert sync_module.main(["--data", str(local), "--from", str(shared)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("已复制 copied 2022-12-31 (10 个表 tables, ")
    assert out[1].startswith("已复制 copied 2023-12-31 (10 个表 tables, ")
    assert out[2] == f"拒绝 refused 2024-06-30: {victim} 校验和不符（文件被修改或损坏）/ sha256 mismatch"
    assert listing(local) == {"2022-12-31": True, "2023-12-31": True}  # the good ones came, the bad one did not
    assert hidden(local) == []


def test_a_file_changed_during_the_copy_is_refused(shared, tmp_path, capsys, monkeypatch):
    local = tmp_path / "node"
    real_copy = shutil.copyfile

    def copy_then_change(a, b):  # the source is rewritten just as this file is being copied
        real_copy(a, b)
        if "2023-12-31" in str(a) and str(a).endswith("stations.parquet"):
            with open(b, "ab") as fh:
                fh.write(b"x")
        return b

    monkeypatch.setattr(sync_module.shutil, "copyfile", copy_then_change)
    assert sync_module.main(["--data", str(local), "--from", str(shared)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[1] == (
        f"拒绝 refused 2023-12-31: {shared / 'snapshots' / '2023-12-31' / 'stations.parquet'}"
        " 复制过程中发生变化（校验和不符）/ changed while being copied (sha256 mismatch)"
    )
    assert listing(local) == {"2022-12-31": True}
    assert hidden(local) == []


def test_a_snapshot_replaced_at_the_source_is_taken_only_with_replace(shared, tmp_path, capsys):
    local = tmp_path / "node"
    assert sync_module.main(["--data", str(local), "--from", str(shared)]) == 0
    # the source's 2023-12-31 is replaced (import --replace there): another file, another manifest
    folder = shared / "snapshots" / "2023-12-31"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    stations = folder / manifest["tables"]["stations"]["file"]
    import pyarrow.parquet as pq

    table = pq.read_table(stations)
    pq.write_table(table.slice(0, table.num_rows - 1), stations)  # one station fewer
    manifest["tables"]["stations"]["sha256"] = sha256_file(stations)
    manifest["tables"]["stations"]["rows"] = table.num_rows - 1
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    capsys.readouterr()
    assert sync_module.main(["--data", str(local), "--from", str(shared)]) == 1
    assert capsys.readouterr().out.splitlines()[1].startswith("不同 differs 2023-12-31")
    before = sha256_file(local / "snapshots" / "2023-12-31" / "stations.parquet")
    assert before != manifest["tables"]["stations"]["sha256"]
    assert sync_module.main(["--data", str(local), "--from", str(shared), "--replace"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("已替换 replaced 2023-12-31")
    assert (
        sha256_file(local / "snapshots" / "2023-12-31" / "stations.parquet") == manifest["tables"]["stations"]["sha256"]
    )
    (aside,) = (local / "replaced").iterdir()
    assert aside.name.startswith("2023-12-31-replaced-")
    assert sha256_file(aside / "stations.parquet") == before  # the old one kept, not deleted
    assert listing(local) == {"2022-12-31": True, "2023-12-31": True}


def test_no_source_folder(tmp_path, capsys):
    assert sync_module.main(["--data", str(tmp_path / "node"), "--from", str(tmp_path / "nowhere")]) == 2
    assert "no such source folder" in capsys.readouterr().out
