"""Briefing export, one click: the current view's slides (from a page) or the deck's (from
/present) as PPTX or PDF. Files are built when a button is clicked; with no Chromium on the
server the buttons are disabled and say why. Like a table's CSV or XLSX (uniondash.ui.parts
export_buttons), a click is checked and audited (uniondash.ui.signin.export_recorder): the file is
built and handed over only while the session that drew the button still holds, and the audit
log names who took which briefing in which format, or the refusal."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import streamlit as st

from uniondash.render.briefing.images import browser_available
from uniondash.text.i18n import t
from uniondash.ui.present.content import build_slide
from uniondash.ui.view import View

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# Briefings are built from our own data, in this process (a child would lose kaleido's warm
# Chromium): at most BUILD_SLOTS at a time per worker, at most WAITING more in line (any more are
# refused at once), and a caller waits at most BUILD_TIMEOUT_S for its file.
BUILD_SLOTS, WAITING, BUILD_TIMEOUT_S = 2, 4, 180.0
_builders = ThreadPoolExecutor(max_workers=BUILD_SLOTS, thread_name_prefix="briefing")
_line = threading.BoundedSemaphore(BUILD_SLOTS + WAITING)


class BriefingRefused(RuntimeError):
    """Too many briefings being built, or this one took too long: nothing is handed over."""


def limited(build: Callable[[], bytes]) -> bytes:
    """build() on one of the briefing slots, within BUILD_TIMEOUT_S."""
    if not _line.acquire(blocking=False):
        raise BriefingRefused("正在生成的汇报材料过多，请稍后再试 / too many briefings being built: try again shortly")
    try:
        return _builders.submit(build).result(timeout=BUILD_TIMEOUT_S)
    except FutureTimeout:
        raise BriefingRefused(
            f"汇报材料生成超过 {BUILD_TIMEOUT_S:g} 秒，已放弃 / the briefing took over {BUILD_TIMEOUT_S:g} s"
        ) from None
    finally:
        _line.release()


def briefing_labels(lang: str) -> dict[str, str]:
    return {
        "snapshot": t("present.snapshot_label", lang),
        "demo": t("app.demo_badge", lang),
        "title": t("brief.title", lang),
        "notes_figures": t("briefings.notes_figures", lang),
        "notes_definitions": t("briefings.notes_definitions", lang),
    }


def briefing_slides(views: list[View], kinds: list[str], station_filters: tuple = ()) -> list:
    return [build_slide(v, k, "light", station_filters) for v, k in zip(views, kinds)]


def _pptx(views, kinds, lang, filters=()) -> bytes:
    from uniondash.render.briefing.build import pptx_bytes

    return pptx_bytes(briefing_slides(views, kinds, filters), briefing_labels(lang), lang=lang)


def _pdf(views, kinds, lang, filters=()) -> bytes:
    from uniondash.render.briefing.build import pdf_bytes

    return pdf_bytes(briefing_slides(views, kinds, filters), briefing_labels(lang), lang)


def briefing_downloads(
    views: list[View], kinds: list[str], lang: str, filters: tuple = ()
) -> tuple[str, dict[str, Callable[[], bytes]]]:
    """The briefing's file name and, per format (pptx, pdf), the function a download button calls
    at its click: it checks the session that drew the page, builds the file (only then) and writes
    the audit line (action export, table = the file name, format, bytes; or export-refused)."""
    from uniondash.ui.signin import export_recorder

    name = f"briefing-{views[0].snapshot}" if views else "briefing"
    record = export_recorder(name)  # who drew the page, captured now; checked and audited at the click
    return name, {
        "pptx": lambda: record("pptx", lambda: limited(lambda: _pptx(views, kinds, lang, filters))),
        "pdf": lambda: record("pdf", lambda: limited(lambda: _pdf(views, kinds, lang, filters))),
    }


def briefing_buttons(views: list[View], kinds: list[str], lang: str, key: str, filters: tuple = ()) -> None:
    from uniondash.ui.deferred_downloads import DeferredGroup
    from uniondash.ui.signin import refused_download_notice

    ok = browser_available()
    if not ok:
        st.caption(t("brief.no_browser", lang))
    name, files = briefing_downloads(views, kinds, lang, filters)
    group = DeferredGroup(key)  # the click's file and its rerun, made not to lose each other
    row = st.container(horizontal=True, wrap=True)
    clicked = row.download_button(
        t("brief.pptx", lang),
        group.builder(files["pptx"]),
        f"{name}.pptx",
        PPTX_MIME,
        key=f"{key}_pptx",
        icon=":material/slideshow:",
        on_click="rerun",  # the rerun says why, if the click was refused
        disabled=not ok,
        help=None if ok else t("brief.no_browser", lang),
    )
    clicked |= row.download_button(
        t("brief.pdf", lang),
        group.builder(files["pdf"]),
        f"{name}.pdf",
        "application/pdf",
        key=f"{key}_pdf",
        icon=":material/picture_as_pdf:",
        on_click="rerun",
        disabled=not ok,
        help=None if ok else t("brief.no_browser", lang),
    )
    group.settle(clicked)
    refused_download_notice(key, clicked, lang)


def briefing_menu(views: list[View], kinds: list[str], lang: str, key: str, filters: tuple = ()) -> None:
    with st.popover(t("brief.make", lang), icon=":material/download:"):
        briefing_buttons(views, kinds, lang, key, filters)
