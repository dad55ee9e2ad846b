"""`make load`: N concurrent browser sessions change filters on every page for a bounded time
against one server on 127.0.0.1; reports errors, interaction latency percentiles and the
server's peak memory. Stops by itself.

Latency is measured to the server's finished rerun with nothing stale on the page, not to the
last canvas painted: here all N browsers paint on the server's own two cores, where real users
each paint on their own machine."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from pathlib import Path

import psutil

from uniondash.bench.measure import RERUN_STARTED_JS, SCRIPT_DONE_JS, WATCH_RERUN_JS, PeakMemory
from uniondash.bench.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server

PAGES = ["/", "/stations", "/coverage"]


async def _session(browser, url: str, city_names: list[str], deadline: float, n: int, out: dict) -> None:
    ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
    page = await ctx.new_page()
    i = n
    while time.monotonic() < deadline:
        path = PAGES[i % len(PAGES)]
        city = city_names[i % len(city_names)]
        i += 1
        try:
            t0 = time.perf_counter()
            await page.goto(url + path)
            await page.wait_for_function(SCRIPT_DONE_JS, timeout=120_000, polling=100)
            out["loads"].append(time.perf_counter() - t0)
            box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="市（州）").first
            await box.locator("input").click()
            option = page.get_by_role("option", name=city).first
            await option.wait_for(timeout=10_000)
            await page.evaluate(WATCH_RERUN_JS)
            t0 = time.perf_counter()
            await option.click()
            await page.wait_for_function(RERUN_STARTED_JS, timeout=60_000, polling=50)
            await page.wait_for_function(SCRIPT_DONE_JS, timeout=120_000, polling=100)
            out["changes"].append(time.perf_counter() - t0)
            if await page.locator('[data-testid="stException"]').count():
                out["errors"].append(f"{path}: exception shown")
        except Exception as exc:  # a timeout or a crash is an error of the run, counted and reported
            out["errors"].append(f"{path}: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
    await ctx.close()


def _cpu(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def _machine_cpu() -> float:
    t = psutil.cpu_times()
    return t.user + t.system + getattr(t, "nice", 0.0)


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def _run(url: str, sessions: int, seconds: float, city_names: list[str]) -> dict:
    from playwright.async_api import async_playwright

    out = {"loads": [], "changes": [], "errors": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        deadline = time.monotonic() + seconds
        await asyncio.gather(*[_session(browser, url, city_names, deadline, n, out) for n in range(sessions)])
        await browser.close()
    return out


def load_test(data: Path, sessions: int = 20, seconds: float = 120) -> dict:
    from uniondash.bench.run import _first_units
    from uniondash.db import Warehouse

    wh = Warehouse(data / "snapshots", verify=False)
    regions = wh.run("regions", as_of=wh.latest.as_of)
    cities = list(regions.loc[regions.level == "city", "name"])[:6] or [_first_units(data)[0]]
    with streamlit_server(data) as (url, proc):
        mem = PeakMemory(proc.pid)
        server = psutil.Process(proc.pid)
        server_cpu0, total_cpu0, wall0 = _cpu(server), _machine_cpu(), time.monotonic()
        out = asyncio.run(_run(url, sessions, seconds, cities))
        server_cpu, total_cpu = _cpu(server) - server_cpu0, _machine_cpu() - total_cpu0
        wall = time.monotonic() - wall0
        peak = mem.stop()
    return {
        "sessions": sessions,
        "seconds": seconds,
        "interactions": len(out["loads"]) + len(out["changes"]),
        "errors": len(out["errors"]),
        "error_samples": out["errors"][:10],
        "load_p50_s": _pct(out["loads"], 50),
        "load_p95_s": _pct(out["loads"], 95),
        "change_p50_s": _pct(out["changes"], 50),
        "change_p95_s": _pct(out["changes"], 95),
        "server_peak_mb": peak,
        # Where the two cores went: the server's share of all CPU time used during the run.
        "server_cpu_s": server_cpu,
        "machine_cpu_s": total_cpu,
        "wall_s": wall,
        "server_cpu_share": server_cpu / total_cpu if total_cpu else None,
    }


def main(data: Path, sessions: int, seconds: float, out_dir: Path) -> int:
    result = load_test(data, sessions, seconds)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    fmt = lambda x: "—" if x is None else f"{x:.2f}"  # noqa: E731
    print(
        f"load test: {result['sessions']} sessions × {result['seconds']:.0f} s, {result['interactions']} "
        f"interactions, {result['errors']} errors; page load p50 {fmt(result['load_p50_s'])} s, p95 "
        f"{fmt(result['load_p95_s'])} s; filter change p50 {fmt(result['change_p50_s'])} s, p95 "
        f"{fmt(result['change_p95_s'])} s; server peak {result['server_peak_mb']:.0f} MB; the server used "
        f"{result['server_cpu_s']:.0f} of the {result['machine_cpu_s']:.0f} CPU-seconds the machine spent in "
        f"{result['wall_s']:.0f} s (the rest went to the {result['sessions']} Chromium sessions drawing)"
    )
    for e in result["error_samples"]:
        print("  error:", e)
    return 1 if result["errors"] else 0
