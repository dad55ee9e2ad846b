"""The part every page calls (one line): in the sidebar, copy link, "add this view to the deck"
(the agenda being built in this session, saved by name for everyone), and the view's briefing."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from uniondash.data.decks import ADMIN_OWNER, Deck, DeckError, DeckItem, check_name, list_decks, save_deck
from uniondash.text.i18n import t
from uniondash.ui.present.briefing import briefing_buttons
from uniondash.ui.share import copy_link
from uniondash.ui.view import View, session_access

PAGE_KINDS = {
    "overview": ("headline", "changes"),
    "coverage": ("coverage_map", "behind"),
    "stations": ("stations_map",),
    "competitions": ("competitions",),
    "county": ("county",),
}
AGENDA = "_deck_items"


def kind_name(kind: str, lang: str) -> str:
    return t("present.kind_name.county" if kind == "county" else f"present.kind.{kind}", lang)


def _add(view: View, page: str) -> None:
    ss = st.session_state
    item = DeckItem(
        ss[f"deck_kind_{page}"], page, view.snapshot, view.compare, view.scope.cities, view.scope.chosen_counties
    )
    ss.setdefault(AGENDA, []).append(item)


def deck_owner() -> str:
    """Who owns a deck saved in this session: the signed-in account's name; in demo mode (no
    account) the administrators (ADMIN_OWNER)."""
    identity = session_access().identity
    return ADMIN_OWNER if identity.is_demo else identity.name


def _save(data_dir, lang: str) -> None:
    ss = st.session_state
    try:
        name = check_name(ss.get("deck_name", "").strip())
        save_deck(data_dir, Deck(name, tuple(ss.get(AGENDA, [])), deck_owner()))
        ss["_deck_saved"] = name
    except DeckError as exc:
        ss["_deck_saved"] = None
        ss["_deck_error"] = str(exc)


def page_tools(view: View, page: str) -> None:
    lang, ss = view.lang, st.session_state
    kinds = PAGE_KINDS[page]
    with st.sidebar, st.expander(t("deck.menu", lang), icon=":material/co_present:"):
        copy_link(lang)
        st.selectbox(t("deck.kind", lang), kinds, key=f"deck_kind_{page}", format_func=lambda k: kind_name(k, lang))
        st.button(t("deck.add", lang), key=f"deck_add_{page}", on_click=_add, args=(view, page), icon=":material/add:")
        items = ss.get(AGENDA, [])
        query = {"lang": lang} if lang != "zh" else {}
        if items:
            st.caption(t("deck.items", lang, n=len(items)))
            st.text_input(t("deck.name", lang), key="deck_name", max_chars=40)
            row = st.container(horizontal=True)
            row.button(
                t("deck.save", lang), key=f"deck_save_{page}", on_click=_save, args=(view.settings.data_dir, lang)
            )
            row.button(t("deck.clear", lang), key=f"deck_clear_{page}", on_click=lambda: ss.pop(AGENDA, None))
        if ss.get("_deck_error"):
            st.error(ss.pop("_deck_error"), icon=":material/error:")
        saved = ss.get("_deck_saved")
        if saved:
            link = "/present?" + urlencode({"deck": saved, **query}, doseq=True)
            st.success(t("deck.saved", lang, link=link))
        decks = list_decks(view.settings.data_dir)
        links = [("/present?" + urlencode({**query, **view_query(view)}, doseq=True), t("deck.open", lang))]
        links += [("/present?" + urlencode({"deck": d, **query}), d) for d in decks[:8]]
        st.markdown("\n".join(f"- [{label}]({href})" for href, label in links))
        briefing_buttons([view] * len(kinds), list(kinds), lang, f"brief_{page}")


def view_query(view: View) -> dict:
    out: dict = {}
    if view.scope.cities:
        out["city"] = view.scope.cities[0] if len(view.scope.cities) == 1 else list(view.scope.cities)
    if view.scope.chosen_counties:
        out["county"] = list(view.scope.chosen_counties)
    return out
