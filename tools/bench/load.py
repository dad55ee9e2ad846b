"""`make load`: N concurrent sessions (default 20) move between pages and change filters for a
bounded time; reports errors (must be 0), interaction latency percentiles, each server process's
peak memory and CPU, and how the interactions spread over the workers. Stops by itself.

Targets: one Streamlit process (`--workers 0`, what `make run` serves), `make serve WORKERS=N`
started by the load test itself (`--workers N`), or a server or proxy already running (`--url`).
`--workers 0,2` runs the same load against each in one invocation. Behind the serve stack's nginx
every user first loads the page over HTTP (nginx sets its sticky cookie) and opens its WebSocket
with that cookie, as a browser does; nginx names the worker that answered (X-Uniondash-Worker).
Server CPU per interaction: the mean under load (the workers' CPU-seconds over the interactions),
and the median per rerun from a quiet pass afterwards (one user, each rerun's CPU-seconds read
from its worker's own accounting, psutil).

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
import random
import re
import statistics
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from tools.bench.measure import SCRIPT_DONE_JS, PeakMemory
from tools.bench.protocol import ProtocolSession
from tools.bench.server import CHROMIUM, CHROMIUM_ARGS
from tools.bench.targets import WORKER_HEADER, target

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


def _first_visit(url: str) -> tuple[str, str]:
    """The page's HTTP load, as a browser's: (Cookie header to send back, worker that answered)."""
    with urllib.request.urlopen(url + "/", timeout=60) as r:
        r.read()
        cookies = [c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or []]
        return "; ".join(cookies), r.headers.get(WORKER_HEADER, "")


async def _user(
    url: str, cities: dict[str, str], deadline: float, n: int, out: dict, start_s: float, think_s: float
) -> None:
    """One user without a browser: loads the page (behind nginx: gets its sticky cookie), arrives
    by a link carrying a city, then goes through the pages (as by the sidebar), on each picking
    another city and clearing it. Checks each rerun's URL; counts its interactions per worker."""
    await asyncio.sleep(start_s)
    codes = list(cities)
    i = n
    try:
        cookie, worker = await asyncio.to_thread(_first_visit, url)
        async with ProtocolSession(url, headers={"Cookie": cookie} if cookie else None) as s:
            if worker and s.worker and s.worker != worker:
                out["errors"].append(f"user {n}: page from {worker}, WebSocket to {s.worker} (not sticky)")
            worker = s.worker or worker or out["only_worker"]
            first = codes[n % len(codes)]  # arrives by a link that carries a city
            r = await asyncio.wait_for(s.open(PAGES[n % len(PAGES)].strip("/"), f"city={first}"), timeout=120)
            out["users"]["opens"].append(r.seconds)
            out["per_worker"][worker] += 1
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
                    out["per_worker"][worker] += 1
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
    url: str,
    users: int,
    browsers: int,
    seconds: float,
    cities: dict[str, str],
    draw: bool,
    think_s: float,
    only_worker: str,
) -> dict:
    out = {
        "users": {"opens": [], "switches": [], "changes": [], "bytes": []},
        "opens": [],
        "switches": [],
        "changes": [],
        "errors": [],
        "per_worker": Counter(),
        "only_worker": only_worker,  # the worker of a target without nginx's header (one process)
    }
    gap = min(RAMP_S, seconds / 4) / max(1, users)

    def protocol_users(deadline: float) -> list:
        return [_user(url, cities, deadline, n, out, n * gap, think_s) for n in range(users)]

    if not browsers:
        await asyncio.gather(*protocol_users(time.monotonic() + seconds))
        return out
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
        if not draw:
            await ctx.route(RENDERERS, lambda route: route.abort())
        warm = await ctx.new_page()  # the app's JavaScript in the browser's cache, as on a returning visit
        response = await warm.goto(url, timeout=120_000)
        tabs_worker = (response and response.headers.get(WORKER_HEADER.lower())) or only_worker  # one cookie jar
        await warm.wait_for_function(SCRIPT_DONE_JS, timeout=120_000, polling=100)
        await warm.close()
        deadline = time.monotonic() + seconds
        names = list(cities.values())
        await asyncio.gather(
            *protocol_users(deadline),
            *[_session(ctx, url, names, deadline, n, out, n * 2.0) for n in range(browsers)],
        )
        await browser.close()
    out["per_worker"][tabs_worker] += len(out["opens"]) + len(out["switches"]) + len(out["changes"])
    return out


async def _quiet_cpu(url: str, pids: dict[str, int], only_worker: str, cities: dict[str, str], reps: int) -> dict:
    """One user alone: each page opened, a city picked and cleared, `reps` times; each rerun's
    server CPU-seconds from its worker's own counters (the rerun is all the worker does then)."""
    cookie, worker = await asyncio.to_thread(_first_visit, url)
    samples: dict[str, list[float]] = {}
    async with ProtocolSession(url, headers={"Cookie": cookie} if cookie else None) as s:
        pid = pids.get(s.worker or worker or only_worker)
        if pid is None:
            return {}
        proc = psutil.Process(pid)
        city = next(iter(cities.values()))
        for _ in range(reps):
            for page in PAGES:
                for kind, step, args in (
                    ("open", s.open, (page.strip("/"), "")),
                    ("filter", s.pick, ("市（州）", [city])),
                    ("filter", s.pick, ("市（州）", [])),
                ):
                    before = _cpu(proc)
                    await asyncio.wait_for(step(*args), timeout=120)
                    samples.setdefault(f"{page} {kind}", []).append(_cpu(proc) - before)
    every = [x for xs in samples.values() for x in xs]
    return {
        "cpu_per_rerun_median_s": statistics.median(every),
        "cpu_per_rerun_by_step_median_s": {k: statistics.median(v) for k, v in samples.items()},
        "cpu_reruns_measured": len(every),
    }


async def _warm(workers: list[str]) -> None:
    """Each page once on every worker, directly: a served dashboard has been up for a while, and
    each worker's first visit (opening the snapshots, filling caches) is not what users measure."""
    for w in workers:
        async with ProtocolSession(f"http://{w}") as s:
            for page in PAGES:
                await asyncio.wait_for(s.open(page.strip("/"), ""), timeout=120)


def _cities(data: Path) -> dict[str, str]:
    from uniondash.data.warehouse import Warehouse

    wh = Warehouse(data / "snapshots", verify=False)
    regions = wh.run("regions", as_of=wh.latest.as_of)
    city_rows = regions[regions.level == "city"].head(6)
    return dict(zip(city_rows.adcode, city_rows.name))


def load_test(
    data: Path,
    users: int = 20,
    seconds: float = 120,
    browsers: int = 2,
    draw: bool = False,
    think_s: float = 3.0,
    workers: int = 0,
    url: str | None = None,
    cpu_reps: int = 3,
) -> dict:
    cities = _cities(data)
    with target(data, workers, url) as t:
        asyncio.run(_warm(list(t.pids)))
        procs = {w: psutil.Process(pid) for w, pid in t.pids.items()}
        mems = {w: PeakMemory(pid) for w, pid in t.pids.items()}
        cpu0 = {w: _cpu(p) for w, p in procs.items()}
        machine_cpu0, wall0 = _machine_cpu(), time.monotonic()
        only = next(iter(t.pids)) if len(t.pids) == 1 else "unknown"
        out = asyncio.run(_run(t.url, users, browsers, seconds, cities, draw, think_s, only))
        cpu = {w: _cpu(p) - cpu0[w] for w, p in procs.items()}
        machine_cpu, wall = _machine_cpu() - machine_cpu0, time.monotonic() - wall0
        peaks = {w: m.stop() for w, m in mems.items()}
        quiet = {}
        if cpu_reps and t.pids:
            time.sleep(2.0)  # the load's sessions are closed and cleaned up first
            quiet = asyncio.run(_quiet_cpu(t.url, t.pids, only, cities, cpu_reps))
    u = out["users"]
    interactions = sum(out["per_worker"].values())
    server_cpu = sum(cpu.values()) if cpu else None
    return {
        "target": t.label,
        "workers": len(t.pids) or None,
        "users": users,
        "browser_tabs": browsers,
        "user_think_s": think_s,
        "seconds": seconds,
        "browsers_draw": draw,
        "interactions": interactions,
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
        "per_worker": {
            w: {"interactions": n, "cpu_s": cpu.get(w), "peak_mb": peaks.get(w)}
            for w, n in sorted({**dict.fromkeys(t.pids, 0), **out["per_worker"]}.items())
        },
        "server_peak_mb": max(peaks.values()) if peaks else None,  # the largest worker
        "server_cpu_s": server_cpu,
        "server_cpu_per_interaction_s": server_cpu / interactions if server_cpu and interactions else None,
        **quiet,
        "machine_cpu_s": machine_cpu,
        "wall_s": wall,
    }


def main(
    data: Path,
    users: list[int],
    seconds: float,
    out_dir: Path,
    draw: bool = False,
    browsers: int = 2,
    think_s: float = 3.0,
    workers: list[int] | None = None,
    url: str | None = None,
    cpu_reps: int = 3,
) -> int:
    """Every (users, target) combination in turn; docs/load.json and a section of benchmarks.md."""
    from tools.bench.load_report import summary, write

    runs = []
    for n in users:
        for w in [None] if url else workers or [0]:
            r = load_test(data, n, seconds, browsers, draw, think_s, w or 0, url, cpu_reps)
            runs.append(r)
            print(summary(r), flush=True)
    write(runs, out_dir)
    return 1 if any(r["errors"] for r in runs) else 0
