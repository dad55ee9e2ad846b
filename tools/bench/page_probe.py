"""A quick look at a few pages beside the floor page, in the system Chromium: first visit and the
median of N warm visits each, measured as `make bench` measures them (tools/bench/measure.py:
first screen drawn and fully drawn) but without the rest of the benchmark. For trying a change to
one page: run it against a copy of the code before the change (--before), or against a copy of
the page with one element left out, to learn what that element costs.

The visits are interleaved: every round visits the floor, then each page on each server, so a
machine whose other load drifts over the minutes weighs on every figure alike; ratios are to the
floor measured in the same rounds. Beside the wall-clock times, the CPU seconds the browser's
processes (renderer, GPU process drawing in software, browser) used for each visit: on a machine
other jobs share, wall time stretches with their load and CPU time much less, so an A/B of a
drawing change is judged by both.

    python -m tools.bench.page_probe /stations,/coverage [--reps 6] [--data DIR] [--before TREE]

TREE is a checkout of the code to compare with (e.g. `git worktree add /tmp/before HEAD~1`); its
pages are served from there, with the same data.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

from tools.bench.measure import WsCounter, visit
from tools.bench.server import browser, free_port, streamlit_server
from uniondash.config import load_settings


@contextlib.contextmanager
def tree_server(tree: Path, data: Path):
    """`streamlit run serve.py` from another checkout of the code (its own modules, same data)."""
    port = free_port()
    env = {**os.environ, "UNIONDASH_DATA": str(data), "PYTHONPATH": str(tree)}
    cmd = [sys.executable, "-m", "streamlit", "run", str(tree / "serve.py"), "--server.port", str(port)]
    cmd += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    proc = subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"the server in {tree} did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def browser_cpu_s() -> float:
    """CPU seconds (user + system) used so far by the Chromium processes this process started."""
    total = 0.0
    for proc in psutil.Process().children(recursive=True):
        try:
            if "chrom" in proc.name() or "headless" in proc.name():
                times = proc.cpu_times()
                total += times.user + times.system
        except psutil.Error:
            pass
    return total


def probe(chromium, targets: dict[str, str], reps: int) -> dict[str, dict]:
    """targets: name → full URL. One first visit and `reps` warm ones each, interleaved round by
    round, each target in its own browser context (so its warm visits are warm)."""
    pages = {}
    for name in targets:
        ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
        page = ctx.new_page()
        pages[name] = (ctx, page, WsCounter(page))
    got: dict[str, list] = {name: [] for name in targets}
    cpu: dict[str, list] = {name: [] for name in targets}
    for _ in range(reps + 1):
        for name, url in targets.items():
            _ctx, page, counter = pages[name]
            before = browser_cpu_s()
            got[name].append(visit(page, counter, url))
            cpu[name].append(browser_cpu_s() - before)
    for ctx, _page, _counter in pages.values():
        ctx.close()
    rows = {}
    for name, vs in got.items():
        warm = vs[1:]
        rows[name] = {
            "cold_s": vs[0].drawn_s,
            "warm_first_screen_s": statistics.median(v.first_screen_s for v in warm),
            "warm_drawn_s": statistics.median(v.drawn_s for v in warm),
            "warm_s": [v.drawn_s for v in warm],
            "ws_bytes": int(statistics.median(v.bytes for v in warm)),
            "warm_browser_cpu_s": statistics.median(cpu[name][1:]),
        }
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", help="comma-separated URL paths with their query strings, e.g. /stations,/")
    ap.add_argument("--reps", type=int, default=6)
    ap.add_argument("--data", default=str(load_settings().data_dir))
    ap.add_argument("--before", help="another checkout of the code, its pages measured beside these")
    args = ap.parse_args()
    data = Path(args.data).resolve()
    paths = args.paths.split(",")
    with contextlib.ExitStack() as stack:
        chromium = stack.enter_context(browser())
        floor_url, _ = stack.enter_context(streamlit_server(None, "tools/bench/floor_page.py"))
        url, _ = stack.enter_context(streamlit_server(data))
        targets = {"floor": floor_url + "/"}
        if args.before:
            before = stack.enter_context(tree_server(Path(args.before).resolve(), data))
            targets |= {f"before {p}": before + p for p in paths}
        targets |= {p: url + p for p in paths}
        rows = probe(chromium, targets, args.reps)
    floor = rows["floor"]
    print(
        "| page | first visit s | warm first screen s | × floor | warm drawn s | × floor "
        "| browser CPU s | × floor | WS bytes | warm visits s |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    for name, r in rows.items():
        spread = ", ".join(f"{s:.2f}" for s in r["warm_s"])
        fs, dr = r["warm_first_screen_s"], r["warm_drawn_s"]
        print(
            f"| {name} | {r['cold_s']:.2f} | {fs:.2f} | {fs / floor['warm_first_screen_s']:.2f} "
            f"| {dr:.2f} | {dr / floor['warm_drawn_s']:.2f} | {r['warm_browser_cpu_s']:.2f} "
            f"| {r['warm_browser_cpu_s'] / floor['warm_browser_cpu_s']:.2f} | {r['ws_bytes']:,} | {spread} |"
        )


if __name__ == "__main__":
    main()
