"""Download buttons whose file is built at the click (st.download_button with a function for
its data and on_click="rerun"), made to hand over their file every time.

The click sends the file request, then the rerun. Streamlit 1.67 loses the file in two races
between them (measured on a loaded 2-core machine, 40 clicks of a button whose run takes a
millisecond: 7 files lost):
- the answer is dropped when it is queued before the rerun has started: a run's start clears the
  session's outgoing messages except its lifecycle ones (ForwardMsgQueue.clear), and a backend
  operation's answer is not kept. The button then spins until the frontend gives up after 180 s;
- the builder is not found when the request is looked up after the rerun has ended: the end of a
  run drops the builders the page no longer draws (MediaFileManager, orphaned deferred callables),
  and the button says "Failed to generate file for download".

A group of buttons drawn together therefore shakes hands with the rerun: each builder says it has
been picked up, then waits for a run later than the one that drew it to have started (Streamlit
schedules the clear before it runs the script, so an answer queued after that is kept); and the
rerun after a click waits until the builder it drew before has been picked up, before it ends.
Both waits are bounded (WAIT_S), and only a group's first builder call waits: requests sent by a
script without a rerun, or a rerun without a request, wait no longer. `run_started` is called
first in every run (dashboard.py); fragment reruns do not count, and no download button is drawn
in a fragment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

STARTS_KEY = "_run_starts"
GROUP_KEY = "_deferred_downloads:"
WAIT_S = 3.0  # each side normally waits milliseconds
T = TypeVar("T")


class RunStarts:
    """A count of the session's runs started, to wait on from another thread."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    @property
    def count(self) -> int:
        return self._count

    def started(self) -> None:
        with self._changed:
            self._count += 1
            self._changed.notify_all()

    def wait_past(self, count: int, timeout: float) -> bool:
        """True once more than `count` runs have started; False after `timeout` seconds."""
        with self._changed:
            return self._changed.wait_for(lambda: self._count > count, timeout)


def _starts() -> RunStarts:
    return st.session_state.setdefault(STARTS_KEY, RunStarts())


def run_started() -> None:
    """Count a run of this session: first thing in every run of the app."""
    _starts().started()


class DeferredGroup:
    """The download buttons `key` as drawn in one run."""

    def __init__(self, key: str, timeout: float = WAIT_S) -> None:
        ss = st.session_state
        self._before: DeferredGroup | None = ss.get(GROUP_KEY + key)  # as the previous run drew them
        ss[GROUP_KEY + key] = self
        self._starts, self._timeout = _starts(), timeout
        self._seen = self._starts.count
        self.picked_up = threading.Event()
        self._waiter = threading.Lock()  # held by the one call that waits; later calls do not

    def builder(self, build: Callable[[], T]) -> Callable[[], T]:
        """`build` for a button's data: called at the click, in Streamlit's worker thread."""

        def run() -> T:
            self.picked_up.set()
            # Only the first call waits (at once when the rerun has started): requests sent by a
            # script without a rerun do not each hold one of Streamlit's worker threads.
            if self._waiter.acquire(blocking=False):
                self._starts.wait_past(self._seen, self._timeout)
            return build()

        return run

    def settle(self, clicked: bool) -> None:
        """After drawing the buttons: on the rerun of a click, wait until the builder the previous
        run drew has been picked up, so that the end of this run does not drop it first."""
        if clicked and self._before is not None:
            self._before.picked_up.wait(self._timeout)
