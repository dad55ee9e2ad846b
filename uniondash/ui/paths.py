"""Every product path is registered, so that a product link never reaches Streamlit's "Page not
found" dialog (English, and it cannot be translated). A path whose page is not built yet, or
that this user may not open, gets a hidden page that says so in the user's language; a path
that is not the product's gets one that says that, with a way back to the overview.

For the router (dashboard.py): page_or_refusal() for each product page, then not_found_page()
for whatever else the address asks for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import streamlit as st

from uniondash.config import ROOT
from uniondash.text.i18n import t

# Refusals: not_built (the page is planned: /present, /data), not_allowed (this user's role may
# not open it), not_found (not a path of the product).
REASONS = ("not_built", "not_allowed", "not_found")
# Streamlit takes a one-segment url_path; anything else cannot be registered (and is left to it).
PATH_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
HOME = "app_pages/overview.py"


def requested_path() -> str | None:
    """The page path the browser asked for on this run, or None (the overview, or a menu click)."""
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        name = ctx.pages_manager.intended_page_name if ctx else None
    except (AttributeError, ImportError):  # Streamlit's internals moved: fall back to its own handling
        return None
    return name.strip("/") if name else None


def unknown_path(requested: str | None, registered: Iterable[str]) -> str | None:
    """The requested path when it is none of the registered ones and can be registered."""
    if not requested or requested in set(registered) or not PATH_RE.fullmatch(requested):
        return None
    return requested


def refusal_page(url_path: str, reason: str, lang: str, title: str | None = None) -> st.Page:
    """A hidden page at url_path that explains, in the user's language, why nothing is shown."""
    if reason not in REASONS:
        raise ValueError(f"unknown refusal reason {reason!r}")

    def refusal() -> None:
        from uniondash.ui.parts import url_notice

        url_notice(st.session_state, lang)
        st.title(title or t("paths.title." + reason, lang))
        st.warning(t("paths." + reason, lang, path="/" + url_path), icon=":material/block:")
        st.page_link(HOME, label=t("paths.home", lang), icon=":material/dashboard:")

    return st.Page(refusal, title=title or t("paths.title." + reason, lang), url_path=url_path, visibility="hidden")


def page_or_refusal(
    script: str, url_path: str, title: str, icon: str, lang: str, allowed: bool = True, visible: bool = True
) -> st.Page:
    """The page when it exists and this user may open it; otherwise a hidden refusal at its path."""
    if not (Path(ROOT) / script).is_file():
        return refusal_page(url_path, "not_built", lang, title)
    if not allowed:
        return refusal_page(url_path, "not_allowed", lang, title)
    return st.Page(script, title=title, icon=icon, url_path=url_path, visibility="visible" if visible else "hidden")


def not_found_page(pages: list[st.Page], lang: str) -> st.Page | None:
    """A refusal page for a requested path that no page has (registered for this run only)."""
    path = unknown_path(requested_path(), (p.url_path for p in pages))
    return refusal_page(path, "not_found", lang) if path else None
