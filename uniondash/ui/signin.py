"""The sign-in gate, run by dashboard.py before any data is read.

Every run decides who the session is (uniondash.access.gate) from verified sources only: the
session already signed in here, the signed HttpOnly cookie (a reload, a new tab, a copied link),
Streamlit's single sign-on (st.login, when [auth] is in secrets.toml), or demo mode when no
account is configured. Without one, every product path shows the sign-in form; the URL is kept,
so the view it asked for opens after signing in.
"""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from uniondash.access import audit, entitlements
from uniondash.access.accounts import Accounts, accounts_path, load_accounts
from uniondash.access.data_scope import SessionAccess
from uniondash.access.downloads import DownloadTicket, checked, refusal
from uniondash.access.gate import access_for, account_identity, demo_identity, sso_account
from uniondash.access.network import client_address
from uniondash.access.roles import PRODUCT_PAGES, Identity
from uniondash.access.routes import SESSION_PATH, SIGNOUT_PATH
from uniondash.access.sessions import COOKIE_NAME, Session, Store, cookie_secret, unsign
from uniondash.access.state import SharedState
from uniondash.text.i18n import t
from uniondash.ui.reads import ACCESS_KEY
from uniondash.ui.theme import HANDOVER_DONE, HANDOVER_PENDING

NOTICE = "_signin_notice"  # a message for the sign-in form (expired, signed out)
HANDOVER = "_signin_ticket"  # a ticket the page posts to /access/session (redeemed once)
# The ticket's script is drawn on this many runs: a run that switches pages (a kiosk sent on to
# /present) may end before the browser ever mounts it; posting a redeemed ticket again is a harmless 400.
HANDOVER_RUNS = 3
RETURN_KEY = "uniondash_return"  # sessionStorage: the URL asked for before single sign-on
TICKET_KEY = "_download_ticket"  # who drew the page last: a download click is checked against it


def sso_configured() -> bool:
    try:
        return "auth" in st.secrets
    except (FileNotFoundError, st.errors.StreamlitSecretNotFoundError):
        return False


def current_address() -> str:
    return client_address(st.context.ip_address, st.context.headers.get("X-Forwarded-For"))


def _sso_user() -> dict | None:
    try:
        return st.user.to_dict() if st.user.is_logged_in else None
    except (AttributeError, KeyError, st.errors.StreamlitAPIException):
        return None


def _sso_session_id(user: dict) -> str:
    """One server-side session per SSO login (subject and issue time), for idle expiry."""
    return "sso-" + hashlib.sha256(f"{user.get('sub')}|{user.get('iat')}".encode()).hexdigest()[:32]


def gate(regions: pd.DataFrame, lang: str) -> SessionAccess:
    """This session's access, or the sign-in page (and st.stop()) when it has none."""
    ss = st.session_state
    accounts = load_accounts()
    hold_s = accounts.idle_minutes * 60
    if not accounts.users and not sso_configured():
        access = access_for(demo_identity(current_address()), regions)
        ss[ACCESS_KEY] = access
        entitlements.grant(streamlit_session_id(), access.identity.role, access.identity.name, hold_s)
        return access
    store = Store(accounts.folder)
    identity = _resume(accounts, store)
    if identity is None:
        ss.pop(ACCESS_KEY, None)
        entitlements.revoke(streamlit_session_id())
        _signin_page(accounts, store, lang)
        st.stop()
    access = access_for(identity, regions)
    ss[ACCESS_KEY] = access
    entitlements.grant(streamlit_session_id(), identity.role, identity.name, hold_s)
    return access


def streamlit_session_id() -> str:
    """This browser tab's Streamlit session id (the one in /_stcore/upload_file/<id>/… paths)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else ""


def _live(accounts: Accounts, store: SharedState, sid: str, name: str, source: str) -> Identity | None:
    result = store.touch(sid, accounts.idle_minutes * 60)
    if result == "expired":
        st.session_state[NOTICE] = "access.expired"
        audit.record(accounts.path, name, "expired", current_address())
    elif result == "revoked" and st.session_state.get(ACCESS_KEY) is not None:
        st.session_state[NOTICE] = "access.revoked"  # signed out in another tab, or by an administrator
    if not isinstance(result, Session):
        return None
    account = accounts.users.get(result.user)
    return account_identity(account, accounts, source, sid) if account else None


def _resume(accounts: Accounts, store: SharedState) -> Identity | None:
    """The identity of a session signed in here, by cookie, or by single sign-on; None if none."""
    held = st.session_state.get(ACCESS_KEY)
    if isinstance(held, SessionAccess) and held.identity.source == "local":
        return _live(accounts, store, held.identity.session_id, held.identity.name, "local")
    sid = unsign(cookie_secret(accounts.folder), st.context.cookies.get(COOKIE_NAME))
    if sid:
        identity = _live(accounts, store, sid, "", "local")
        if identity:
            return identity
    user = _sso_user() if sso_configured() else None
    if user is None:
        return None
    return _sso_identity(accounts, store, user)


def _sso_identity(accounts: Accounts, store: SharedState, user: dict) -> Identity | None:
    account = sso_account(accounts, user)
    name = str(user.get(accounts.sso_claim) or user.get("sub") or "?")
    if account is None:
        audit.record(accounts.path, name, "refused", current_address(), source="sso")
        lang = st.session_state.get("lang", "zh")
        st.error(t("access.sso_no_role", lang, name=name), icon=":material/block:")
        if st.button(t("access.signout", lang)):
            st.logout()
        st.stop()
    sid = _sso_session_id(user)
    result = store.touch(sid, accounts.idle_minutes * 60)
    if result == "unknown":
        store.create(account.name, "sso", sid=sid)
        audit.record(accounts.path, account.name, "sign-in", current_address(), source="sso")
        st.session_state["_sso_return"] = True  # reopen the URL asked for before the redirect
    elif not isinstance(result, Session):
        audit.record(accounts.path, account.name, "expired", current_address(), source="sso")
        st.logout()
        st.stop()
    return account_identity(account, accounts, "sso", sid)


def _signin_page(accounts: Accounts, store: SharedState, lang: str) -> None:
    """Every product path shows the form (the URL stays as asked for), nothing else."""

    def form() -> None:
        signin_form(accounts, store, lang)

    pages = [
        st.Page(form, title=t("access.signin_title", lang), url_path=p or "signin", default=not p)
        for p in PRODUCT_PAGES
    ]
    st.navigation(pages, position="hidden").run()


def signin_form(accounts: Accounts, store: SharedState, lang: str) -> None:
    clear_cookie_if_signed_out()
    st.title(t("access.signin_title", lang))
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.info(t(notice, lang), icon=":material/info:")
    st.caption(t("access.signin_intro", lang))
    with st.form("signin", clear_on_submit=True, enter_to_submit=True, width=420):
        user = st.text_input(t("access.user", lang), max_chars=64, autocomplete="username")
        password = st.text_input(t("access.password", lang), type="password", max_chars=200)
        submitted = st.form_submit_button(t("access.submit", lang), type="primary")
    if submitted:
        error = _try_password(accounts, store, user.strip(), password)
        if error:
            st.error(error, icon=":material/error:")
        else:
            st.rerun()
    if sso_configured():
        st.caption(t("access.sso_or", lang))
        _remember_url()
        if st.button(t("access.sso", lang), icon=":material/key:"):
            st.login()


def _try_password(accounts: Accounts, store: SharedState, user: str, password: str) -> str | None:
    """None when signed in; otherwise the message to show. Rate-limited per user and address."""
    lang = st.session_state.get("lang", "zh")
    address = current_address()
    if not user or not password:
        return t("access.missing", lang)
    wait = store.locked_for(user, address)
    if wait > 0:
        audit.record(accounts.path, user, "locked", address)
        return t("access.locked", lang, minutes=max(1, round(wait / 60)))
    account = accounts.verify(user, password)
    if account is None:
        store.fail(user, address)
        audit.record(accounts.path, user, "failure", address)
        return t("access.failed", lang)
    store.succeed(user)
    sid = store.create(account.name, "local")
    audit.record(accounts.path, account.name, "sign-in", address, source="local")
    identity = account_identity(account, accounts, "local", sid)
    st.session_state[ACCESS_KEY] = SessionAccess(identity, None, identity.sees_names)  # scope set by gate
    st.session_state[HANDOVER] = store.ticket(sid)
    return None


def _remember_url() -> None:
    """Single sign-on comes back to /: keep the URL asked for in the tab's sessionStorage."""
    st.html(
        f"""<script>
        (() => {{
          const here = window.location.pathname + window.location.search;
          if (here !== "/") sessionStorage.setItem({json.dumps(RETURN_KEY)}, here);
        }})();
        </script>""",
        unsafe_allow_javascript=True,
    )


def _held_ticket() -> tuple[str, int] | None:
    held = st.session_state.get(HANDOVER)
    if not held:
        return None
    return held if isinstance(held, tuple) else (held, HANDOVER_RUNS)


def handover_tag() -> str | None:
    """A short tag of the sign-in ticket being handed over on this run, or None: the theme's reload
    (ui/theme.py) waits until the browser says that hand-over is done."""
    held = _held_ticket()
    return hashlib.sha256(held[0].encode()).hexdigest()[:12] if held else None


def after_signin() -> None:
    """After signing in (on the next few runs): post the ticket for the HttpOnly cookie; after
    single sign-on, reopen the URL that was asked for."""
    ss = st.session_state
    held, tag = _held_ticket(), handover_tag()
    script = ""
    if held:
        ticket, left = held
        if left > 1:
            ss[HANDOVER] = (ticket, left - 1)
        else:
            ss.pop(HANDOVER, None)
        body = json.dumps({"ticket": ticket})
        pending = json.dumps(HANDOVER_PENDING)  # a theme reload waits for the cookie (ui/theme.py)
        script += (
            f"sessionStorage.setItem({pending}, String(Date.now()));"
            f"fetch({json.dumps(SESSION_PATH)}, {{method: 'POST', credentials: 'same-origin',"
            f" headers: {{'Content-Type': 'application/json'}}, body: {json.dumps(body)}}})"
            f".finally(() => {{ sessionStorage.removeItem({pending});"
            f" sessionStorage.setItem({json.dumps(HANDOVER_DONE)}, {json.dumps(tag)}); }});"
            f"sessionStorage.removeItem({json.dumps(RETURN_KEY)});"
        )
    if ss.pop("_sso_return", False):
        script += (
            f"const r = sessionStorage.getItem({json.dumps(RETURN_KEY)});"
            f"sessionStorage.removeItem({json.dumps(RETURN_KEY)});"
            "if (r && r.startsWith('/') && !r.startsWith('//') && r !== location.pathname + location.search)"
            " location.replace(r);"
        )
    if script:
        st.html(f"<script>(() => {{ {script} }})();</script>", unsafe_allow_javascript=True)


def signout_control(access: SessionAccess, lang: str) -> None:
    """The sidebar's line on who is signed in, and the sign-out button (not in demo mode)."""
    identity = access.identity
    if identity.is_demo:
        return
    role = t(f"access.role.{identity.role}", lang)
    st.caption(t("access.signed_in_as", lang, name=identity.name, role=role))
    if st.button(t("access.signout", lang), icon=":material/logout:", key="signout"):
        accounts = load_accounts()
        Store(accounts.folder).revoke(identity.session_id)
        entitlements.revoke(streamlit_session_id())
        audit.record(accounts.path, identity.name, "sign-out", current_address(), source=identity.source)
        st.session_state.pop(ACCESS_KEY, None)
        st.session_state[NOTICE] = "access.signed_out"
        st.session_state["_signout_cookie"] = True
        if identity.source == "sso":
            st.logout()  # Streamlit redirects to the provider's logout; a rerun here would race it
            return
        st.rerun()


def clear_cookie_if_signed_out() -> None:
    """After a sign-out, the page asks the server to clear the cookie (already revoked)."""
    if st.session_state.pop("_signout_cookie", False):
        st.html(
            f"<script>fetch({json.dumps(SIGNOUT_PATH)}, {{method: 'POST', credentials: 'same-origin'}});</script>",
            unsafe_allow_javascript=True,
        )


def demo_banner(access: SessionAccess, lang: str) -> None:
    """Demo mode says so on screen: admin on this computer, or read-only on a network. Drawn where
    the caller is (the router's sidebar block, which /present keeps hidden)."""
    identity = access.identity
    if identity.is_demo:
        key = "access.demo_admin" if identity.role == "admin" else "access.demo_public"
        st.warning(t(key, lang), icon=":material/science:")  # in the router's sidebar (hidden on /present)


def record_import(as_of: str, files: list[str], ok: bool, problems: int) -> None:
    """Audit-log an import on /data by this session (demo mode keeps no log)."""
    from uniondash.ui.reads import session_access

    identity = session_access().identity
    if not identity.is_demo:
        audit.record(
            load_accounts().path,
            identity.name,
            "import",
            current_address(),
            as_of=as_of,
            files=files,
            ok=ok,
            problems=problems,
        )


def download_ticket() -> DownloadTicket:
    """Who this session is, captured while the page draws, for a download checked at its click.
    The accounts file is named, not read: load_accounts() would parse it (or, with
    UNIONDASH_STATE_URL, query the database) for every download button on every rerun, only for
    its path, which is always accounts_path(); the gate has read the accounts for this run."""
    from uniondash.ui.reads import session_access

    identity = session_access().identity
    who = (identity.name, identity.role, tuple(identity.scope), identity.source, identity.session_id)
    return DownloadTicket(accounts_path(), *who, current_address())


def record_cache_refresh() -> None:
    """Audit-log an admin's refresh of the shared caches (demo mode keeps no log)."""
    from uniondash.ui.reads import session_access

    identity = session_access().identity
    if not identity.is_demo:
        audit.record(load_accounts().path, identity.name, "refresh-caches", current_address())


def export_recorder(name: str):
    """A function (format, bytes) → bytes for a download of table `name`: at the click it checks
    that this session and its account still hold (uniondash.access.downloads), audits the export
    or the refusal, and hands over the bytes or nothing."""
    ticket = download_ticket()
    return lambda fmt, data: checked(ticket, name, fmt, data)


def refused_download_notice(key: str, clicked: bool, lang: str) -> None:
    """Each run remembers who drew download button `key`; on the rerun after its click, if that
    ticket no longer holds (a role or scope changed meanwhile), say why nothing was handed over.
    (A session signed out, revoked or expired meanwhile gets the sign-in page and its notice.)"""
    ss = st.session_state
    before, now = ss.get(f"{TICKET_KEY}:{key}"), download_ticket()
    ss[f"{TICKET_KEY}:{key}"] = now
    if clicked and before is not None and before != now:
        reason = refusal(before)
        if reason:
            st.error(t(f"access.download_refused.{reason}", lang), icon=":material/block:")
