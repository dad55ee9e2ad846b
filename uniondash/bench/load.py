"""`make load`: N concurrent browser sessions change filters on every page for a bounded time
against one server on 127.0.0.1; reports errors, interaction latency percentiles, the server's
peak memory and its share of the machine's CPU. Stops by itself.

Latency is measured to the server's finished rerun with nothing stale on the page, not to the
last canvas painted. By default the sessions do not load the map and chart renderers: the
server still computes and sends everything, but N software-rendered WebGL maps would otherwise
starve the two cores the server runs on, where real users each draw on their own machine
(`--draw` keeps them, and the report says where the CPU went)."""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import time
from pathlib import Path

import psutil

from uniondash.bench.measure import SCRIPT_DONE_JS, WATCH_RERUN_JS, PeakMemory
from uniondash.bench.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server

PAGES = ["/", "/stations", "/coverage"]
RENDERERS = re.compile(r".*/static/js/(DeckGlJsonChart|PlotlyChart)[^/]*\.js$")


async def _session(browser, url: str, cities: list[str], deadline: float, n: int, out: dict, draw: bool) -> None:
    ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
    if not draw:
        await ctx.route(RENDERERS, lambda route: route.abort())
    page = await ctx.new_page()
    i = n
    while time.monotonic() < deadline:
        path = PAGES[i % len(PAGES)]
        city = cities[i % len(cities)]
        i += 1
        try:
            t0 = time.perf_counter()
            await page.goto(url + path)
            await page.wait_for_function(SCRIPT_DONE_JS, timeout=120_000, polling=100)
            out["loads"].append(time.perf_counter() - t0)
            box = page.locator('[data-testid="stMultiSelect"]').filter(has_text="市（州）").first
            await box.locator("input").click()
            option = page.get_by_role("option", name=city).first
            await option.wait_for(timeout=30_000)
            await page.evaluate(WATCH_RERUN_JS)
            t0 = time.perf_counter()
            await option.click()
            await page.wait_for_url(lambda u: "city=" in u, timeout=60_000)
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


def _pct(values: list[float], q: int) -> float | None:
    if not values:
        return None
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


async def _run(url: str, sessions: int, seconds: float, cities: list[str], draw: bool) -> dict:
    from playwright.async_api import async_playwright

    out = {"loads": [], "changes": [], "errors": []}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        deadline = time.monotonic() + seconds
        await asyncio.gather(*[_session(browser, url, cities, deadline, n, out, draw) for n in range(sessions)])
        await browser.close()
    return out


def load_test(data: Path, sessions: int = 20, seconds: float = 120, draw: bool = False) -> dict:
    from uniondash.db import Warehouse

    wh = Warehouse(data / "snapshots", verify=False)
    regions = wh.run("regions", as_of=wh.latest.as_of)
    cities = list(regions.loc[regions.level == "city", "name"])[:6]
    with streamlit_server(data) as (url, proc):
        mem = PeakMemory(proc.pid)
        server = psutil.Process(proc.pid)
        server_cpu0, machine_cpu0, wall0 = _cpu(server), _machine_cpu(), time.monotonic()
        out = asyncio.run(_run(url, sessions, seconds, cities, draw))
        server_cpu, machine_cpu = _cpu(server) - server_cpu0, _machine_cpu() - machine_cpu0
        wall = time.monotonic() - wall0
        peak = mem.stop()
    return {
        "sessions": sessions,
        "seconds": seconds,
        "browsers_draw": draw,
        "interactions": len(out["loads"]) + len(out["changes"]),
        "errors": len(out["errors"]),
        "error_samples": out["errors"][:10],
        "load_p50_s": _pct(out["loads"], 50),
        "load_p95_s": _pct(out["loads"], 95),
        "change_p50_s": _pct(out["changes"], 50),
        "change_p95_s": _pct(out["changes"], 95),
        "server_peak_mb": peak,
        "server_cpu_s": server_cpu,
        "machine_cpu_s": machine_cpu,
        "wall_s": wall,
    }


def _s(x) -> str:
    return "—" if x is None else f"{x:.2f}"


def main(data: Path, sessions: int, seconds: float, out_dir: Path, draw: bool = False) -> int:
    r = load_test(data, sessions, seconds, draw)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "load.json").write_text(json.dumps(r, ensure_ascii=False, indent=2), encoding="utf-8")
    print(
        f"load test: {r['sessions']} sessions × {r['seconds']:.0f} s (browsers draw maps: {r['browsers_draw']}), "
        f"{r['interactions']} interactions, {r['errors']} errors; page load p50 {_s(r['load_p50_s'])} s, "
        f"p95 {_s(r['load_p95_s'])} s; filter change p50 {_s(r['change_p50_s'])} s, p95 {_s(r['change_p95_s'])} s; "
        f"server peak {r['server_peak_mb']:.0f} MB; server CPU {r['server_cpu_s']:.0f} s of the machine's "
        f"{r['machine_cpu_s']:.0f} s in {r['wall_s']:.0f} s"
    )
    for e in r["error_samples"]:
        print("  error:", e)
    return 1 if r["errors"] else 0
