"""The part every page calls (one line): in the sidebar, copy link, "add this view to the deck"
(the agenda being built in this session, saved by name for everyone to open), deleting a deck
(after a confirmation), and the view's briefing. Saving and deleting go through
uniondash.data.decks with this session's account and role, which decide (owner or admin; never a
read-only visitor, to whom the controls are not offered) and audit; the panel only offers what
the session may do."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from uniondash.data.decks import (
    ADMIN_OWNER,
    DECK_ROLES,
    Deck,
    DeckError,
    DeckItem,
    DeckRefused,
    changeable_decks,
    check_name,
    delete_deck,
    list_decks,
    save_deck,
)
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
CONFIRM = "_deck_confirm"  # the deck a delete waits to be confirmed for


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


def deck_role() -> str:
    """The role this session saves and deletes decks as (demo mode: admin on this computer, the
    read-only "viewer" on a network)."""
    return session_access().identity.role


def may_change_decks() -> bool:
    return deck_role() in DECK_ROLES


def _audit_target() -> tuple[Path | None, str]:
    """The accounts file whose audit log records deck changes, and the client's address; demo mode
    keeps no log (as for exports and imports)."""
    from uniondash.access.accounts import load_accounts
    from uniondash.ui.signin import current_address

    if session_access().identity.is_demo:
        return None, ""
    return load_accounts().path, current_address()


def _message(exc: DeckError, lang: str) -> str:
    return exc.text(lang) if isinstance(exc, DeckRefused) else str(exc)


def _save(data_dir, lang: str) -> None:
    ss = st.session_state
    try:
        name = check_name(ss.get("deck_name", "").strip())
        audit_file, address = _audit_target()
        save_deck(
            data_dir,
            Deck(name, tuple(ss.get(AGENDA, []))),
            actor=deck_owner(),
            role=deck_role(),
            audit_file=audit_file,
            address=address,
        )
        ss["_deck_saved"] = name
    except DeckError as exc:
        ss["_deck_saved"] = None
        ss["_deck_error"] = _message(exc, lang)


def _ask_delete(page: str) -> None:
    ss = st.session_state
    ss[CONFIRM] = ss.get(f"deck_delete_pick_{page}")


def _delete(data_dir, page: str, lang: str) -> None:
    ss = st.session_state
    name = ss.pop(CONFIRM, None)
    if not name:
        return
    try:
        audit_file, address = _audit_target()
        delete_deck(data_dir, name, actor=deck_owner(), role=deck_role(), audit_file=audit_file, address=address)
        ss["_deck_deleted"] = name
        if ss.get("_deck_saved") == name:
            ss.pop("_deck_saved")
        ss.pop(f"deck_delete_pick_{page}", None)
    except DeckError as exc:
        ss["_deck_error"] = _message(exc, lang)


def _delete_controls(view: View, page: str) -> None:
    """A deck this session may delete (its own; any, for an admin), and a confirmation first."""
    lang, ss, data_dir = view.lang, st.session_state, view.settings.data_dir
    names = changeable_decks(data_dir, deck_owner(), deck_role())
    if not names:
        ss.pop(CONFIRM, None)
        return
    pending = ss.get(CONFIRM)
    if pending in names:
        st.warning(t("deck.delete_confirm", lang, name=pending), icon=":material/delete:")
        row = st.container(horizontal=True)
        row.button(
            t("deck.delete_yes", lang),
            key=f"deck_delete_yes_{page}",
            type="primary",
            on_click=_delete,
            args=(data_dir, page, lang),
        )
        row.button(t("deck.delete_no", lang), key=f"deck_delete_no_{page}", on_click=lambda: ss.pop(CONFIRM, None))
        return
    ss.pop(CONFIRM, None)
    st.selectbox(
        t("deck.delete_pick", lang),
        names,
        index=None,
        key=f"deck_delete_pick_{page}",
        placeholder=t("deck.delete_placeholder", lang),
    )
    st.button(
        t("deck.delete", lang),
        key=f"deck_delete_{page}",
        icon=":material/delete:",
        on_click=_ask_delete,
        args=(page,),
        disabled=not ss.get(f"deck_delete_pick_{page}"),
    )


def kiosk_session() -> bool:
    from uniondash.ui.navigation import is_kiosk

    return is_kiosk(session_access().identity)


def page_tools(view: View, page: str) -> None:
    """The sidebar's meeting tools. Every page calls it first, before it draws anything: a kiosk
    session (a wall screen) is sent to /present from here, whatever page it asked for."""
    if kiosk_session():  # the link's parameters (auto, deck, lang, theme …) go with it
        st.switch_page("app_pages/present.py", query_params=st.query_params.to_dict())
    lang, ss = view.lang, st.session_state
    kinds = PAGE_KINDS[page]
    editable = may_change_decks()  # a read-only visitor is offered no deck to build, save or delete
    with st.sidebar, st.expander(t("deck.menu", lang), icon=":material/co_present:"):
        copy_link(lang)
        if editable:
            st.selectbox(t("deck.kind", lang), kinds, key=f"deck_kind_{page}", format_func=lambda k: kind_name(k, lang))
            st.button(
                t("deck.add", lang), key=f"deck_add_{page}", on_click=_add, args=(view, page), icon=":material/add:"
            )
        items = ss.get(AGENDA, []) if editable else []
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
        deleted = ss.pop("_deck_deleted", None)
        if deleted:
            st.success(t("deck.deleted", lang, name=deleted))
        decks = list_decks(view.settings.data_dir)
        links = [("/present?" + urlencode({**query, **view_query(view)}, doseq=True), t("deck.open", lang))]
        links += [("/present?" + urlencode({"deck": d, **query}), d) for d in decks[:8]]
        st.markdown("\n".join(f"- [{label}]({href})" for href, label in links))
        if session_access().identity.role == "admin":  # the scheduled briefings' subscriptions
            st.page_link("app_pages/briefings.py", label=t("nav.briefings", lang), icon=":material/schedule_send:")
        if editable:
            _delete_controls(view, page)
        briefing_buttons([view] * len(kinds), list(kinds), lang, f"brief_{page}")


def view_query(view: View) -> dict:
    out: dict = {}
    if view.scope.cities:
        out["city"] = view.scope.cities[0] if len(view.scope.cities) == 1 else list(view.scope.cities)
    if view.scope.chosen_counties:
        out["county"] = list(view.scope.chosen_counties)
    return out
