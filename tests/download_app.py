"""A page with two deferred download buttons, for tests/test_browser_helpers.py: one builds its
file, the other's builder fails (as a refused or broken export does) and counts its calls in the
file named by DOWNLOAD_CALLS."""

import os
from pathlib import Path

import streamlit as st


def broken() -> bytes:
    with Path(os.environ["DOWNLOAD_CALLS"]).open("a") as f:
        f.write("called\n")
    raise RuntimeError("the file cannot be built")


st.download_button("builds", lambda: b"a,b\n1,2\n", "built.csv", "text/csv", on_click="rerun")
st.download_button("fails", broken, "broken.csv", "text/csv", on_click="rerun")
