"""A download button built at its click, on a page whose run takes a millisecond: with
HANDSHAKE=1 drawn as the product draws it (uniondash.ui.deferred_downloads), else as
st.download_button alone. Measured by tools/bench/download_race.py."""

import os

import streamlit as st

from uniondash.ui.deferred_downloads import DeferredGroup, run_started


def build() -> bytes:
    return b"a,b\n1,2\n"


if os.environ.get("HANDSHAKE") == "1":
    run_started()
    group = DeferredGroup("file")
    clicked = st.download_button("file", group.builder(build), "file.csv", "text/csv", on_click="rerun", key="file")
    group.settle(clicked)
else:
    st.download_button("file", build, "file.csv", "text/csv", on_click="rerun", key="file")
