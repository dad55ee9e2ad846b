"""Where a page's time goes in the browser: a Chromium performance trace of one warm visit, summed
per process and thread, the busiest trace events and the JavaScript functions sampled most.

    python -m tools.bench.trace /stations [--data DIR] [--warm 2] [--out trace.json]

The page is visited `--warm` times first (so the JavaScript bundle and the server's caches are warm,
as in `make bench`'s warm loads), then once more under the trace, until fully drawn
(tools/bench/measure.py). The trace file opens in Chromium's DevTools (Performance, Load profile) or
https://ui.perfetto.dev for the whole picture; the summary printed is what the notes in
docs/performance.md quote.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
from pathlib import Path

from tools.bench.measure import WsCounter, visit
from tools.bench.server import browser, streamlit_server
from uniondash.config import load_settings

CATEGORIES = (
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-devtools.timeline.frame",
    "v8.execute",
    "disabled-by-default-v8.cpu_profiler",
    "blink",
    "gpu",
    "toplevel",
)
# A thread's work is the sum of its top-level tasks (nested events are inside them).
TOP_LEVEL = {"ThreadControllerImpl::RunTask", "ThreadPool_RunTask", "RunTask", "TaskGraphRunner::RunTask"}


def summarise(events: list[dict], top: int = 15) -> str:
    names = {}  # (pid, tid) → thread name; pid → process name
    procs = {}
    for e in events:
        if e.get("ph") == "M" and e.get("name") == "thread_name":
            names[(e["pid"], e["tid"])] = e["args"]["name"]
        if e.get("ph") == "M" and e.get("name") == "process_name":
            procs[e["pid"]] = e["args"]["name"]
    tasks = collections.defaultdict(list)
    by_name = collections.Counter()
    for e in events:
        if e.get("ph") != "X" or "dur" not in e:
            continue
        key = (e["pid"], e["tid"])
        if e["name"] in TOP_LEVEL:
            tasks[key].append((e["ts"], e["ts"] + e["dur"]))
        else:
            by_name[(procs.get(e["pid"], e["pid"]), names.get(key, e["tid"]), e["name"])] += e["dur"]
    busy = collections.Counter({key: covered(spans) for key, spans in tasks.items()})
    lines = ["busiest threads (top-level tasks, ms):"]
    for (pid, tid), us in busy.most_common(8):
        lines.append(f"  {us / 1000:8.0f}  {procs.get(pid, pid)} / {names.get((pid, tid), tid)}")
    lines.append("busiest events (inclusive, ms; nested events counted in their parents too):")
    for (proc, thread, name), us in by_name.most_common(top * 2):
        lines.append(f"  {us / 1000:8.0f}  {proc} / {thread}: {name}")
    lines.append("JavaScript sampled (self time, ms):")
    for fn, ms in js_self_time(events).most_common(top):
        lines.append(f"  {ms:8.0f}  {fn}")
    return "\n".join(lines)


def covered(spans: list[tuple[float, float]]) -> float:
    """The time the spans cover, overlaps counted once (tasks nest: a RunTask inside a RunTask)."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(spans):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def js_self_time(events: list[dict]) -> collections.Counter:
    """Self time per JavaScript function from the V8 sampling profiler's ProfileChunk events."""
    nodes: dict[tuple, dict] = {}
    samples: list[tuple[tuple, int, int]] = []  # (profile id, node id, time delta µs)
    for e in events:
        if e.get("name") != "ProfileChunk":
            continue
        data = e.get("args", {}).get("data", {})
        prof = (e["pid"], e.get("id"))
        for n in data.get("cpuProfile", {}).get("nodes", []):
            frame = n.get("callFrame", {})
            url = frame.get("url", "").rsplit("/", 1)[-1]
            nodes[(prof, n["id"])] = {
                "fn": f"{frame.get('functionName') or '(anonymous)'} {url}:{frame.get('lineNumber', '')}"
            }
        ids = data.get("cpuProfile", {}).get("samples", [])
        deltas = data.get("timeDeltas", [])
        samples.extend((prof, i, d) for i, d in zip(ids, deltas))
    out = collections.Counter()
    for prof, i, d in samples:
        node = nodes.get((prof, i))
        if node:
            out[node["fn"]] += d / 1000
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", help="URL path with its query string, e.g. /stations")
    ap.add_argument("--data", default=str(load_settings().data_dir))
    ap.add_argument("--warm", type=int, default=2)
    ap.add_argument("--out", default="trace.json")
    args = ap.parse_args()
    with contextlib.ExitStack() as stack:
        chromium = stack.enter_context(browser())
        url, _ = stack.enter_context(streamlit_server(Path(args.data).resolve()))
        ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
        page = ctx.new_page()
        counter = WsCounter(page)
        for _ in range(args.warm):
            visit(page, counter, url + args.path)
        page.goto("about:blank")
        chromium.start_tracing(page=None, path=args.out, categories=list(CATEGORIES))
        v = visit(page, counter, url + args.path)
        chromium.stop_tracing()
        ctx.close()
    events = json.loads(Path(args.out).read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    print(f"{args.path}: first screen {v.first_screen_s:.2f} s, fully drawn {v.drawn_s:.2f} s, {v.bytes:,} WS bytes")
    print(summarise(events))


if __name__ == "__main__":
    main()
