"""The e-mail channel against a real SMTP server (aiosmtpd) in each security mode: STARTTLS with
a login (the password from the environment variable the file names), SSL from the first byte, and
plain; the server's certificate is a self-signed one made here and trusted through SSL_CERT_FILE
(an intranet's own CA works the same way). The message is the real one (email_message) for a
summary and one attachment: its Chinese subject and file name arrive intact."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from uniondash.briefings.channels import DeliveryError, email_message, send_email
from uniondash.briefings.config import Smtp
from uniondash.briefings.render import Rendered, Summary

SUMMARY = Summary("测试市总工会", "甲二县", "2023-12-31", "2022-12-31", True, (("工会组建率", "50.0%", ""),), (), ())
RENDERED = Rendered((), {"pdf": ("briefing-甲二县-2023-12-31.pdf", b"%PDF-1.4 x")}, SUMMARY, ())


class Box:
    def __init__(self) -> None:
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(
            (email.message_from_bytes(envelope.original_content, policy=email.policy.default), session)
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    key, crt = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(crt),
        ],
        check=True,
        capture_output=True,
    )
    return key, crt


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"dashboard" and auth_data.password == b"s3cret pass"
    return AuthResult(success=ok)


def test_starttls_with_login(cert, monkeypatch):
    key, crt = cert
    monkeypatch.setenv("SSL_CERT_FILE", str(crt))
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret pass")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(crt, key)
    box, port = Box(), free_port()
    server = Controller(
        box,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    server.start()
    try:
        smtp = Smtp("127.0.0.1", port, "starttls", "dashboard", "TEST_SMTP_PASSWORD", "看板 <dashboard@example.org>")
        send_email(smtp, email_message(smtp, "zhou@example.org", RENDERED, "zh"))
    finally:
        server.stop()
    ((msg, session),) = box.messages
    assert session.ssl is not None  # the message went over TLS
    assert msg["Subject"] == "测试市总工会 · 甲二县 · 工作简报（快照 2023-12-31）"
    assert [p.get_filename() for p in msg.iter_attachments()] == ["briefing-甲二县-2023-12-31.pdf"]


def test_ssl_and_plain(cert, monkeypatch):
    key, crt = cert
    monkeypatch.setenv("SSL_CERT_FILE", str(crt))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(crt, key)
    box = Box()
    tls_port, plain_port = free_port(), free_port()
    tls = Controller(box, hostname="127.0.0.1", port=tls_port, ssl_context=context)
    plain = Controller(box, hostname="127.0.0.1", port=plain_port)
    tls.start()
    plain.start()
    try:
        for security, port in (("ssl", tls_port), ("none", plain_port)):
            smtp = Smtp("127.0.0.1", port, security, "", "", "dashboard@example.org")
            send_email(smtp, email_message(smtp, "wang@example.org", RENDERED, "en"))
        # the SSL port speaks TLS from the first byte: a plain client gets nothing through (it waits
        # for a greeting that never comes, up to the channel's timeout)
        monkeypatch.setattr("uniondash.briefings.channels.TIMEOUT_S", 3)
        with pytest.raises(DeliveryError, match=f"SMTP 127.0.0.1:{tls_port}"):
            smtp = Smtp("127.0.0.1", tls_port, "none", "", "", "dashboard@example.org")
            send_email(smtp, email_message(smtp, "wang@example.org", RENDERED, "en"))
    finally:
        tls.stop()
        plain.stop()
    assert [m["Subject"] for m, _ in box.messages] == ["测试市总工会 · 甲二县 · briefing (snapshot 2023-12-31)"] * 2


def test_a_password_env_left_unset_is_named(monkeypatch):
    monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
    smtp = Smtp("127.0.0.1", free_port(), "none", "dashboard", "TEST_SMTP_PASSWORD", "dashboard@example.org")
    with pytest.raises(Exception, match="TEST_SMTP_PASSWORD"):
        send_email(smtp, email_message(smtp, "wang@example.org", RENDERED, "en"))
