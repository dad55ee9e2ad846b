"""A page with two download buttons built at their click, drawn as the product draws them
(uniondash.ui.deferred_downloads), for tests/test_browser_helpers.py: one builds its file, the
other's builder fails (as a refused or broken export does) and counts its calls in the file
named by DOWNLOAD_CALLS. Its run takes a millisecond, which without the handshake loses a file
now and then (the races the module names)."""

import os
from pathlib import Path

import streamlit as st

from uniondash.ui.deferred_downloads import DeferredGroup, run_started


def broken() -> bytes:
    with Path(os.environ["DOWNLOAD_CALLS"]).open("a") as f:
        f.write("called\n")
    raise RuntimeError("the file cannot be built")


run_started()
group = DeferredGroup("downloads")
clicked = st.download_button(
    "builds", group.builder(lambda: b"a,b\n1,2\n"), "built.csv", "text/csv", on_click="rerun", key="builds"
)
clicked |= st.download_button("fails", group.builder(broken), "broken.csv", "text/csv", on_click="rerun", key="fails")
group.settle(clicked)
