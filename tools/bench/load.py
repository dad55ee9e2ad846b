"""`make load`: N concurrent sessions (default 20) move between pages and change filters for a
bounded time against one server on 127.0.0.1; reports errors (must be 0), interaction latency
percentiles, the server's peak memory and its share of the machine's CPU. Stops by itself.

The N users speak Streamlit's WebSocket protocol (bench/protocol.py): the server runs, serialises
and sends every page exactly as for a browser, but nothing is drawn. Twenty Chromium tabs on this
machine's two cores were tried first and measured the browser instead: the tabs used ~240 of
280 CPU-seconds, the server ~40, and page opens waited 55-85 s for a core. Beside them, a few real
browser tabs (default 2, Chromium) do the same by clicking, and their latencies (to the finished
rerun with nothing stale on the page) are reported separately: what a person at the dashboard
sees while the server carries the N users. Map and chart renderers are not loaded in those tabs
(`--draw` loads them) so that their software-rendered WebGL does not take the server's cores.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import statistics
import time
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from tools.bench.measure import SCRIPT_DONE_JS, PeakMemory
from tools.bench.protocol import ProtocolSession
from tools.bench.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server

PAGES = ["/", "/stations", "/coverage"]
RENDERERS = re.compile(r".*/static/js/(DeckGlJsonChart|PlotlyChart)[^/]*\.js$")
CITY_BOX = '[data-testid="stMultiSelect"]'
RAMP_S = 20.0  # users arrive over the first 20 s (at most a quarter of the run)


async def _rerun(page, action, url_done, timeout_ms: int = 120_000) -> float:
    """Seconds from an action (a click) until the URL shows its effect (the app writes its state
    to the URL as the rerun runs) and the rerun has finished with nothing stale."""
    t0 = time.perf_counter()
    await action()
    await page.wait_for_url(url_done, timeout=timeout_ms)
    await page.wait_for_function(SCRIPT_DONE_JS, timeout=timeout_ms, polling=50)
    return time.perf_counter() - t0


async def _session(ctx, url: str, cities: list[str], deadline: float, n: int, out: dict, start_s: float) -> None:
    """One user: opens the dashboard once, then moves between pages by the sidebar (as people do:
    the app's JavaScript is loaded once per visit) and on each page picks a city, then clears it.
    Every user has a tab (a Streamlit session) of one browser profile, as colleagues on one
    intranet share a cached copy of the app's JavaScript; users arrive start_s apart."""
    await asyncio.sleep(start_s)
    page = await ctx.new_page()
    i = n
    try:
        t0 = time.perf_counter()
        await page.goto(url + PAGES[i % len(PAGES)], timeout=120_000)
        await page.wait_for_function(SCRIPT_DONE_JS, timeout=120_000, polling=100)
        out["opens"].append(time.perf_counter() - t0)
    except Exception as exc:
        out["errors"].append(f"open: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
        await page.close()
        return
    while time.monotonic() < deadline:
        i += 1
        path = PAGES[i % len(PAGES)]
        city = cities[i % len(cities)]
        step = "page switch"
        try:
            link = page.locator(f'[data-testid="stSidebarNav"] a[href="{url}{path}"]').first
            out["switches"].append(await _rerun(page, link.click, lambda u, p=path: urlsplit(u).path == p))
            step = "city picked"
            box = page.locator(CITY_BOX).filter(has_text="市（州）").first
            await box.locator("input").click()
            option = page.get_by_role("option", name=city).first
            await option.wait_for(timeout=30_000)
            out["changes"].append(await _rerun(page, option.click, lambda u: "city=" in u))
            await page.keyboard.press("Escape")
            step = "city cleared"
            clear = box.locator('[aria-label="Clear all"]').first
            out["changes"].append(await _rerun(page, clear.click, lambda u: "city=" not in u))
            if await page.locator('[data-testid="stException"]').count():
                out["errors"].append(f"{path}: exception shown")
        except Exception as exc:  # a timeout or a crash is an error of the run, counted and reported
            out["errors"].append(f"{path} ({step}): {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
    await page.close()


async def _user(
    url: str, cities: dict[str, str], deadline: float, n: int, out: dict, start_s: float, think_s: float
) -> None:
    """One user without a browser: arrives by a link carrying a city, then goes through the pages
    (as by the sidebar), on each picking another city and clearing it. Checks each rerun's URL."""
    await asyncio.sleep(start_s)
    codes = list(cities)
    i = n
    try:
        async with ProtocolSession(url) as s:
            first = codes[n % len(codes)]  # arrives by a link that carries a city
            r = await asyncio.wait_for(s.open(PAGES[n % len(PAGES)].strip("/"), f"city={first}"), timeout=120)
            out["users"]["opens"].append(r.seconds)
            if f"city={first}" not in r.query_string:
                out["errors"].append(f"user {n}: URL {r.query_string!r} after opening a link with city={first}")
            while time.monotonic() < deadline:
                i += 1
                page = PAGES[i % len(PAGES)].strip("/")
                b = codes[(i + 1) % len(codes)]
                steps = [
                    ("switches", s.open, (page, s.query), None),  # the sidebar: same filters, other page
                    ("changes", s.pick, ("市（州）", [cities[b]]), f"city={b}"),
                    ("changes", s.pick, ("市（州）", []), ""),
                ]
                for kind, step, args, expect in steps:
                    await asyncio.sleep(think_s * (0.5 + random.random()))  # reading before the next click
                    r = await asyncio.wait_for(step(*args), timeout=120)
                    out["users"][kind].append(r.seconds)
                    out["users"]["bytes"].append(r.bytes)
                    ok = expect is None or (expect in r.query_string if expect else "city=" not in r.query_string)
                    if r.exceptions:
                        out["errors"].append(f"/{page}: exception shown: {r.exceptions[0]}")
                    elif not ok:
                        out["errors"].append(f"/{page}: URL {r.query_string!r} after {kind}, expected {expect!r}")
    except Exception as exc:  # a timeout or a dropped connection is an error of the run
        out["errors"].append(f"user {n}: {type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}")


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


async def _run(
    url: str, users: int, browsers: int, seconds: float, cities: dict[str, str], draw: bool, think_s: float
) -> dict:
    from playwright.async_api import async_playwright

    out = {
        "users": {"opens": [], "switches": [], "changes": [], "bytes": []},
        "opens": [],
        "switches": [],
        "changes": [],
        "errors": [],
    }
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
        if not draw:
            await ctx.route(RENDERERS, lambda route: route.abort())
        warm = await ctx.new_page()  # the app's JavaScript in the browser's cache, as on a returning visit
        await warm.goto(url, timeout=120_000)
        await warm.wait_for_function(SCRIPT_DONE_JS, timeout=120_000, polling=100)
        await warm.close()
        deadline = time.monotonic() + seconds
        gap = min(RAMP_S, seconds / 4) / max(1, users)
        names = list(cities.values())
        await asyncio.gather(
            *[_user(url, cities, deadline, n, out, n * gap, think_s) for n in range(users)],
            *[_session(ctx, url, names, deadline, n, out, n * 2.0) for n in range(browsers)],
        )
        await browser.close()
    return out


def load_test(
    data: Path, users: int = 20, seconds: float = 120, browsers: int = 2, draw: bool = False, think_s: float = 3.0
) -> dict:
    from uniondash.data.warehouse import Warehouse

    wh = Warehouse(data / "snapshots", verify=False)
    regions = wh.run("regions", as_of=wh.latest.as_of)
    city_rows = regions[regions.level == "city"].head(6)
    cities = dict(zip(city_rows.adcode, city_rows.name))
    with streamlit_server(data) as (url, proc):
        mem = PeakMemory(proc.pid)
        server = psutil.Process(proc.pid)
        server_cpu0, machine_cpu0, wall0 = _cpu(server), _machine_cpu(), time.monotonic()
        out = asyncio.run(_run(url, users, browsers, seconds, cities, draw, think_s))
        server_cpu, machine_cpu = _cpu(server) - server_cpu0, _machine_cpu() - machine_cpu0
        wall = time.monotonic() - wall0
        peak = mem.stop()
    u = out["users"]
    return {
        "users": users,
        "browser_tabs": browsers,
        "user_think_s": think_s,
        "seconds": seconds,
        "browsers_draw": draw,
        "interactions": len(u["switches"])
        + len(u["changes"])
        + len(out["opens"])
        + len(out["switches"])
        + len(out["changes"]),
        "errors": len(out["errors"]),
        "error_samples": out["errors"][:10],
        "users_open_p50_s": _pct(u["opens"], 50),
        "users_page_switch_p50_s": _pct(u["switches"], 50),
        "users_page_switch_p95_s": _pct(u["switches"], 95),
        "users_filter_change_p50_s": _pct(u["changes"], 50),
        "users_filter_change_p95_s": _pct(u["changes"], 95),
        "users_bytes_per_rerun_p50": _pct(u["bytes"], 50),
        "browser_open_p50_s": _pct(out["opens"], 50),
        "browser_page_switch_p50_s": _pct(out["switches"], 50),
        "browser_page_switch_p95_s": _pct(out["switches"], 95),
        "browser_filter_change_p50_s": _pct(out["changes"], 50),
        "browser_filter_change_p95_s": _pct(out["changes"], 95),
        "server_peak_mb": peak,
        "server_cpu_s": server_cpu,
        "machine_cpu_s": machine_cpu,
        "wall_s": wall,
    }


def _s(x) -> str:
    return "—" if x is None else f"{x:.2f}"


def main(
    data: Path, users: int, seconds: float, out_dir: Path, draw: bool = False, browsers: int = 2, think_s: float = 3.0
) -> int:
    r = load_test(data, users, seconds, browsers, draw, think_s)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "load.json").write_text(json.dumps(r, ensure_ascii=False, indent=2), encoding="utf-8")
    print(
        f"load test: {r['users']} users (protocol, {r['user_think_s']:g} s think time) + {r['browser_tabs']} "
        f"browser tabs × {r['seconds']:.0f} s, "
        f"{r['interactions']} interactions, {r['errors']} errors\n"
        f"  users: open p50 {_s(r['users_open_p50_s'])} s; "
        f"page switch p50 {_s(r['users_page_switch_p50_s'])} s, p95 {_s(r['users_page_switch_p95_s'])} s; "
        f"filter change p50 {_s(r['users_filter_change_p50_s'])} s, p95 {_s(r['users_filter_change_p95_s'])} s\n"
        f"  browser tabs: first open p50 {_s(r['browser_open_p50_s'])} s; page switch p50 "
        f"{_s(r['browser_page_switch_p50_s'])} s, p95 {_s(r['browser_page_switch_p95_s'])} s; filter change p50 "
        f"{_s(r['browser_filter_change_p50_s'])} s, p95 {_s(r['browser_filter_change_p95_s'])} s\n"
        f"  server peak {r['server_peak_mb']:.0f} MB; server CPU {r['server_cpu_s']:.0f} s of the machine's "
        f"{r['machine_cpu_s']:.0f} s in {r['wall_s']:.0f} s"
    )
    for e in r["error_samples"]:
        print("  error:", e)
    return 1 if r["errors"] else 0
