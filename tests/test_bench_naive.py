"""The naive page's comparison when it never draws: Streamlit refuses a message above
server.maxMessageSize (at scale 100 the naive page's 377 MB) and shows that error instead, so the
seconds until the error are a lower bound of its load, never a load time to compare bytes by."""

from __future__ import annotations

from tools.bench.run import _advantage, _time


def _row(median: float, cold_bytes: int, **extra) -> dict:
    return {"cold": {"median_s": median + 1, "bytes": cold_bytes}, "warm": {"median_s": median, "bytes": 10}, **extra}


def test_a_naive_page_that_showed_an_error_is_a_lower_bound():
    naive = _row(27.0, 1_610, error_shown="MessageSizeError: Data of size 377.0 MB exceeds the limit")
    ours = _row(2.7, 990_607)
    assert _time(naive, "warm") == (27.0, True)
    adv = _advantage(naive, ours)
    assert adv == {"load_time": 10.0, "load_time_is_lower_bound": True}  # no byte ratio from an error page


def test_bytes_compare_first_visits():
    # a returning visit gets an unchanged page's messages as hashes only: first visits are compared
    naive, ours = _row(1.5, 3_000_000), _row(2.0, 1_000_000)
    adv = _advantage(naive, ours)
    assert adv["bytes"] == 3.0
    assert adv["load_time"] == 0.75
    assert "load_time_is_lower_bound" not in adv


def test_an_error_on_the_first_visit_ends_the_visits_and_still_compares():
    # the first visit showed the error, so no warm visit was made: its time is the lower bound
    naive = {"cold": {"median_s": 27.0, "bytes": 1_610}, "warm": {"median_s": None, "bytes": None}}
    naive["error_shown"] = "MessageSizeError"
    assert _time(naive, "warm") == (27.0, True)
    assert _time(naive, "cold") == (27.0, True)
    assert _advantage(naive, _row(2.7, 990_607)) == {"load_time": 10.0, "load_time_is_lower_bound": True}
