"""Which page this run is for, known before st.navigation (the router hides its chrome for /present)."""

from __future__ import annotations

from urllib.parse import urlparse

import streamlit as st


def on_present_page() -> bool:
    try:
        url = st.context.url or ""
    except (AttributeError, RuntimeError):
        return False
    return urlparse(url).path.rstrip("/").endswith("/present")
