"""The failover figures (tools/bench/load_failover.py summarize) on a hand-made run: stack A is
killed at 10.0 s; users 0, 1 and 3 were on it, user 2 on B. The window closes when the last of
them is served again (user 0's reconnect, ending at 13.0 s): 3.0 s."""

from __future__ import annotations

import pytest

from tools.bench.load_failover import Event, summarize


def run(with_user1_reconnect: bool = True) -> list[Event]:
    events = [
        Event(0, "rerun", 1.0, 2.0, True, "A"),
        Event(0, "rerun", 5.0, 5.5, True, "A"),
        Event(0, "dropped", 10.1, 10.1, False, "A", "ConnectionClosedError"),
        Event(0, "reconnect", 10.2, 10.4, False, "A", "ConnectionRefusedError"),
        Event(0, "reconnect", 11.0, 13.0, True, "B"),
        Event(0, "rerun", 15.0, 15.4, True, "B"),
        Event(1, "rerun", 8.0, 9.0, True, "A"),
        Event(1, "dropped", 10.05, 10.05, False, "A"),
        Event(2, "rerun", 3.0, 3.2, True, "B"),
        Event(2, "rerun", 10.5, 11.0, True, "B"),
        Event(2, "rerun", 20.0, 20.3, True, "B"),
        Event(2, "rerun", 25.0, 26.0, False, "B", "['KeyError']"),
        Event(3, "signin", 0.0, 1.0, True, "A"),
        Event(3, "reconnect", 10.3, 10.8, False, "B", "signed out"),
        Event(3, "signin", 10.8, 11.5, True, "B"),
    ]
    if with_user1_reconnect:
        events.append(Event(1, "reconnect", 10.5, 12.0, True, "B"))
    return events


def test_the_window_and_the_errors_inside_and_outside_it():
    r = summarize(run(), t_kill=10.0, killed="A")
    assert (r["users_on_killed_stack"], r["users_dropped"], r["users_recovered"]) == (3, 2, 3)
    assert r["users_signed_in_at_kill"] == 1  # only user 3's sign-in is among these events
    assert r["window_closed"] is True
    assert r["failover_window_s"] == 3.0  # 13.0 − 10.0
    # inside [10.0, 13.0]: two reruns cut off, one refused reconnect, one user found signed out
    assert r["errors_inside_window"] == {"dropped": 2, "reconnect": 1, "signed out": 1}
    assert r["errors_outside_window"] == {"rerun": 1}  # user 2's failed rerun at 26.0
    assert (r["reconnects_ok"], r["signed_out_after_failover"]) == (2, 1)
    assert r["reconnect_p50_s"] == pytest.approx(1.75)  # 2.0 and 1.5
    # before: 1.0, 0.5, 1.0, 0.2 → median 0.75, p95 1.0; inside: user 2's 0.5; after: 0.4 and 0.3
    assert (r["reruns_before"], r["rerun_p50_before_s"], r["rerun_p95_before_s"]) == (4, 0.75, 1.0)
    assert (r["reruns_inside_window"], r["rerun_p95_inside_window_s"]) == (1, 0.5)
    assert (r["reruns_after"], r["rerun_p50_after_s"]) == (2, pytest.approx(0.35))
    assert r["reruns_by_stack"] == {"A": {"before": 3, "after": 0}, "B": {"before": 1, "after": 3}}
    assert r["sign_ins"] == 2


def test_a_user_never_served_again_leaves_the_window_open():
    r = summarize(run(with_user1_reconnect=False), t_kill=10.0, killed="A")
    assert r["window_closed"] is False
    assert r["users_recovered"] == 2
    assert r["failover_window_s"] == 16.0  # to the run's last event (26.0): an upper bound, flagged
