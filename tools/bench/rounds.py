"""`python -m tools.bench rounds`: a collection round for every county of the demo (scale 1),
each submitting its stations and coverage, timed where issue 21 sets budgets.

In a scratch data folder holding a copy of the demo's newest snapshot: a round is opened, every
county submits its prefilled workbooks (one station renamed, members +1 %) through the same
checks as /data, every submission is accepted; then one submission's review (the changes and the
unit's KPIs before → after, what /data shows) is timed, and the publish is run as the command
line runs it (`python -m uniondash round publish --yes`), timed with its peak resident memory.
Budgets: review under 2 s, publish under 30 s."""

from __future__ import annotations

import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from tools.bench.measure import PeakMemory
from uniondash.config import ROOT

BUDGET_REVIEW_S = 2.0
BUDGET_PUBLISH_S = 30.0
AS_OF, DUE = "2024-06-30", "2024-07-15"
NOW = "2024-07-10T10:00:00+08:00"


def _newest(data: Path):
    from uniondash.data.snapshots import list_snapshots

    return [s for s in list_snapshots(data / "snapshots", verify=False, data_checks=False) if s.ok][-1]


def _scratch(data: Path, into: Path) -> Path:
    """A data folder with only the demo's newest snapshot, copied."""
    newest = _newest(data)
    (into / "snapshots").mkdir(parents=True)
    shutil.copytree(newest.path, into / "snapshots" / newest.as_of)
    return into


def _upload(base, unit: str):
    from uniondash.data.importer import SourceFile
    from uniondash.data.rounds.checking import template_name, write_workbook

    files = []
    for table in ("stations", "coverage"):
        frame = pq.read_table(base.table_path(table), filters=[("adcode", "=", unit)]).to_pandas()
        if table == "stations" and len(frame):
            frame.loc[frame.index[0], "name"] = frame.loc[frame.index[0], "name"] + "（更新）"
        if table == "coverage":
            frame["members"] = (frame.members + frame.employees // 100).clip(upper=frame.employees)
        buffer = io.BytesIO()
        write_workbook(table, frame, buffer)
        files.append(SourceFile(template_name(table), data=buffer.getvalue()))
    return files


def run(data: Path, limit: int | None = None) -> dict:
    saved = {k: os.environ.get(k) for k in ("UNIONDASH_NOW", "UNIONDASH_USERS")}
    try:
        return _run(data, limit)
    finally:  # the environment as it was (the smoke test runs in the test session's process)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _run(data: Path, limit: int | None) -> dict:
    from uniondash.data import rounds as R
    from uniondash.data.rounds.kpis import kpis_before_after
    from uniondash.data.rounds.units import county_units

    os.environ["UNIONDASH_NOW"] = NOW
    with tempfile.TemporaryDirectory(prefix="bench-rounds-") as tmp:
        scratch = _scratch(data, Path(tmp))
        os.environ["UNIONDASH_USERS"] = str(Path(tmp) / "users.toml")  # audit lines stay in the scratch folder
        store = R.RoundStore(scratch)
        R.open_round(store, AS_OF, ["stations", "coverage"], DUE, "bench", "bench")
        base = store.base()
        region = base.manifest.get("region_adcode", "")
        units = list(county_units(base).unit)[:limit]
        submit_s = []
        for unit in units:
            files = _upload(base, unit)
            start = time.perf_counter()
            result = R.submit(store, files, f"bench.{unit}", (unit,), region)
            submit_s.append(time.perf_counter() - start)
            if not result.ok:
                raise SystemExit(f"{unit}: " + "; ".join(p.line("en") for p in result.problems[:5]))
        biggest = max(units, key=lambda u: store.unit(store.current(), u).latest["rows"]["stations"])
        start = time.perf_counter()
        rv = R.review(store, biggest)
        kpis = kpis_before_after(store.base(store.current()), biggest, rv.after)
        review_s = time.perf_counter() - start
        for unit in units:
            R.accept(store, unit, "bench")
        cmd = [sys.executable, "-m", "uniondash", "--data", str(scratch), "round", "publish", "--yes"]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        memory = PeakMemory(proc.pid)
        out, err = proc.communicate()
        publish_s = time.perf_counter() - start
        peak_mb = memory.stop()
        if proc.returncode != 0:
            raise SystemExit(f"publish failed: {err}")
        stations = pq.read_metadata(scratch / "snapshots" / AS_OF / "stations.parquet").num_rows
    return {
        "units": len(units),
        "stations_published": stations,
        "submit_median_s": round(statistics.median(submit_s), 2),
        "submit_max_s": round(max(submit_s), 2),
        "review_unit": biggest,
        "review_rows": int(sum(len(f) for f in rv.after.values())),
        "review_kpis": len(kpis),
        "review_s": round(review_s, 2),
        "publish_s": round(publish_s, 2),
        "publish_peak_mb": round(peak_mb, 1),
        "budget_review_s": BUDGET_REVIEW_S,
        "budget_publish_s": BUDGET_PUBLISH_S,
        "within_budget": review_s < BUDGET_REVIEW_S and publish_s < BUDGET_PUBLISH_S,
    }


def to_markdown(result: dict) -> str:
    ok = "✓" if result["within_budget"] else "✗ over budget"
    return "\n".join(
        [
            f"Collection round, {result['units']} counties (stations and coverage), demo scale 1: {ok}",
            "",
            "| step | time | budget | notes |",
            "|---|---|---|---|",
            f"| submit (each) | median {result['submit_median_s']} s, max {result['submit_max_s']} s | — |"
            " importer checks + the data checks on the candidate |",
            f"| review one submission | {result['review_s']} s | < {result['budget_review_s']:g} s |"
            f" {result['review_unit']}: {result['review_rows']} rows, {result['review_kpis']} KPIs before → after |",
            f"| publish | {result['publish_s']} s | < {result['budget_publish_s']:g} s | the command line,"
            f" peak {result['publish_peak_mb']} MB; {result['stations_published']:,} stations |",
        ]
    )


def main(data: Path, out: Path | None, limit: int | None = None) -> int:
    result = run(data, limit)
    print(to_markdown(result))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "bench-rounds.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if result["within_budget"] else 1
