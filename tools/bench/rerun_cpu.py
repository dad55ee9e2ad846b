"""Server CPU per rerun, page by page: one protocol session (tools/bench/protocol.py) against one
server, reruns one after another, the server process's CPU time read before and after each. With
nothing else talking to the server, CPU seconds per rerun are what a click costs it, whatever else
the machine is doing (unlike wall-clock times). Optionally records the server with py-spy.

    python -m tools.bench.rerun_cpu [--data DIR] [--reps 5] [--py-spy OUT.txt]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import psutil

from tools.bench.protocol import ProtocolSession
from tools.bench.server import streamlit_server
from uniondash.config import load_settings

PAGES = ("", "stations", "coverage", "competitions", "county")
# Filter changes where the load test makes them. The protocol session sends only the widget it
# changes (a browser sends every widget's value), which pages whose keyed widgets are read before
# they are drawn (competitions' year) do not survive; those pages are measured opening only.
FILTERED = ("", "stations", "coverage")
CITY_LABEL = "市（州）"


def _cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


async def _measure(url: str, proc: psutil.Process, city_name: str, reps: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, list[float]]] = {}
    async with ProtocolSession(url) as s:
        await s.open("", "")  # warm every cache once: the figures are a returning user's
        for page in PAGES:
            await s.open(page, s.query)
            if page in FILTERED:
                await s.pick(CITY_LABEL, [city_name])
                await s.pick(CITY_LABEL, [])
        for page in PAGES:
            rows = out.setdefault(page or "overview", {"open": [], "city": [], "clear": []})
            steps = [("open", lambda page=page: s.open(page, s.query))]
            if page in FILTERED:
                steps += [("city", lambda: s.pick(CITY_LABEL, [city_name])), ("clear", lambda: s.pick(CITY_LABEL, []))]
            for _ in range(reps):
                for step, call in steps:
                    c0 = _cpu(proc)
                    r = await call()
                    rows[step].append(_cpu(proc) - c0)
                    if r.exceptions:
                        raise RuntimeError(f"{page}: {r.exceptions[0]}")
    return {p: {k: statistics.median(v) if v else None for k, v in steps.items()} for p, steps in out.items()}


def run(data: Path, reps: int, py_spy: Path | None) -> dict:
    with streamlit_server(data) as (url, proc):
        server = psutil.Process(proc.pid)
        spy = None
        tool = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
        if py_spy and not tool:
            raise SystemExit("--py-spy: py-spy is not installed (make install; requirements-dev.txt pins it)")
        if py_spy:
            spy = subprocess.Popen(
                [tool, "record", "--pid", str(proc.pid), "--format", "raw", "-r", "200", "-o", str(py_spy)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        try:
            result = asyncio.run(_measure(url, server, "武汉市", reps))
        finally:
            if spy:
                spy.send_signal(2)
                spy.wait(timeout=30)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(load_settings().data_dir))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--py-spy", type=Path, help="write a py-spy raw (collapsed stacks) profile here")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = ap.parse_args()
    result = run(Path(args.data), args.reps, args.py_spy)
    print("| page | open CPU s | city pick CPU s | city clear CPU s |\n|---|---|---|---|")
    for page, steps in result.items():
        cells = " | ".join("—" if steps[k] is None else f"{steps[k]:.3f}" for k in ("open", "city", "clear"))
        print(f"| {page} | {cells} |")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
