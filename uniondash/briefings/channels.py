"""Delivery channels: e-mail (SMTP: STARTTLS, SSL or plain; multipart text and HTML, the files
attached; Chinese in the subject, body and file names encoded by Python's email package, RFC 2047
and RFC 2231), a work-chat group robot (WeCom or DingTalk markdown, DingTalk's signature when a
secret is given) and a folder on a share. Each raises DeliveryError with the reason on failure."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import os
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import quote_plus

from uniondash import clock
from uniondash.briefings.config import Briefing, Smtp
from uniondash.briefings.render import MIME, Rendered, Summary, subject, text_lines, write_files
from uniondash.text.i18n import t

TIMEOUT_S = 30  # a stalled server fails the attempt; the scheduler, not a page, waits for it


class DeliveryError(RuntimeError):
    pass


def email_message(smtp: Smtp, to: str, rendered: Rendered, lang: str, link: str = "") -> EmailMessage:
    """The e-mail: text and HTML alternatives of the summary, then the files attached."""
    s = rendered.summary
    msg = EmailMessage()
    msg["Subject"] = subject(s, lang)
    msg["From"] = smtp.sender
    msg["To"] = to
    msg["Date"] = formatdate(clock.timestamp(), localtime=False)
    msg["Message-ID"] = make_msgid(domain=smtp.host)
    lines = text_lines(s, lang)
    names = [name for name, _ in rendered.files.values()]
    if names:
        lines += ["", t("briefings.attached", lang, files="、".join(names) if lang == "zh" else ", ".join(names))]
    if link:
        lines += [f"{t('briefings.open', lang)}: {link}"]
    msg.set_content("\n".join(lines), charset="utf-8")
    msg.add_alternative(email_html(s, lang, link), subtype="html", charset="utf-8")
    for fmt, (name, data) in rendered.files.items():
        maintype, subtype = MIME[fmt].split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def email_html(s: Summary, lang: str, link: str = "") -> str:
    e = html.escape
    compare = t("briefings.compare_part", lang, compare=s.compare) if s.compare else ""
    rows = "".join(
        f"<tr><td>{e(label)}</td><td style='font-weight:bold;text-align:right'>{e(value)}</td><td>{e(detail)}</td></tr>"
        for label, value, detail in s.kpis
    )

    def items(lines: tuple[str, ...]) -> str:
        return (
            "<ul>" + "".join(f"<li>{e(x)}</li>" for x in lines) + "</ul>"
            if lines
            else f"<p>{e(t('briefings.none', lang))}</p>"
        )

    parts = [
        f"<h2>{e(t('briefings.title', lang, org=s.org))}</h2>",
        f"<p>{e(t('briefings.scope_line', lang, scope=s.scope, snapshot=s.snapshot, compare=compare))}</p>",
        f"<h3>{e(t('briefings.kpis', lang))}</h3><table cellpadding='4'>{rows}</table>",
        f"<h3>{e(t('briefings.changed', lang))}</h3>{items(s.changed)}",
        f"<h3>{e(t('briefings.behind', lang))}</h3>{items(s.behind)}",
        f"<p style='color:#505A64'>{e(t('briefings.privacy', lang))}"
        + (f" {e(t('briefings.demo', lang))}" if s.demo else "")
        + "</p>",
    ]
    if link:
        parts.append(f"<p><a href='{e(link, quote=True)}'>{e(t('briefings.open', lang))}</a></p>")
    return "<!doctype html><html><body style='font-family:sans-serif'>" + "".join(parts) + "</body></html>"


def send_email(smtp: Smtp, msg: EmailMessage) -> None:
    password = smtp.password()
    try:
        if smtp.security == "ssl":
            server = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT_S, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT_S)
        with server:
            if smtp.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if smtp.user:
                server.login(smtp.user, password)
            server.send_message(msg)
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP {smtp.host}:{smtp.port}: {type(exc).__name__}: {exc}") from None


def chat_markdown(s: Summary, lang: str, link: str) -> str:
    """The robot's message: the summary as markdown and the link. Units and figures only: no
    personal name (the slides carry none) and no count under 5 (count_text)."""
    compare = t("briefings.compare_part", lang, compare=s.compare) if s.compare else ""
    out = [
        f"### {t('briefings.title', lang, org=s.org)}",
        t("briefings.scope_line", lang, scope=s.scope, snapshot=s.snapshot, compare=compare),
        "",
    ]
    out.append(f"**{t('briefings.kpis', lang)}**")
    out += [f"- {label}：**{value}** {detail}".rstrip() for label, value, detail in s.kpis]
    out += ["", f"**{t('briefings.changed', lang)}**"]
    out += [f"- {x}" for x in s.changed[:5]] or [f"- {t('briefings.none', lang)}"]
    out += ["", f"**{t('briefings.behind', lang)}**"]
    out += [f"- {x}" for x in s.behind[:5]] or [f"- {t('briefings.none', lang)}"]
    out += ["", f"[{t('briefings.open', lang)}]({link})"]
    return "\n".join(out)


def dingtalk_signed(url: str, secret: str, now_ms: int) -> str:
    """DingTalk's signature: HMAC-SHA256 of "timestamp\\nsecret" keyed by the secret, base64, URL-encoded."""
    digest = hmac.new(secret.encode(), f"{now_ms}\n{secret}".encode(), hashlib.sha256).digest()
    sign = quote_plus(base64.b64encode(digest).decode())
    return f"{url}{'&' if '?' in url else '?'}timestamp={now_ms}&sign={sign}"


def webhook_payload(briefing: Briefing, s: Summary) -> dict:
    text = chat_markdown(s, briefing.lang, briefing.link)
    if briefing.kind == "dingtalk":
        title = t("briefings.title", briefing.lang, org=s.org)
        return {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    return {"msgtype": "markdown", "markdown": {"content": text}}


def send_webhook(briefing: Briefing, s: Summary) -> None:
    url = briefing.webhook
    if briefing.kind == "dingtalk" and briefing.secret_env:
        secret = os.environ.get(briefing.secret_env, "")
        if not secret:
            raise DeliveryError(f"环境变量 {briefing.secret_env} 未设置 / {briefing.secret_env} is not set")
        url = dingtalk_signed(url, secret, int(clock.timestamp() * 1000))
    body = json.dumps(webhook_payload(briefing, s), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, body, {"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            answer = response.read(64_000)
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"webhook: {type(exc).__name__}: {exc}") from None
    try:  # both robots answer 200 with {"errcode": 0, …}; anything else is a refusal
        code = json.loads(answer or b"{}").get("errcode", 0)
    except (json.JSONDecodeError, AttributeError):
        code = 0
    if code not in (0, None):
        raise DeliveryError(f"webhook: errcode {code}: {answer[:200].decode('utf-8', 'replace')}")


def send_folder(briefing: Briefing, rendered: Rendered) -> list[Path]:
    try:
        return write_files(Path(briefing.folder), rendered)
    except OSError as exc:
        raise DeliveryError(f"folder {briefing.folder}: {exc}") from None
