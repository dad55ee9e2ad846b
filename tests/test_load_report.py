"""The benchmark's and the load test's reports from made-up figures: the naive page's time limit
at scale 100 reads as a lower bound, and `make bench` keeps the section `make load` wrote."""

from __future__ import annotations

from tools.bench.load_report import BEGIN, END
from tools.bench.load_report import write as write_load
from tools.bench.run import _judge, to_markdown
from tools.bench.run import write as write_bench


def _sample(s, b=1000):
    return {"median_s": s, "spread_s": 0.1 if s else None, "bytes": b, "wire_bytes": b, "runs": 1 if s else 0}


def _rows():
    row = lambda page, scale, s, **kw: {"page": page, "scale": scale, "cold": _sample(s), "warm": _sample(s), **kw}  # noqa: E731
    return [
        row("empty", "-", 0.5),
        row("floor", "-", 1.0, filter=_sample(0.4)),
        row("stations", "1", 2.0, filter=_sample(0.8), server_peak_mb=300),
        row("stations", "100", 2.5, filter=_sample(0.9), server_peak_mb=400),
        row("naive stations", "1", 1.8, filter=_sample(0.5), server_peak_mb=300),
        {
            "page": "naive stations",
            "scale": "100",
            "cold": _sample(None, None),
            "warm": _sample(None, None),
            "timed_out_after_s": 60.0,
            "server_peak_mb": 1900,
        },
    ]


def test_a_naive_page_that_never_drew_gives_a_lower_bound():
    result = _judge(_rows(), reps=1)
    assert result["naive_advantage_scale100"] == {"load_time": 60.0 / 2.5, "load_time_is_lower_bound": True}
    assert set(result["naive_advantage"]) == {"load_time", "bytes", "filter_time"}
    assert result["not_measured"] == []
    md = to_markdown(result)
    naive100 = next(line for line in md.splitlines() if line.startswith("| naive stations | 100 |"))
    assert "| > 60.00 (—) | > 120.00 | > 60.00 | > 60.00 |" in naive100
    assert "more than 24.0× faster (a lower bound" in md


def _run(target, users):
    keys = "users_open_p50_s users_page_switch_p50_s users_page_switch_p95_s users_filter_change_p50_s"
    keys += " users_filter_change_p95_s browser_open_p50_s browser_page_switch_p50_s browser_page_switch_p95_s"
    keys += " browser_filter_change_p50_s browser_filter_change_p95_s"
    return {
        **dict.fromkeys(keys.split(), 1.0),
        "target": target,
        "users": users,
        "user_think_s": 3.0,
        "browser_tabs": 2,
        "seconds": 120.0,
        "interactions": 10,
        "errors": 0,
        "error_samples": [],
        "server_cpu_s": 5.0,
        "machine_cpu_s": 8.0,
        "wall_s": 130.0,
        "server_cpu_per_interaction_s": 0.5,
        "cpu_per_rerun_median_s": 0.2,
        "cpu_per_rerun_by_step_median_s": {"/ open": 0.2},
        "server_peak_mb": 400.0,
        "per_worker": {"127.0.0.1:1": {"interactions": 6, "cpu_s": 3.0, "peak_mb": 400.0}},
    }


def test_make_load_and_make_bench_share_benchmarks_md(tmp_path):
    write_load([_run("1 process", 20), _run("2 workers behind nginx", 20)], tmp_path)
    write_load([_run("1 process", 20), _run("2 workers behind nginx", 50)], tmp_path)  # replaced, not added
    page = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert page.count(BEGIN) == 1
    assert "2 workers behind nginx, 50 users" in page
    assert "| budget | met | met |" in page
    write_bench(_judge(_rows(), reps=1), tmp_path)
    page = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert page.startswith("# Benchmarks")
    assert "| naive stations | 100 |" in page
    assert page.count(BEGIN) == 1
    assert page.count(END) == 1
    assert "2 workers behind nginx, 50 users" in page
