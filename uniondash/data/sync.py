"""`python -m uniondash sync --from DIR`: copy new snapshots, verified, from a shared folder into
this node's own data folder, for replicas without shared storage (issue 24).

Each snapshot of DIR (a data folder holding snapshots/, or a snapshots folder) is verified as
`python -m uniondash snapshots` verifies it (folder name, manifest, every file's sha256, the cheap
data checks); one that fails is refused, named with its reasons, and nothing of it is written. A
good one absent here is copied into a hidden temporary folder beside the local snapshots, its
copied files checked again against the manifest's sha256 (a file changed during the copy is
refused too), flushed, and renamed into place: a running dashboard never sees half a snapshot,
and its fingerprint check shows the new one at the next rerun. A snapshot already here with the
same files is left alone; one whose files differ (replaced at the source by `import --replace`)
is reported, and replaced only with --replace (the local one set aside in data/replaced/, as the
importer does).

Exit codes: 0 all good (copied or up to date), 1 something refused or left different, 2 no such
source folder. Run it from cron or a Kubernetes CronJob beside each node (docs/deploy.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from uniondash.data.snapshot_writer import _aside_path, _publish_replacing, cleanup_stale, tmp_dir
from uniondash.data.snapshots import MANIFEST, Snapshot, list_snapshots, sha256_file


def snapshots_folder(folder: Path) -> Path:
    """A data folder's snapshots/, or the folder itself when it holds the snapshots."""
    return folder / "snapshots" if (folder / "snapshots").is_dir() else folder


def _files(snap: Snapshot) -> dict[str, str]:
    """file name → sha256 of every table file the manifest names."""
    return {e["file"]: e["sha256"] for e in snap.manifest["tables"].values()}


def _copy(snap: Snapshot, local: Path) -> Path:
    """The snapshot copied into a hidden folder beside the local ones and checked; its path."""
    tmp = tmp_dir(local, f"sync-{snap.as_of}")
    tmp.mkdir(parents=True)
    try:
        for name, digest in _files(snap).items():
            shutil.copyfile(snap.path / name, tmp / name)
            if sha256_file(tmp / name) != digest:
                raise ValueError(
                    f"{snap.path / name} 复制过程中发生变化（校验和不符）/ changed while being copied (sha256 mismatch)"
                )
        shutil.copyfile(snap.path / MANIFEST, tmp / MANIFEST)
        if json.loads((tmp / MANIFEST).read_text(encoding="utf-8")) != snap.manifest:
            raise ValueError(f"{snap.path / MANIFEST} 复制过程中发生变化 / changed while being copied")
        for p in tmp.iterdir():  # flushed before the rename publishes them
            with p.open("rb") as fh:
                os.fsync(fh.fileno())
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def sync(source: Path, data: Path, replace: bool = False, out=print) -> int:
    src, local = snapshots_folder(source), data / "snapshots"
    if not src.is_dir():
        out(f"没有来源文件夹 {source} / no such source folder: {source}")
        return 2
    local.mkdir(parents=True, exist_ok=True)
    cleanup_stale(local)  # our own temporary folders left by a killed sync
    here = {s.as_of: s for s in list_snapshots(local, verify=False)}
    status = 0
    for snap in list_snapshots(src, verify=True):
        if not snap.ok:
            out(f"拒绝 refused {snap.as_of}: " + "; ".join(snap.problems))
            status = 1
            continue
        mine = here.get(snap.as_of)
        if mine is not None and mine.ok and _files(mine) == _files(snap):
            out(f"已是最新 up to date {snap.as_of}")
            continue
        if mine is not None and not replace:
            out(
                f"不同 differs {snap.as_of}: 本地快照与来源不同（来源已替换？）；加 --replace 以替换"
                " / the local snapshot differs from the source's (replaced there?): add --replace to take it"
            )
            status = 1
            continue
        try:
            tmp = _copy(snap, local)
        except (OSError, ValueError) as exc:
            out(f"拒绝 refused {snap.as_of}: {exc}")
            status = 1
            continue
        final = local / snap.as_of
        if mine is not None:
            _publish_replacing(tmp, final, _aside_path(local, snap.as_of))
            out(f"已替换 replaced {snap.as_of} (旧快照移至 the old one is in {local.parent / 'replaced'})")
            continue
        try:
            os.rename(tmp, final)
        except OSError as exc:  # another sync (or an import) put one there meanwhile
            shutil.rmtree(tmp, ignore_errors=True)
            out(f"未复制 not copied {snap.as_of}: {final} 已存在 / appeared meanwhile ({exc.strerror})")
            status = 1
            continue
        size = sum(p.stat().st_size for p in final.iterdir())
        out(f"已复制 copied {snap.as_of} ({len(_files(snap))} 个表 tables, {size:,} bytes)")
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m uniondash sync", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="the local data folder (default $UNIONDASH_DATA or ./data)")
    parser.add_argument("--from", dest="source", required=True, metavar="DIR", help="the shared data folder")
    parser.add_argument("--replace", action="store_true", help="take snapshots replaced at the source")
    args = parser.parse_args(argv)
    if args.data:
        data = Path(args.data)
    else:
        from uniondash.config import load_settings

        data = load_settings().data_dir
    return sync(Path(args.source), data, args.replace)


if __name__ == "__main__":
    sys.exit(main())
