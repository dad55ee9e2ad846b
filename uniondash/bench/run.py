"""`python -m uniondash bench`: every page timed in the system Chromium beside two floors.

Floors, measured in the same run: an empty Streamlit page, and a page drawing one metric, one
small Plotly chart and one small pydeck map (floor_page.py). Each page's figure is reported as
a ratio to both; budgets (DESIGN.md section 6) are checked against the floor page.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from pathlib import Path

import psutil

from uniondash.bench.measure import PeakMemory, Sample, WsCounter, change_filter, load_page
from uniondash.bench.server import browser, streamlit_server

# (name, URL path, label of the multiselect to change, option to pick)
APP_PAGES = [("overview", "/", "市（州）", None)]
FLOOR_FILTER = ("筛选", "甲")
BUDGET_RATIO = 1.5
BUDGET_BYTES = {"1": 1.5 * 2**20, "100": 5 * 2**20}
BUDGET_MEMORY_MB = {"1": 500, "100": 2048}


def _loads(chromium, url: str, reps: int) -> tuple[Sample, Sample]:
    """First (cold cache) visit, then `reps` warm visits in the same browser context."""
    ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    counter = WsCounter(page)
    cold, warm = Sample(), Sample()
    s, b = load_page(page, counter, url)
    cold.seconds.append(s)
    cold.bytes.append(b)
    for _ in range(reps):
        s, b = load_page(page, counter, url)
        warm.seconds.append(s)
        warm.bytes.append(b)
    ctx.close()
    return cold, warm


def _filters(chromium, url: str, reps: int, label: str, option: str) -> Sample:
    ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
    sample = Sample()
    for _ in range(reps):
        page = ctx.new_page()
        counter = WsCounter(page)
        load_page(page, counter, url)
        s, b = change_filter(page, counter, label, option)
        sample.seconds.append(s)
        sample.bytes.append(b)
        page.close()
    ctx.close()
    return sample


def _first_city(data: Path) -> str:
    """The first city's name in the data's latest snapshot: the option the filter change picks."""
    from uniondash.db import Warehouse

    regions = Warehouse(data / "snapshots", verify=False).run("regions", as_of=_latest(data))
    return regions.loc[regions.level == "city", "name"].iloc[0]


def _latest(data: Path) -> str:
    return sorted(p.name for p in (data / "snapshots").iterdir() if not p.name.startswith("."))[-1]


def run(data: Path, big: Path | None, reps: int = 5) -> dict:
    rows: list[dict] = []
    with browser() as chromium:
        with streamlit_server(None, "uniondash/bench/empty_page.py") as (url, _):
            cold, warm = _loads(chromium, url, reps)
            rows.append({"page": "empty", "scale": "-", "cold": cold.summary(), "warm": warm.summary()})
        with streamlit_server(None, "uniondash/bench/floor_page.py") as (url, proc):
            mem = PeakMemory(proc.pid)
            cold, warm = _loads(chromium, url, reps)
            flt = _filters(chromium, url, reps, *FLOOR_FILTER)
            rows.append(
                {
                    "page": "floor",
                    "scale": "-",
                    "cold": cold.summary(),
                    "warm": warm.summary(),
                    "filter": flt.summary(),
                    "server_peak_mb": mem.stop(),
                }
            )
        for scale, folder in (("1", data), ("100", big)):
            if folder is None:
                continue
            with streamlit_server(folder) as (url, proc):
                mem = PeakMemory(proc.pid)
                for name, path, label, option in APP_PAGES:
                    cold, warm = _loads(chromium, url + path, reps)
                    flt = _filters(chromium, url + path, reps, label, option or _first_city(folder))
                    rows.append(
                        {
                            "page": name,
                            "scale": scale,
                            "cold": cold.summary(),
                            "warm": warm.summary(),
                            "filter": flt.summary(),
                        }
                    )
                peak = mem.stop()
                for r in rows:
                    if r["scale"] == scale:
                        r["server_peak_mb"] = peak
    return _judge(rows, reps)


def _judge(rows: list[dict], reps: int) -> dict:
    empty = next(r for r in rows if r["page"] == "empty")["warm"]["median_s"]
    floor = next(r for r in rows if r["page"] == "floor")
    for r in rows:
        w = r["warm"]["median_s"]
        r["warm_vs_empty"] = w / empty
        r["warm_vs_floor"] = w / floor["warm"]["median_s"]
        r["cold_vs_floor"] = r["cold"]["median_s"] / floor["cold"]["median_s"]
        if "filter" in r:
            r["filter_vs_floor"] = r["filter"]["median_s"] / floor["filter"]["median_s"]
        if r["scale"] in BUDGET_BYTES:
            r["budget"] = {
                "load_within_1.5x_floor": r["warm_vs_floor"] <= BUDGET_RATIO,
                "filter_within_1.5x_floor": r["filter_vs_floor"] <= BUDGET_RATIO,
                "bytes_within_budget": r["warm"]["bytes"] <= BUDGET_BYTES[r["scale"]],
                "memory_within_budget": r["server_peak_mb"] <= BUDGET_MEMORY_MB[r["scale"]],
            }
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.node()} · {psutil.cpu_count()} cores · "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB · {platform.python_version()}",
        "repetitions": reps,
        "rows": rows,
        "not_measured": [
            "stations page and its naive pandas version (the stations page is not built yet)",
            "load test (make load)",
        ],
    }


def to_markdown(result: dict) -> str:
    def sec(x):
        return "—" if x is None else f"{x:.2f}"

    lines = [
        "# Benchmarks",
        "",
        f"{result['date']} · {result['machine']} · {result['repetitions']} warm runs per figure "
        "(median; spread = max − min). Times from navigation (or the filter click) until the page is fully "
        "drawn: script finished, no skeleton or stale element, every chart and map canvas present. "
        "Bytes: WebSocket frames the server sent for one load or one filter change.",
        "",
        "| page | scale | warm load s (spread) | × empty | × floor | cold load s | × floor (cold) "
        "| filter s (spread) | filter × floor | bytes / load | bytes / filter | server peak MB | budget |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        f = r.get("filter") or {}
        budget = r.get("budget")
        verdict = (
            "—"
            if not budget
            else ("met" if all(budget.values()) else "missed: " + ", ".join(k for k, v in budget.items() if not v))
        )
        lines.append(
            f"| {r['page']} | {r['scale']} | {sec(r['warm']['median_s'])} ({sec(r['warm']['spread_s'])}) "
            f"| {r['warm_vs_empty']:.2f} | {r['warm_vs_floor']:.2f} | {sec(r['cold']['median_s'])} "
            f"| {r['cold_vs_floor']:.2f} | {sec(f.get('median_s'))} ({sec(f.get('spread_s'))}) "
            f"| {r.get('filter_vs_floor', float('nan')):.2f} | {r['warm']['bytes']:,} | "
            f"{f.get('bytes') or 0:,} | {r.get('server_peak_mb', 0):.0f} | {verdict} |"
        )
    lines += [
        "",
        "Budgets (DESIGN.md section 6): a page fully drawn within 1.5× the floor page, a filter change "
        "within 1.5× the floor's, at most 1.5 MB per page at scale 1 (5 MB at scale 100), server under "
        "500 MB (2 GB at scale 100).",
        "",
        "Not measured yet: " + "; ".join(result["not_measured"]) + ".",
    ]
    return "\n".join(lines) + "\n"


def write(result: dict, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "benchmarks.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    md = out_dir / "benchmarks.md"
    md.write_text(to_markdown(result), encoding="utf-8")
    return md
