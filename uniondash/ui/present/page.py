"""/present: the deck, one slide per screen. The page script calls present()."""

from __future__ import annotations

import html
import time

import streamlit as st

from uniondash.text.i18n import t
from uniondash.ui.present.agenda import kiosk_session
from uniondash.ui.present.briefing import briefing_menu
from uniondash.ui.present.content import build_slide, item_view
from uniondash.ui.present.controls import auto_advance, nav_bar
from uniondash.ui.present.draw import draw_slide, slide_css
from uniondash.ui.present.state import open_presentation, write_present_url
from uniondash.ui.share import copy_link
from uniondash.ui.stations.filters import frozen_filters, url_station_filters
from uniondash.ui.theme import current_theme
from uniondash.ui.view import View


def present(view: View) -> None:
    ss, lang = st.session_state, view.lang
    theme = current_theme(default="screen")
    st.html(slide_css(theme))
    p = open_presentation(view)
    for notice in p.notices:
        st.warning(notice, icon=":material/warning:")
    items = p.deck.items
    if not items:
        st.info(t("present.empty_deck", lang))
        return
    n = len(items)
    ss["present_slide"] = min(ss.get("present_slide", 0), n - 1)
    index = ss["present_slide"]
    item = items[index]
    filters = frozen_filters(url_station_filters(st.query_params))  # /present?kind=… for the stations slide
    slide = build_slide(item_view(view, item, p.snapshot), item.kind, theme, filters)
    title_col, bar_col = st.columns([1, 1], vertical_alignment="center")
    title_col.html(f'<h1 class="ud-title">{html.escape(slide.title)}</h1>')
    with bar_col:
        row = st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center")
        with row:
            auto_advance(p.auto, n, lang)
            copy_link(lang)
            if not kiosk_session():  # a wall screen takes no files away
                views = [item_view(view, i, p.snapshot) for i in items]
                briefing_menu(views, [i.kind for i in items], lang, "deck", filters)
            nav_bar(n, lang)
    draw_slide(slide, theme, lang, key=f"slide{index}")
    write_present_url(p)
    # auto-advance counts from when a slide was first drawn, not from when its run began: a slow
    # run (a county slide of 103 counties) would otherwise eat a short interval and skip a slide
    if ss.get("_shown_index") != index:
        ss["_shown_index"], ss["_slide_shown_at"] = index, time.monotonic()
