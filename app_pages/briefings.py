"""定时简报 Scheduled briefings: the subscriptions in briefings.toml, read-only (the file is the source,
so its comments are never lost), each with its next slot, last delivery and last failure; admins
may send one now. Sending runs beside the page, never in it: a broken SMTP server neither slows
nor breaks the page (the outcome is in the table on the next visit or refresh)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import streamlit as st

from uniondash import clock
from uniondash.access.accounts import load_accounts
from uniondash.briefings import sentlog
from uniondash.briefings.config import BriefingsError, load_briefings
from uniondash.briefings.schedule import next_slot
from uniondash.config import load_settings
from uniondash.text.i18n import t
from uniondash.ui.reads import session_access

SENDER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-send")  # one at a time, off the page


def send_now(name: str) -> list:
    from uniondash.briefings.runner import Runner

    settings = load_settings()
    runner = Runner(load_briefings(None, settings.timezone), settings, load_accounts(), echo=lambda _line: None)
    return runner.send_now(name)


def channel_words(b, lang: str) -> str:
    """邮件 / 工作群机器人（钉钉） / 共享文件夹 /srv/share/briefings, in the reader's language."""
    words = t(f"briefings.channel.{b.channel}", lang)
    if b.channel == "webhook":
        return f"{words} ({t(f'briefings.kind.{b.kind}', lang)})"
    if b.channel == "folder":
        return f"{words} {b.folder}"
    return words


def table(bfile, lang: str) -> pd.DataFrame:
    entries = sentlog.read(bfile.sent_log)
    now = clock.now(load_settings().timezone)
    rows = []
    for b in bfile.briefings:
        sent = sentlog.last(entries, b.name, ("sent",))
        failed = sentlog.last(entries, b.name, ("failed", "no_address"))
        rows.append(
            {
                t("briefings.col_name", lang): b.name,
                t("briefings.col_what", lang): f"deck={b.deck}" if b.deck else b.view,
                t("briefings.col_to", lang): ", ".join(b.to),
                t("briefings.col_schedule", lang): b.schedule,
                t("briefings.col_next", lang): next_slot(b.schedule, now).strftime("%Y-%m-%d %H:%M")
                if b.enabled
                else "—",
                t("briefings.col_channel", lang): channel_words(b, lang),
                t("briefings.col_formats", lang): ", ".join(f.upper() for f in b.formats)
                if b.channel != "webhook"
                else "—",
                t("briefings.col_enabled", lang): b.enabled,
                t("briefings.col_last_sent", lang): f"{sent['time']} → {sent['recipient']}" if sent else "—",
                t("briefings.col_last_failure", lang): (
                    f"{failed['time']} → {failed['recipient']}: {failed['detail']}" if failed else "—"
                ),
            }
        )
    return pd.DataFrame(rows)


lang = st.session_state.get("lang") or "zh"
st.title(t("briefings.page_title", lang))
if session_access().identity.role != "admin":
    st.error(t("access.page_refused", lang, role=t(f"access.role.{session_access().identity.role}", lang)))
    st.stop()
try:
    bfile = load_briefings(None, load_settings().timezone)
except BriefingsError as exc:
    st.error(t("briefings.file_error", lang, error=str(exc)), icon=":material/error:")
    st.stop()
st.caption(t("briefings.page_intro", lang, path=str(bfile.path)))
if not bfile.briefings:
    st.info(t("briefings.none_configured", lang, path=str(bfile.path)))
    st.stop()
st.dataframe(table(bfile, lang), hide_index=True, width="stretch")
pending = st.session_state.get("_briefing_send")
if pending is not None and pending.done():
    outcomes = pending.result() if pending.exception() is None else []
    st.session_state.pop("_briefing_send")
    failed = [o for o in outcomes if o.failed]
    if pending.exception() is not None:
        st.error(t("briefings.sent_failed", lang, who=str(pending.exception())), icon=":material/error:")
    elif failed:
        st.error(t("briefings.sent_failed", lang, who=", ".join(f"{o.recipient}: {o.detail}" for o in failed)))
    else:
        st.success(t("briefings.sent_ok", lang, n=sum(o.status == "sent" for o in outcomes)))
row = st.container(horizontal=True, vertical_alignment="bottom")
name = row.selectbox(t("briefings.pick", lang), [b.name for b in bfile.briefings], key="briefing_pick")
if row.button(
    t("briefings.send_now", lang), icon=":material/send:", disabled=pending is not None and not pending.done()
):
    st.session_state["_briefing_send"] = SENDER.submit(send_now, name)
    st.rerun()
