"""The load test's report: one line per run on the console, docs/load.json, and a section of
docs/benchmarks.md (between markers, so that `make bench` rewriting the page keeps it)."""

from __future__ import annotations

import datetime as dt
import json
import platform
from pathlib import Path

import psutil

BEGIN = "<!-- make load: this section is written by `make load` and kept by `make bench` -->"
END = "<!-- /make load -->"
BUDGET_P95_S = 1.5  # docs/architecture.md, Budgets: 20 users, page switch and filter change p95
BUDGET_USERS = 20
BUDGET_WORKER_MB = 500


def _s(x) -> str:
    return "—" if x is None else f"{x:.2f}"


def _spread(r: dict) -> str:
    total = sum(w["interactions"] for w in r["per_worker"].values()) or 1
    return ", ".join(f"{w['interactions']} ({w['interactions'] / total:.0%})" for w in r["per_worker"].values())


def verdict(r: dict) -> str:
    """The budgets a run is judged by: 0 errors and memory per worker always; p95 at 20 users."""
    missed = []
    if r["errors"]:
        missed.append(f"{r['errors']} errors")
    if r["server_peak_mb"] and r["server_peak_mb"] >= BUDGET_WORKER_MB:
        missed.append(f"worker at {r['server_peak_mb']:.0f} MB")
    if r["users"] <= BUDGET_USERS:
        for key, what in (("users_page_switch_p95_s", "page switch"), ("users_filter_change_p95_s", "filter change")):
            if r[key] is None or r[key] > BUDGET_P95_S:
                missed.append(f"{what} p95 {_s(r[key])} s")
    return "met" if not missed else "missed: " + ", ".join(missed)


def summary(r: dict) -> str:
    cpu = (
        f"server CPU {r['server_cpu_s']:.0f} s of the machine's {r['machine_cpu_s']:.0f} s in {r['wall_s']:.0f} s; "
        f"per interaction {_s(r['server_cpu_per_interaction_s'])} s under load, per rerun (quiet, median) "
        f"{_s(r.get('cpu_per_rerun_median_s'))} s"
        if r["server_cpu_s"] is not None
        else "server CPU not measured (not a process on this machine)"
    )
    lines = [
        f"load test against {r['target']}: {r['users']} users (protocol, {r['user_think_s']:g} s think time) + "
        f"{r['browser_tabs']} browser tabs × {r['seconds']:.0f} s, {r['interactions']} interactions, "
        f"{r['errors']} errors",
        f"  users: open p50 {_s(r['users_open_p50_s'])} s; page switch p50 {_s(r['users_page_switch_p50_s'])} s, "
        f"p95 {_s(r['users_page_switch_p95_s'])} s; filter change p50 {_s(r['users_filter_change_p50_s'])} s, "
        f"p95 {_s(r['users_filter_change_p95_s'])} s",
        f"  browser tabs: first open p50 {_s(r['browser_open_p50_s'])} s; page switch p50 "
        f"{_s(r['browser_page_switch_p50_s'])} s, p95 {_s(r['browser_page_switch_p95_s'])} s; filter change p50 "
        f"{_s(r['browser_filter_change_p50_s'])} s, p95 {_s(r['browser_filter_change_p95_s'])} s",
        f"  {cpu}",
        "  per worker: "
        + "; ".join(
            f"{name} {w['interactions']} interactions"
            + (f", {w['cpu_s']:.0f} CPU-s, peak {w['peak_mb']:.0f} MB" if w["cpu_s"] is not None else "")
            for name, w in r["per_worker"].items()
        ),
        f"  budget: {verdict(r)}",
    ]
    lines += [f"  error: {e}" for e in r["error_samples"]]
    return "\n".join(lines)


def to_markdown(result: dict) -> str:
    runs = result["runs"]
    r0 = runs[0]
    head = [f"{r['target']}, {r['users']} users" for r in runs]
    rows = [
        ("interactions (errors)", lambda r: f"{r['interactions']} ({r['errors']})"),
        (
            "users: page switch p50 / p95 s",
            lambda r: f"{_s(r['users_page_switch_p50_s'])} / {_s(r['users_page_switch_p95_s'])}",
        ),
        (
            "users: filter change p50 / p95 s",
            lambda r: f"{_s(r['users_filter_change_p50_s'])} / {_s(r['users_filter_change_p95_s'])}",
        ),
        ("users: open by a link p50 s", lambda r: _s(r["users_open_p50_s"])),
        (
            "browser tabs: page switch p50 / p95 s",
            lambda r: f"{_s(r['browser_page_switch_p50_s'])} / {_s(r['browser_page_switch_p95_s'])}",
        ),
        (
            "browser tabs: filter change p50 / p95 s",
            lambda r: f"{_s(r['browser_filter_change_p50_s'])} / {_s(r['browser_filter_change_p95_s'])}",
        ),
        (
            "server CPU s (machine's) in wall s",
            lambda r: (
                "—"
                if r["server_cpu_s"] is None
                else f"{r['server_cpu_s']:.0f} ({r['machine_cpu_s']:.0f}) in {r['wall_s']:.0f}"
            ),
        ),
        ("server CPU per interaction under load s (mean)", lambda r: _s(r["server_cpu_per_interaction_s"])),
        ("server CPU per rerun, quiet s (median)", lambda r: _s(r.get("cpu_per_rerun_median_s"))),
        (
            "peak memory of the largest worker MB",
            lambda r: "—" if r["server_peak_mb"] is None else f"{r['server_peak_mb']:.0f}",
        ),
        ("interactions per worker (share)", _spread),
        ("budget", verdict),
    ]
    lines = [
        BEGIN,
        "## Under load (`make load`)",
        "",
        f"{result['date']} · {result['machine']} · {r0['seconds']:.0f} s per run. Users speak Streamlit's "
        f"WebSocket protocol (tools/bench/protocol.py) with {r0['user_think_s']:g} s mean think time, arrive by a "
        "link carrying a city, then switch pages and pick and clear a city; "
        f"{r0['browser_tabs']} Chromium tabs do the same by clicking meanwhile. Behind nginx each user loads the "
        "page first and keeps nginx's sticky cookie; its worker is the one nginx names. Server CPU per "
        "interaction under load: the workers' CPU-seconds over the interactions; per rerun, quiet: each "
        "rerun of one user alone afterwards, read from its worker's counters (psutil).",
        "",
        "| | " + " | ".join(head) + " |",
        "|---" * (len(runs) + 1) + "|",
    ]
    lines += [f"| {name} | " + " | ".join(f(r) for r in runs) + " |" for name, f in rows]
    steps = sorted({k for r in runs for k in r.get("cpu_per_rerun_by_step_median_s", {})})
    if steps:
        lines += ["", "Server CPU-seconds per rerun, quiet (median, by step):", ""]
        lines += ["| step | " + " | ".join(head) + " |", "|---" * (len(runs) + 1) + "|"]
        for step in steps:
            cells = [_s(r.get("cpu_per_rerun_by_step_median_s", {}).get(step)) for r in runs]
            lines.append(f"| {step} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"Budgets (docs/architecture.md, Budgets): {BUDGET_USERS} users, page switch and filter change p95 ≤ "
        f"{BUDGET_P95_S} s, 0 errors; more users, 0 errors (p95 reported); every worker under "
        f"{BUDGET_WORKER_MB} MB.",
        END,
    ]
    return "\n".join(lines) + "\n"


def keep_section(old_page: str, new_page: str) -> str:
    """new_page with old_page's load section (if any) appended: `make bench` rewrites the page."""
    if BEGIN not in old_page or END not in old_page:
        return new_page
    section = old_page[old_page.index(BEGIN) : old_page.index(END) + len(END)]
    return new_page.rstrip("\n") + "\n\n" + section + "\n"


def write(runs: list[dict], out_dir: Path) -> Path:
    result = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.node()} · {psutil.cpu_count()} cores · "
        f"{psutil.virtual_memory().total / 2**30:.0f} GiB · {platform.python_version()}",
        "runs": runs,
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "load.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    md = out_dir / "benchmarks.md"
    page = md.read_text(encoding="utf-8") if md.exists() else "# Benchmarks\n"
    section = to_markdown(result)
    if BEGIN in page and END in page:
        page = page[: page.index(BEGIN)] + section + page[page.index(END) + len(END) :].lstrip("\n")
    else:
        page = page.rstrip("\n") + "\n\n" + section
    md.write_text(page, encoding="utf-8")
    return md
