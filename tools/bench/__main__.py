"""`python -m tools.bench pages|load|rounds …`: the page benchmark, the load test (docs/benchmarks.md)
and the collection round's timings (tools/bench/rounds.py).

    python -m tools.bench pages [--reps 5] [--scale100 DIR] [--out docs]
    python -m tools.bench load [--sessions 20,50] [--workers 0,2] [--url URL] [--seconds 120] [--out docs]
    python -m tools.bench rounds [--out DIR] [--units N]

The data folder is --data, else $UNIONDASH_DATA, else ./data. `python -m uniondash bench|load`
start this module in a subprocess (the runtime package imports nothing from tools/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from uniondash.config import load_settings


def _pages(args, settings) -> int:
    from tools.bench.run import run, to_markdown, write
    from uniondash.demo import build_demo

    data = Path(args.data or settings.data_dir)
    if not (data / "snapshots").is_dir():
        build_demo(data, settings.region_adcode)
    big = None
    if args.scale100:
        big = Path(args.scale100)
        if not (big / "snapshots").is_dir():
            build_demo(big, settings.region_adcode, scale=100)
    result = run(data, big, reps=args.reps)
    write(result, Path(args.out))
    print(to_markdown(result))
    return 0


def _load(args, settings) -> int:
    from tools.bench.load import main as load_main

    return load_main(
        Path(args.data or settings.data_dir),
        args.sessions,
        args.seconds,
        Path(args.out),
        args.draw,
        args.browsers,
        args.think,
        workers=args.workers,
        url=args.url,
        cpu_reps=args.cpu_reps,
    )


def _rounds(args, settings) -> int:
    from tools.bench.rounds import main as rounds_main
    from uniondash.demo import build_demo

    data = Path(args.data or settings.data_dir)
    if not (data / "snapshots").is_dir():
        build_demo(data, settings.region_adcode)
    return rounds_main(data, Path(args.out) if args.out else None, args.units)


def _counts(text: str) -> list[int]:
    """ "20,50": one run each."""
    return [int(x) for x in text.split(",")]


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tools.bench", description="page benchmark and load test")
    p.add_argument("--data", help="data folder (default $UNIONDASH_DATA or ./data)")
    sub = p.add_subparsers(dest="command", required=True)
    pages = sub.add_parser("pages", help="time every page in Chromium against floor pages")
    pages.add_argument("--reps", type=int, default=5)
    pages.add_argument("--scale100", help="data folder of the --scale 100 demo (built if absent)")
    pages.add_argument("--out", default="docs", help="folder for benchmarks.md and benchmarks.json")
    load = sub.add_parser("load", help="concurrent sessions changing pages and filters against a server")
    load.add_argument("--sessions", type=_counts, default=[20], help="users speaking the app's WebSocket protocol")
    load.add_argument("--workers", type=_counts, default=[0], help="0: one process; N: make serve WORKERS=N")
    load.add_argument("--url", help="load a server or proxy already running instead")
    load.add_argument("--cpu-reps", type=int, default=3, help="quiet reruns per page for CPU per rerun (0: skip)")
    load.add_argument("--browsers", type=int, default=2, help="Chromium tabs doing the same by clicking")
    load.add_argument("--think", type=float, default=3.0, help="users' mean pause between clicks (0: stress)")
    load.add_argument("--seconds", type=float, default=120)
    load.add_argument("--out", default="docs")
    load.add_argument("--draw", action="store_true", help="let every session draw maps and charts too")
    rounds = sub.add_parser("rounds", help="a collection round of every county: review and publish timed")
    rounds.add_argument("--out", help="folder for bench-rounds.json (default: print only)")
    rounds.add_argument("--units", type=int, help="only the first N counties submit (default: all)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return {"pages": _pages, "load": _load, "rounds": _rounds}[args.command](args, load_settings())


if __name__ == "__main__":
    sys.exit(main())
