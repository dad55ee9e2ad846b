"""The benchmark's smoke test: one repetition on the hand-made fixture; the table is complete.

No timing thresholds here: speed is judged by `make bench`, never by tests."""

from __future__ import annotations

import json

import pytest
from browser import require_chromium

from tools.bench.run import run, write

pytestmark = pytest.mark.browser


def test_bench_table_is_complete(fixture_dir, tmp_path):
    require_chromium()
    result = run(fixture_dir, None, reps=1)
    pages = [(r["page"], r["scale"]) for r in result["rows"]]
    assert pages == [
        ("empty", "-"),
        ("floor", "-"),
        ("overview", "1"),
        ("stations", "1"),
        ("coverage", "1"),
        ("competitions", "1"),
        ("county", "1"),
        ("naive stations", "1"),
    ]
    assert set(result["naive_advantage"]) == {"load_time", "bytes", "filter_time"}
    overview = result["rows"][2]
    for key in (
        "warm_vs_empty",
        "warm_vs_floor",
        "cold_vs_floor",
        "filter_vs_floor",
        "first_screen_vs_floor",
        "server_peak_mb",
    ):
        assert overview[key] > 0, key
    for r in result["rows"]:  # the first screen is drawn no later than the whole page
        for which in ("cold", "warm"):
            assert 0 < r[which]["first_screen_median_s"] <= r[which]["median_s"], (r["page"], which)
    competitions = result["rows"][5]
    assert competitions["filter"]["runs"] == 1
    assert competitions["filter"]["bytes"] > 0
    assert overview["warm"]["bytes"] > 0
    assert overview["filter"]["bytes"] > 0
    assert set(overview["budget"]) == {
        "load_within_1.5x_floor",
        "filter_within_2x_floor",
        "bytes_within_budget",
        "memory_within_budget",
    }
    md = write(result, tmp_path)
    table = md.read_text(encoding="utf-8")
    assert table.count("\n| ") == 9  # header + eight rows
    assert "| first screen s (× floor) | warm load s (spread) |" in table
    assert json.loads((tmp_path / "benchmarks.json").read_text())["repetitions"] == 1


def test_load_test_smoke(fixture_dir):
    """Two protocol users and one browser tab for a few seconds: every interaction succeeds (the
    users check that each filter change reached the URL) and the report is complete."""
    require_chromium()
    from tools.bench.load import load_test

    result = load_test(fixture_dir, users=2, seconds=12, browsers=1, think_s=0.5)
    assert result["errors"] == 0, result["error_samples"]
    assert result["server_peak_mb"] > 0
    for key in (
        "users_page_switch_p50_s",
        "users_filter_change_p50_s",
        "browser_open_p50_s",
        "browser_page_switch_p50_s",
        "browser_filter_change_p50_s",
    ):
        assert result[key] > 0, key


SLOW_BELOW_THE_FOLD = """
import time
import streamlit as st

st.markdown('<div style="height: 900px; background: #eee">above the fold</div>', unsafe_allow_html=True)
time.sleep(3)  # what lies below the fold comes late
st.bar_chart([1, 2, 3])
"""


def test_first_screen_is_drawn_before_what_lies_below_the_fold(tmp_path):
    """A page whose first 900 px come at once and whose chart below the 720 px fold comes 3 s later:
    the first screen is drawn before the script ends, the whole page only after the sleep."""
    require_chromium()
    from tools.bench.measure import WsCounter, visit
    from tools.bench.server import browser, streamlit_server

    script = tmp_path / "slow_page.py"
    script.write_text(SLOW_BELOW_THE_FOLD, encoding="utf-8")
    with browser() as chromium, streamlit_server(None, script) as (url, _):
        page = chromium.new_context(viewport={"width": 1280, "height": 720}).new_page()
        v = visit(page, WsCounter(page), url)
        assert v.drawn_s >= 3.0
        assert v.first_screen_s < v.drawn_s - 2.0
        assert page.locator('[data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]').count() == 1
