"""`python -m tools.bench pages`: every page timed in the system Chromium beside two floors.

Floors, measured in the same run: an empty Streamlit page, and a page drawing one metric, one
small Plotly chart and one small pydeck map (floor_page.py). Each page's figure is reported as
a ratio to both; budgets (docs/architecture.md, Budgets) are checked against the floor page. A naive
stations page (naive_stations.py) is measured too, and our advantage reported as a ratio.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
from pathlib import Path

import psutil

from tools.bench import import_speed
from tools.bench.briefing import measure as measure_briefing
from tools.bench.load_report import keep_section
from tools.bench.measure import PeakMemory, Sample, WsCounter, change_filter_visit, visit
from tools.bench.server import browser, streamlit_server

CITY_FILTER = "市（州）"
# (name, URL path, whether a city filter change is timed); {county} is the data's first county
APP_PAGES = [
    ("overview", "/", True),
    ("stations", "/stations", True),
    ("coverage", "/coverage", True),
    ("competitions", "/competitions", True),
    ("county", "/county?county={county}", False),
]
FLOOR_FILTER = ("筛选", "甲", "f=")
BUDGET_RATIO = 1.5
# A filter change within 2× the floor's (issue 23: the floor redraws one tiny chart, a map page a map).
BUDGET_FILTER_RATIO = 2.0
BUDGET_BYTES = {"1": 1.5 * 2**20, "100": 5 * 2**20}
BUDGET_MEMORY_MB = {"1": 500, "100": 2048}
NAIVE_LIMIT_S = 60.0  # the naive page at scale 100: a visit not drawn by then is reported as "> 60 s"


def _loads(chromium, url: str, reps: int) -> tuple[Sample, Sample]:
    """First (cold cache) visit, then `reps` warm visits in the same browser context."""
    ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    counter = WsCounter(page)
    cold, warm = Sample(), Sample()
    for i in range(reps + 1):
        (cold if i == 0 else warm).add(visit(page, counter, url))
    ctx.close()
    return cold, warm


ERROR_SHOWN = '[data-testid="stException"]'


def _limited(chromium, url: str, reps: int, limit_s: float) -> tuple[Sample, Sample, str | None]:
    """_loads, but a visit not drawn within limit_s, or one that shows an error instead of the
    page (Streamlit refuses a message above server.maxMessageSize and shows that), ends the
    measurement: (cold, warm, why it ended early: None, "timeout" or the error's text)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
    page = ctx.new_page()
    counter = WsCounter(page)
    cold, warm = Sample(), Sample()
    try:
        for i in range(reps + 1):
            (cold if i == 0 else warm).add(visit(page, counter, url, timeout_ms=int(limit_s * 1000)))
            if page.locator(ERROR_SHOWN).count():
                return cold, warm, "error: " + " ".join(page.locator(ERROR_SHOWN).first.inner_text().split())[:300]
    except PlaywrightTimeout:
        return cold, warm, "timeout"
    finally:
        ctx.close()
    return cold, warm, None


def _naive_row(chromium, data: Path, scale: str, reps: int) -> dict:
    """The naive stations page; at scale 100 with a time limit (it sends every station)."""
    limit = NAIVE_LIMIT_S if scale == "100" else None
    with streamlit_server(data, "tools/bench/naive_stations.py") as (url, proc):
        mem = PeakMemory(proc.pid)
        cold, warm, ended = _limited(chromium, url, reps, limit or 600.0)
        row = {"page": "naive stations", "scale": scale, "cold": cold.summary(), "warm": warm.summary()}
        if ended == "timeout":
            row["timed_out_after_s"] = limit
        else:  # no URL state: the rerun is seen by the observer; a city's stations may fit
            if ended:  # never drew: the seconds until the error are a lower bound of its load
                row["error_shown"] = ended.removeprefix("error: ")
            row["filter"] = _filters(chromium, url, reps, CITY_FILTER, _first_units(data)[0]).summary()
        row["server_peak_mb"] = mem.stop()
    return row


def _filters(chromium, url: str, reps: int, label: str, option: str, url_marker: str | None = None) -> Sample:
    ctx = chromium.new_context(viewport={"width": 1280, "height": 720})
    sample = Sample()
    for _ in range(reps):
        page = ctx.new_page()
        counter = WsCounter(page)
        visit(page, counter, url)
        sample.add(change_filter_visit(page, counter, label, option, url_marker))
        page.close()
    ctx.close()
    return sample


def _first_units(data: Path) -> tuple[str, str]:
    """The first city's name and the first county's adcode in the data's latest snapshot."""
    from uniondash.data.warehouse import Warehouse

    wh = Warehouse(data / "snapshots", verify=False)
    regions = wh.run("regions", as_of=wh.latest.as_of)
    return (
        regions.loc[regions.level == "city", "name"].iloc[0],
        regions.loc[regions.level == "county", "adcode"].iloc[0],
    )


def run(data: Path, big: Path | None, reps: int = 5, naive: bool = True) -> dict:
    rows: list[dict] = []
    with browser() as chromium:
        with streamlit_server(None, "tools/bench/empty_page.py") as (url, _):
            cold, warm = _loads(chromium, url, reps)
            rows.append({"page": "empty", "scale": "-", "cold": cold.summary(), "warm": warm.summary()})
        with streamlit_server(None, "tools/bench/floor_page.py") as (url, proc):
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
            city, county = _first_units(folder)
            with streamlit_server(folder) as (url, proc):
                mem = PeakMemory(proc.pid)
                start = len(rows)
                for name, path, timed_filter in APP_PAGES:
                    page_url = url + path.format(county=county)
                    cold, warm = _loads(chromium, page_url, reps)
                    row = {"page": name, "scale": scale, "cold": cold.summary(), "warm": warm.summary()}
                    if timed_filter:
                        row["filter"] = _filters(chromium, page_url, reps, CITY_FILTER, city, "city=").summary()
                    rows.append(row)
                peak = mem.stop()
                for r in rows[start:]:
                    r["server_peak_mb"] = peak
        if naive:
            rows.append(_naive_row(chromium, data, "1", reps))
            if big is not None:
                rows.append(_naive_row(chromium, big, "100", reps))
    result = _judge(rows, reps)
    result["briefing"] = measure_briefing(data)  # a full deck's PPTX and PDF (issue 16)
    result["import"] = import_speed.run(big)  # the scale-100 stations table as CSV and XLSX (issue 14)
    return result


def _time(r: dict, which: str) -> tuple[float, bool]:
    """A row's median seconds for "warm" or "cold", or its time limit when it was never drawn
    (then a lower bound): (seconds, is a lower bound)."""
    v = r[which]["median_s"]
    if r.get("error_shown"):  # the time until an error instead of the page: never drawn (the
        return (v if v is not None else r["cold"]["median_s"]), True  # first visit's, if it ended there)
    return (v, False) if v is not None else (r["timed_out_after_s"], True)


def _advantage(naive: dict, ours: dict) -> dict:
    """Naive time over ours (above 1: ours is faster); a lower bound when the naive page timed out."""
    load, lower = _time(naive, "warm")
    adv = {"load_time": load / ours["warm"]["median_s"]}
    if lower:
        adv["load_time_is_lower_bound"] = True
    else:
        # First visits: on a returning visit the browser already holds the messages of a page
        # that has not changed (Streamlit sends their hashes only), so warm bytes compare nothing.
        adv["bytes"] = naive["cold"]["bytes"] / max(1, ours["cold"]["bytes"])
    if "filter" in naive and "filter" in ours:
        adv["filter_time"] = naive["filter"]["median_s"] / ours["filter"]["median_s"]
    return adv


def _judge(rows: list[dict], reps: int) -> dict:
    empty = next(r for r in rows if r["page"] == "empty")["warm"]["median_s"]
    floor = next(r for r in rows if r["page"] == "floor")
    for r in rows:
        (warm, warm_lb), (cold, cold_lb) = _time(r, "warm"), _time(r, "cold")
        r["lower_bounds"] = [k for k, lb in (("warm", warm_lb), ("cold", cold_lb)) if lb]
        r["warm_vs_empty"] = warm / empty
        r["warm_vs_floor"] = warm / floor["warm"]["median_s"]
        first, floor_first = r["warm"].get("first_screen_median_s"), floor["warm"].get("first_screen_median_s")
        if first is not None and floor_first:
            r["first_screen_vs_floor"] = first / floor_first
        r["cold_vs_floor"] = cold / floor["cold"]["median_s"]
        if "filter" in r:
            r["filter_vs_floor"] = r["filter"]["median_s"] / floor["filter"]["median_s"]
        if r["scale"] in BUDGET_BYTES and not r["page"].startswith("naive"):
            r["budget"] = {
                "load_within_1.5x_floor": r["warm_vs_floor"] <= BUDGET_RATIO,
                "bytes_within_budget": r["warm"]["wire_bytes"] <= BUDGET_BYTES[r["scale"]],
                "memory_within_budget": r["server_peak_mb"] <= BUDGET_MEMORY_MB[r["scale"]],
            }
            if "filter" in r:
                r["budget"]["filter_within_2x_floor"] = r["filter_vs_floor"] <= BUDGET_FILTER_RATIO
    advantages = {}
    for scale in ("1", "100"):
        naive = next((r for r in rows if r["page"] == "naive stations" and r["scale"] == scale), None)
        ours = next((r for r in rows if r["page"] == "stations" and r["scale"] == scale), None)
        advantages[scale] = _advantage(naive, ours) if naive and ours else None
    measured_100 = any(r["page"] == "naive stations" and r["scale"] == "100" for r in rows)
    return {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.node()} · {psutil.cpu_count()} cores · "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB · {platform.python_version()}",
        "repetitions": reps,
        "rows": rows,
        "naive_advantage": advantages["1"],
        "naive_advantage_scale100": advantages["100"],
        "not_measured": [] if measured_100 else ["the naive stations page at scale 100 (no --scale100 data)"],
    }


def _sec(x) -> str:
    return "—" if x is None else f"{x:.2f}"


def _int(x) -> str:
    return "—" if x is None else f"{x:,}"


def _faster(ratio: float, what: str, lower_bound: bool = False) -> str:
    """'loads 1.4× faster' or 'loads 1.3× slower' from naive time / our time."""
    if lower_bound:
        return f"{what} more than {ratio:.1f}× faster (a lower bound: the naive page never drew its map)"
    return f"{what} {ratio:.2f}× faster" if ratio >= 1 else f"{what} {1 / ratio:.2f}× slower"


def to_markdown(result: dict) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"{result['date']} · {result['machine']} · {result['repetitions']} warm runs per figure "
        "(median; spread = max − min). Times from navigation (or the filter click) until the page is fully "
        "drawn: script finished, no skeleton or stale element, every chart and map canvas present and painted. "
        "First screen: from navigation until every element intersecting the 1280×720 viewport is drawn by the "
        "same test (no skeleton or stale element in view, its maps' canvases and charts present, then painted), "
        "what a person waits for; warm median and its ratio to the floor's first screen. "
        "WS bytes: WebSocket frames the server sent for one load or one filter change, uncompressed. Wire bytes: "
        "what crossed the loopback interface during the load (compressed frames and HTTP, the JavaScript bundle "
        "included on the cold visit); the byte budget is judged on a returning visit's wire bytes.",
        "",
        "| page | scale | first screen s (× floor) | warm load s (spread) | × empty | × floor | cold load s "
        "| × floor (cold) "
        "| filter s (spread) | filter × floor | WS bytes / load | wire bytes / load (cold, warm) "
        "| WS bytes / filter | server peak MB | budget |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        f = r.get("filter") or {}
        budget = r.get("budget")
        verdict = (
            "—"
            if not budget
            else ("met" if all(budget.values()) else "missed: " + ", ".join(k for k, v in budget.items() if not v))
        )
        gt = {k: "> " if k in r.get("lower_bounds", []) else "" for k in ("warm", "cold")}
        warm_s, cold_s = (f"{gt[k]}{_time(r, k)[0]:.2f}" if gt[k] else _sec(r[k]["median_s"]) for k in ("warm", "cold"))
        first = r["warm"].get("first_screen_median_s")
        first_cell = "—" if first is None else f"{first:.2f} ({_sec(r.get('first_screen_vs_floor'))})"
        lines.append(
            f"| {r['page']} | {r['scale']} | {first_cell} | {warm_s} ({_sec(r['warm']['spread_s'])}) "
            f"| {gt['warm']}{r['warm_vs_empty']:.2f} | {gt['warm']}{r['warm_vs_floor']:.2f} | {cold_s} "
            f"| {gt['cold']}{r['cold_vs_floor']:.2f} | {_sec(f.get('median_s'))} ({_sec(f.get('spread_s'))}) "
            f"| {_sec(r.get('filter_vs_floor'))} | {_int(r['warm']['bytes'])} "
            f"| {_int(r['cold']['wire_bytes'])}, {_int(r['warm']['wire_bytes'])} | {f.get('bytes') or 0:,} "
            f"| {r.get('server_peak_mb', 0):.0f} | {verdict} |"
        )
    adv = result.get("naive_advantage")
    if adv:
        lines += [
            "",
            "Naive stations page (pandas reads every parquet file, filters in Python, sends every point "
            f"with every column) against ours at scale 1: ours {_faster(adv['load_time'], 'loads')}, sends "
            f"{adv['bytes']:.1f}× fewer bytes on a first visit and "
            f"{_faster(adv['filter_time'], 'redraws a filter change')}.",
        ]
    adv = result.get("naive_advantage_scale100")
    if adv:
        lower = adv.get("load_time_is_lower_bound", False)
        text = f"At scale 100 (limit {NAIVE_LIMIT_S:.0f} s per visit) ours {_faster(adv['load_time'], 'loads', lower)}"
        if "bytes" in adv:
            text += f", sends {adv['bytes']:.1f}× fewer bytes on a first visit"
        if "filter_time" in adv:
            text += f" and {_faster(adv['filter_time'], 'redraws a filter change')} (one city's stations)"
        naive = next((r for r in result["rows"] if r["page"] == "naive stations" and r["scale"] == "100"), {})
        if naive.get("error_shown"):
            text += f". Its whole page never drew; it showed this error instead: “{naive['error_shown']}”"
        lines += ["", text + "."]
    lines += import_speed.to_markdown(result.get("import", []))
    lines += [
        "",
        "Budgets (docs/architecture.md, Budgets): a page fully drawn within 1.5× the floor page, a filter change "
        "within 2× the floor's (issue 23), at most 1.5 MB per page at scale 1 (5 MB at scale 100), server under "
        "500 MB (2 GB at scale 100).",
    ]
    if result["not_measured"]:
        lines += ["", "Not measured: " + "; ".join(result["not_measured"]) + "."]
    if result.get("briefing"):
        b = result["briefing"]
        lines += [
            "",
            f"Briefing of a full deck ({b['slides']} slides, scale 1): PPTX {b['pptx_warm_s']} s "
            f"({b['pptx_cold_s']} s with kaleido's start), PDF {b['pdf_warm_s']} s ({b['pdf_cold_s']} s); "
            f"slides built in {b['slides_s']} s.",
        ]
    return "\n".join(lines) + "\n"


def write(result: dict, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "benchmarks.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    md = out_dir / "benchmarks.md"
    old = md.read_text(encoding="utf-8") if md.exists() else ""
    md.write_text(keep_section(old, to_markdown(result)), encoding="utf-8")  # make load's section stays
    return md
