"""The guard middleware (uniondash.ui.guard) against a real server: framing headers, no
/_stcore/metrics, uploads only for sessions entitled to them, clear_cache frames from clients
dropped (counted by queries executed, not by timings), malformed JSON on /access/session answered
400. The same clear_cache scenario against dashboard.py, which has no guard, shows the counter
catching a cleared cache."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser import streamlit_server
from streamlit.proto.BackMsg_pb2 import BackMsg

from tools.bench.protocol import ProtocolSession
from uniondash.access.accounts import Account, Accounts, hash_password, save_accounts
from uniondash.access.sessions import COOKIE_NAME, Store, sign
from uniondash.ui.guard import dropped, frame_headers

SECRET = "g" * 40


def http(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of one request, whatever the status."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def write_accounts(folder: Path) -> Path:
    hashed = hash_password("correct horse 1")
    acc = Accounts(folder / "users.toml")
    acc.users = {"lead": Account("lead", "leader", (), hashed), "boss": Account("boss", "admin", (), hashed)}
    save_accounts(acc)
    return acc.path


def cookie_for(folder: Path, user: str) -> dict[str, str]:
    """A signed-in browser's cookie, as /access/session would have set it."""
    sid = Store(folder).create(user, "local")
    return {"Cookie": f"{COOKIE_NAME}={sign(SECRET.encode(), sid)}"}


@pytest.fixture(scope="module")
def accounts(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("guard-accounts")
    write_accounts(folder)
    return folder


def start(fixture_dir, accounts: Path, log: Path, script: str = "serve.py"):
    env = {
        "UNIONDASH_USERS": str(accounts / "users.toml"),
        "UNIONDASH_COOKIE_SECRET": SECRET,
        "UNIONDASH_QUERY_LOG": str(log),
    }
    return streamlit_server(fixture_dir, script=script, extra_env=env)


@pytest.fixture(scope="module")
def guarded(fixture_dir, accounts, tmp_path_factory):
    log = tmp_path_factory.mktemp("guard-log") / "queries.log"
    with start(fixture_dir, accounts, log) as (url, proc):
        yield url, proc, log


def executed(log: Path) -> int:
    return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0


async def clear_cache_scenario(url: str, accounts: Path, log: Path) -> tuple[int, int, int]:
    """(queries of a leader's first overview, of a second one, of a third after a signed-out client
    sent clear_cache): the second and third read from the caches unless they were cleared."""
    async with ProtocolSession(url, headers=cookie_for(accounts, "lead")) as leader:
        first = await leader.open("")
        assert first.exceptions == []
        assert any("工会" in t for t in first.texts), first.texts[:3]
        n1 = executed(log)
        await leader.open("")
        n2 = executed(log)
        async with ProtocolSession(url) as stranger:  # no cookie: the sign-in form
            signin = await stranger.open("")
            assert any("登录" in t for t in signin.texts), signin.texts[:3]
            msg = BackMsg()
            msg.clear_cache = True
            await stranger.send_raw(msg)
            await stranger.open("")  # the clear (if it got through) has been handled by now
        await leader.open("")
        return n1, n2 - n1, executed(log) - n2


def test_a_signed_out_client_cannot_clear_the_shared_caches(guarded, accounts):
    url, _proc, log = guarded
    first, again, after_clear = asyncio.run(clear_cache_scenario(url, accounts, log))
    assert first > 0, "the first overview runs its queries"
    assert again == 0, "a second overview reads every query from the cache"
    assert after_clear == 0, "after a signed-out client's clear_cache the caches still hold"


def test_without_the_guard_the_same_message_clears_them(fixture_dir, accounts, tmp_path):
    """The finding reproduced: dashboard.py alone (no middleware) obeys the stranger's clear_cache."""
    log = tmp_path / "queries.log"
    with start(fixture_dir, accounts, log, script="dashboard.py") as (url, _proc):
        first, again, after_clear = asyncio.run(clear_cache_scenario(url, accounts, log))
    assert first > 0
    assert again == 0
    assert after_clear > 0, "the unguarded server ran its queries again: the caches were emptied"


def test_uploads_only_for_sessions_entitled_to_them(guarded, accounts):
    url, _proc, _log = guarded

    async def session_ids():
        ids = {}
        async with ProtocolSession(url) as stranger, ProtocolSession(url, headers=cookie_for(accounts, "lead")) as lead:
            async with ProtocolSession(url, headers=cookie_for(accounts, "boss")) as boss:
                for name, s in (("stranger", stranger), ("lead", lead), ("boss", boss)):
                    await s.open("")
                    ids[name] = s.session_id
                statuses = {}
                for name, sid in ids.items():
                    statuses[name] = http(f"{url}/_stcore/upload_file/{sid}/f1", "PUT", b"x" * 1000)
        return ids, statuses

    ids, statuses = asyncio.run(session_ids())
    assert all(ids.values())
    assert len(set(ids.values())) == 3
    refusal = "此会话无权上传文件，请以管理员身份登录 / this session may not upload files"
    for name in ("stranger", "lead"):  # signed out, and a leader (who reads /data's round board but sends no file)
        status, _h, body = statuses[name]
        assert status == 403, (name, status, body[:200])
        assert json.loads(body) == {"error": refusal}, name
    status, _h, body = statuses["boss"]  # past the guard: Streamlit's own checks answer (XSRF, form)
    assert refusal.encode() not in body, (status, body[:200])
    # a made-up session id is refused the same way, before a byte is read
    status, _h, body = http(f"{url}/_stcore/upload_file/not-a-session/f1", "PUT", b"x" * 100)
    assert status == 403
    assert json.loads(body) == {"error": refusal}


def test_every_response_refuses_framing_by_other_sites(guarded):
    url, _proc, _log = guarded
    for path in ("/", "/_stcore/health", "/present"):
        status, headers, _ = http(url + path)
        assert status == 200, path
        assert headers["X-Frame-Options"] == "SAMEORIGIN", path
        assert headers["Content-Security-Policy"] == "frame-ancestors 'self'", path


def test_metrics_are_not_served(guarded):
    url, _proc, _log = guarded
    status, _h, body = http(url + "/_stcore/metrics")
    assert status == 404
    assert b"cache" not in body.lower()


@pytest.mark.parametrize("body", [b"{", b"[]", b'"x"', b"\xff\xfe"])
def test_malformed_json_is_answered_400_with_a_message(guarded, body):
    url, _proc, _log = guarded
    status, _h, answer = http(
        url + "/access/session", "POST", body, {"Content-Type": "application/json", "Origin": url}
    )
    assert status == 400
    assert "the body must be a JSON object" in json.loads(answer)["error"]


def test_frame_headers_name_the_portal_when_one_is_configured():
    assert frame_headers("") == [
        (b"x-frame-options", b"SAMEORIGIN"),
        (b"content-security-policy", b"frame-ancestors 'self'"),
    ]
    # X-Frame-Options cannot name another origin: with a portal only the CSP is sent
    assert frame_headers("https://portal.example.gov.cn") == [
        (b"content-security-policy", b"frame-ancestors 'self' https://portal.example.gov.cn")
    ]


def test_only_clear_cache_frames_are_dropped():
    clear, rerun = BackMsg(), BackMsg()
    clear.clear_cache = True
    rerun.rerun_script.query_string = "lang=en"
    assert dropped(clear.SerializeToString())
    assert not dropped(rerun.SerializeToString())
    assert not dropped(b"\xff\xff\xff")  # not a BackMsg: Streamlit refuses it itself


def test_a_frame_portal_must_be_an_origin():
    from uniondash.config import validate_origin
    from uniondash.errors import UserFacingError

    assert validate_origin(" https://portal.example.gov.cn:8443 ") == "https://portal.example.gov.cn:8443"
    for bad in ("portal.example.gov.cn", "https://a.cn/path", "https://a.cn; script-src *", "*"):
        with pytest.raises(UserFacingError, match="frame_portal"):
            validate_origin(bad)
