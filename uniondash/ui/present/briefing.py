"""Briefing export, one click: the current view's slides (from a page) or the deck's (from
/present) as PPTX or PDF. Files are built when a button is clicked; with no Chromium on the
server the buttons are disabled and say why."""

from __future__ import annotations

import streamlit as st

from uniondash.render.briefing.images import browser_available
from uniondash.text.i18n import t
from uniondash.ui.present.content import build_slide
from uniondash.ui.view import View

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def briefing_labels(lang: str) -> dict[str, str]:
    return {
        "snapshot": t("present.snapshot_label", lang),
        "demo": t("app.demo_badge", lang),
        "title": t("brief.title", lang),
    }


def briefing_slides(views: list[View], kinds: list[str]) -> list:
    return [build_slide(v, k, "light") for v, k in zip(views, kinds)]


def _pptx(views, kinds, lang) -> bytes:
    from uniondash.render.briefing.build import pptx_bytes

    return pptx_bytes(briefing_slides(views, kinds), briefing_labels(lang))


def _pdf(views, kinds, lang) -> bytes:
    from uniondash.render.briefing.build import pdf_bytes

    return pdf_bytes(briefing_slides(views, kinds), briefing_labels(lang), lang)


def briefing_buttons(views: list[View], kinds: list[str], lang: str, key: str) -> None:
    ok = browser_available()
    if not ok:
        st.caption(t("brief.no_browser", lang))
    name = f"briefing-{views[0].snapshot}" if views else "briefing"
    row = st.container(horizontal=True, wrap=True)
    row.download_button(
        t("brief.pptx", lang),
        lambda: _pptx(views, kinds, lang),
        f"{name}.pptx",
        PPTX_MIME,
        key=f"{key}_pptx",
        icon=":material/slideshow:",
        on_click="ignore",
        disabled=not ok,
        help=None if ok else t("brief.no_browser", lang),
    )
    row.download_button(
        t("brief.pdf", lang),
        lambda: _pdf(views, kinds, lang),
        f"{name}.pdf",
        "application/pdf",
        key=f"{key}_pdf",
        icon=":material/picture_as_pdf:",
        on_click="ignore",
        disabled=not ok,
        help=None if ok else t("brief.no_browser", lang),
    )


def briefing_menu(views: list[View], kinds: list[str], lang: str, key: str) -> None:
    with st.popover(t("brief.make", lang), icon=":material/download:"):
        briefing_buttons(views, kinds, lang, key)
