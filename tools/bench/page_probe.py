"""A quick look at a few pages beside the floor page, in the system Chromium: first visit and the
median of N warm visits each, measured as `make bench` measures them (tools/bench/measure.py) but
without the rest of the benchmark. For trying a change to one page: run it before and after, or
against a copy of the page with one element left out, to learn what that element costs.

    python -m tools.bench.page_probe /stations,/coverage [--reps 6] [--data DIR]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from tools.bench.measure import WsCounter, load_page
from tools.bench.server import browser, streamlit_server
from uniondash.config import load_settings


def visits(chromium, base: str, path: str, reps: int) -> dict:
    """One first visit and `reps` warm ones in a fresh browser context: seconds to fully drawn."""
    ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    counter = WsCounter(page)
    times = [load_page(page, counter, base + path)[0] for _ in range(reps + 1)]
    ctx.close()
    return {"cold_s": times[0], "warm_median_s": statistics.median(times[1:]), "warm_s": times[1:]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("paths", help="comma-separated URL paths with their query strings, e.g. /stations,/")
    ap.add_argument("--reps", type=int, default=6)
    ap.add_argument("--data", default=str(load_settings().data_dir))
    args = ap.parse_args()
    with browser() as chromium:
        with streamlit_server(None, "tools/bench/floor_page.py") as (url, _proc):
            floor = visits(chromium, url, "/", args.reps)
        rows = {"floor": floor}
        with streamlit_server(Path(args.data)) as (url, _proc):
            for path in args.paths.split(","):
                rows[path] = visits(chromium, url, path, args.reps)
    print("| page | first visit s | warm median s | × floor (warm) | warm visits s |\n|---|---|---|---|---|")
    for name, r in rows.items():
        spread = ", ".join(f"{s:.2f}" for s in r["warm_s"])
        ratio = r["warm_median_s"] / floor["warm_median_s"]
        print(f"| {name} | {r['cold_s']:.2f} | {r['warm_median_s']:.2f} | {ratio:.2f} | {spread} |")


if __name__ == "__main__":
    main()
