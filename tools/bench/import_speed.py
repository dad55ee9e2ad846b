"""Import timing for `make bench`: the scale-100 stations table (about 820,000 rows) validated and
written as a new snapshot, from CSV and from XLSX, by the command line a user runs.

Each import runs `python -m uniondash import` in a scratch data folder holding a copy of the
scale-100 latest snapshot (so the other tables are carried, as in a monthly stations update);
the time is the whole command's (start-up included), the CPU time that of the command and the
import child it waits for (on a shared machine the wall time follows the other work; the CPU time
much less), and the memory the process tree's peak resident set. The CSV and XLSX files are
written once, beside the scale-100 data (not timed).
Budgets (issue 14): CSV under 60 s and 2 GB, XLSX under 180 s.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from tools.bench.measure import PeakMemory
from uniondash.config import ROOT

BUDGET_S = {"csv": 60.0, "xlsx": 180.0}
BUDGET_MB = 2048
AS_OF = "2024-06-30"


def _latest(data: Path):
    from uniondash.data.snapshots import list_snapshots

    return [s for s in list_snapshots(data / "snapshots", verify=False, data_checks=False) if s.ok][-1]


def prepare(big: Path) -> dict[str, Path]:
    """stations.csv and stations.xlsx of the scale-100 latest snapshot (written once, then reused)."""
    from uniondash.data.importer.contract import specs
    from uniondash.data.importer.templates import write_csv, write_xlsx

    snap = _latest(big)
    folder = big / "import-bench" / snap.as_of
    folder.mkdir(parents=True, exist_ok=True)
    spec = specs()["stations"]
    files = {"csv": folder / "stations.csv", "xlsx": folder / "stations.xlsx"}
    frame = None
    for kind, path in files.items():
        if path.exists():
            continue
        frame = frame if frame is not None else pq.read_table(snap.table_path("stations")).to_pandas()
        partial = path.with_name(path.name + ".partial")
        (write_csv if kind == "csv" else write_xlsx)(spec, partial, frame)
        os.replace(partial, path)
    return files


def time_import(big: Path, source: Path) -> dict:
    """One import of `source` into a scratch copy of the scale-100 latest snapshot."""
    snap = _latest(big)
    with tempfile.TemporaryDirectory(prefix="uniondash-import-bench-") as tmp:
        data = Path(tmp) / "data"
        shutil.copytree(snap.path, data / "snapshots" / snap.path.name)
        env = {**os.environ, "UNIONDASH_DATA": str(data), "UNIONDASH_REGION": snap.manifest.get("region_adcode", "")}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "uniondash", "import", str(source), "--as-of", AS_OF],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        memory = PeakMemory(proc.pid, every_s=0.05)
        out, err = proc.communicate()
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command, and the child it reaped
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        peak = memory.stop()
        if proc.returncode:
            raise RuntimeError(f"import of {source} failed ({proc.returncode}): {out[-2000:]} {err[-2000:]}")
        rows = pq.ParquetFile(data / "snapshots" / AS_OF / "stations.parquet").metadata.num_rows
    return {"seconds": seconds, "cpu_s": cpu, "peak_mb": peak, "rows": rows, "file_mb": source.stat().st_size / 2**20}


def run(big: Path | None) -> list[dict]:
    """The import rows of the benchmark table (none without the scale-100 data)."""
    if big is None:
        return []
    files = prepare(big)
    rows = []
    for kind, path in files.items():
        try:
            result = time_import(big, path)
        except RuntimeError as exc:  # a failed import is a finding for the table; the pages' figures stay
            rows.append({"format": kind, "failed": " ".join(str(exc).split())[-300:], "budget": {"imports": False}})
            continue
        result["format"] = kind
        result["budget"] = {
            f"within_{BUDGET_S[kind]:.0f}s": result["seconds"] <= BUDGET_S[kind],
            "memory_within_2GB": result["peak_mb"] <= BUDGET_MB,
        }
        rows.append(result)
    return rows


def to_markdown(rows: list[dict]) -> list[str]:
    if not rows:
        return []
    lines = [
        "",
        "Import (`python -m uniondash import`, the scale-100 stations table into a copy of its snapshot: read, "
        "validated with pandera and the data checks, written; start-up included):",
        "",
        "| format | rows | file MB | seconds | CPU s | peak MB | budget |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        if r.get("failed"):
            why = r["failed"].replace("|", "\\|")  # the child's progress bars: not table columns
            lines.append(f"| {r['format']} | — | — | — | — | — | missed: imports ({why}) |")
            continue
        missed = [k for k, ok in r["budget"].items() if not ok]
        verdict = "missed: " + ", ".join(missed) if missed else "met"
        lines.append(
            f"| {r['format']} | {r['rows']:,} | {r['file_mb']:.0f} | {r['seconds']:.1f} "
            f"| {_cpu(r)} | {r['peak_mb']:.0f} "
            f"| {verdict} |"
        )
    return lines


def _cpu(row: dict) -> str:
    """CPU seconds, or a dash for a result recorded before they were."""
    return f"{row['cpu_s']:.1f}" if "cpu_s" in row else "—"


if __name__ == "__main__":  # python -m tools.bench.import_speed DATA_DIR_OF_SCALE_100
    for line in to_markdown(run(Path(sys.argv[1]))):
        print(line)
