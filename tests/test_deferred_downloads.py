"""The handshake between a download built at its click and the click's rerun
(uniondash.ui.deferred_downloads), with threads standing in for Streamlit's worker thread
(the builder) and script thread (the rerun)."""

from __future__ import annotations

import threading

import pytest
import streamlit as st

from uniondash.ui import deferred_downloads as dd


@pytest.fixture
def session(monkeypatch):
    monkeypatch.setattr(st, "session_state", {})
    dd.run_started()  # the run that draws the buttons


def in_thread(fn) -> tuple[threading.Thread, list]:
    out: list = []
    worker = threading.Thread(target=lambda: out.append(fn()), daemon=True)
    worker.start()
    return worker, out


def test_a_builder_picked_up_before_the_rerun_builds_once_the_rerun_has_started(session):
    group = dd.DeferredGroup("k", timeout=30)
    worker, out = in_thread(group.builder(lambda: b"file"))
    assert group.picked_up.wait(5)
    worker.join(0.3)
    assert worker.is_alive()
    assert out == []
    dd.run_started()  # the click's rerun
    worker.join(5)
    assert out == [b"file"]


def test_a_builder_called_after_the_rerun_started_builds_at_once(session):
    group = dd.DeferredGroup("k", timeout=30)
    dd.run_started()
    worker, out = in_thread(group.builder(lambda: b"file"))
    worker.join(5)
    assert out == [b"file"]


def test_the_rerun_of_a_click_waits_until_the_builder_drawn_before_is_picked_up(session):
    drawn = dd.DeferredGroup("k", timeout=30)
    dd.run_started()  # the click's rerun draws the buttons again
    again = dd.DeferredGroup("k", timeout=30)
    settling, _ = in_thread(lambda: again.settle(clicked=True))
    settling.join(0.3)
    assert settling.is_alive()  # ending the run now would drop the builder before its request is read
    worker, out = in_thread(drawn.builder(lambda: b"file"))
    settling.join(5)
    worker.join(5)
    assert not settling.is_alive()
    assert out == [b"file"]


def test_no_wait_without_a_click_or_a_drawing_before(session):
    first = dd.DeferredGroup("k", timeout=30)
    first.settle(clicked=True)  # nothing drawn before: returns at once
    dd.run_started()
    dd.DeferredGroup("k", timeout=30).settle(clicked=False)  # another widget's rerun: returns at once
    assert not first.picked_up.is_set()


def test_each_wait_is_bounded(session):
    group = dd.DeferredGroup("k", timeout=0.05)
    assert group.builder(lambda: b"file")() == b"file"  # a request without a rerun still gets its file
    dd.run_started()
    dd.DeferredGroup("k", timeout=0.05).settle(clicked=True)  # a rerun whose request never came ends


def test_groups_are_kept_apart_by_key(session):
    a, b = dd.DeferredGroup("a", timeout=30), dd.DeferredGroup("b", timeout=30)
    a.builder(lambda: None)  # not called: nothing picked up
    dd.run_started()
    worker, _ = in_thread(b.builder(lambda: b"b"))
    worker.join(5)
    assert b.picked_up.is_set()
    assert not a.picked_up.is_set()
    settling, _ = in_thread(lambda: dd.DeferredGroup("a", timeout=30).settle(clicked=True))
    settling.join(0.3)
    assert settling.is_alive()  # b's pick-up does not release a's rerun
    in_thread(a.builder(lambda: b"a"))[0].join(5)
    settling.join(5)
    assert not settling.is_alive()


def test_only_the_first_call_of_a_group_waits(session):
    group = dd.DeferredGroup("k", timeout=30)
    first, _ = in_thread(group.builder(lambda: b"first"))
    assert group.picked_up.wait(5)
    second, out = in_thread(group.builder(lambda: b"again"))  # a script's requests, no rerun
    second.join(5)
    assert out == [b"again"]
    assert first.is_alive()
    dd.run_started()
    first.join(5)
