"""Two replicas (issue 24): two `serve.py` processes that share a real PostgreSQL (the shared state),
the cookie secret and the data folder, and nothing else (each has its own accounts folder, which
holds no accounts file: the accounts are in the database). Users speak Streamlit's WebSocket
protocol (tools/bench/protocol.py) as a browser does, and post the hand-over ticket as the page's
script would. On one and then the other: signing in, signing out, the lockout, the audit log, an
import made on one node served by the other."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.request

import pytest
from pg_server import pg_server  # noqa: F401 - fixture

from tools.bench.protocol import ProtocolSession
from tools.bench.server import streamlit_server
from uniondash.access import audit
from uniondash.config import ROOT

SECRET = "replicas-share-this-cookie-secret-0123456789"
PASSWORD = "a long password"
USER, PASSWORD_LABEL, SUBMIT, SIGNOUT = "用户名", "密码", "登录", "退出登录"
SNAPSHOT = "数据快照"


def cli(env: dict, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "uniondash", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture(scope="module")
def replicas(pg_server, fixture_dir, tmp_path_factory):  # noqa: F811
    root = tmp_path_factory.mktemp("replicas")
    data = root / "shared-data"
    shutil.copytree(fixture_dir, data)
    url = pg_server.create_database("replicas")
    common = {
        "UNIONDASH_STATE_URL": url,
        "UNIONDASH_COOKIE_SECRET": SECRET,
        "UNIONDASH_DATA": str(data),
        "UNIONDASH_REGION": "990000",
    }
    envs = [{**os.environ, **common, "UNIONDASH_USERS": str(root / f"node-{n}" / "users.toml")} for n in "ab"]
    for name, role in (("lead", "leader"), ("pa", "leader"), ("boss", "admin")):  # on node a; b has no file
        cli(envs[0], "users", "add", name, "--role", role, stdin=PASSWORD + "\n")
    with streamlit_server(None, extra_env=envs[0]) as (a, _), streamlit_server(None, extra_env=envs[1]) as (b, _):
        yield {"a": a, "b": b, "url": url, "data": data, "envs": envs, "root": root}


def post(base: str, path: str, body: dict | None = None, cookie: str = "") -> tuple[int, str]:
    """A POST as the page's script makes it; the status and the session cookie it sets."""
    data = json.dumps(body or {}).encode()
    request = urllib.request.Request(base + path, data=data, method="POST")
    request.add_header("Content-Type", "application/json")
    if cookie:
        request.add_header("Cookie", cookie)
    with urllib.request.urlopen(request, timeout=30) as r:
        set_cookie = r.headers.get("Set-Cookie", "")
        return r.status, set_cookie.split(";", 1)[0]


def ticket_of(htmls: list[str]) -> str:
    """The hand-over ticket in the script that after_signin draws."""
    (found,) = {m for body in htmls for m in re.findall(r'ticket\\?": \\?"([A-Za-z0-9_-]+)', body)}
    return found


def signed_in_as(texts: list[str]) -> list[str]:
    return [t for t in texts if t.startswith("已登录：")]


async def sign_in(base: str, user: str, password: str):
    """A session on `base` that submits the form; the rerun that followed."""
    s = ProtocolSession(base)
    await s.__aenter__()
    form = await s.open("")
    assert USER in s.text_inputs, form.texts
    done = await s.submit({USER: user, PASSWORD_LABEL: password}, SUBMIT)
    return s, done


def test_a_sign_in_on_one_holds_on_the_other_and_a_sign_out_ends_it_on_both(replicas):
    async def run():
        a_session, done = await sign_in(replicas["a"], "lead", PASSWORD)
        assert signed_in_as(done.texts) == ["已登录：lead（领导）"], done.alerts
        status, cookie = post(replicas["a"], "/access/session", {"ticket": ticket_of(done.htmls)})
        assert status == 200
        assert cookie.startswith("uniondash_session=v1.")
        async with ProtocolSession(replicas["b"], headers={"Cookie": cookie}) as b_session:
            on_b = await b_session.open("")
            assert signed_in_as(on_b.texts) == ["已登录：lead（领导）"]  # the cookie, checked on the other replica
            assert USER not in b_session.text_inputs
            # sign out on a (the sidebar's button): b's open session is refused at its next rerun
            out = await a_session.press(SIGNOUT)
            assert USER in a_session.text_inputs
            assert "您已退出登录。" in out.alerts
            again = await b_session.open("")
            assert signed_in_as(again.texts) == []
            assert USER in b_session.text_inputs  # the sign-in form
            assert "此会话已在别处退出或被撤销，请重新登录。" in again.alerts
        async with ProtocolSession(replicas["b"], headers={"Cookie": cookie}) as fresh:
            assert signed_in_as((await fresh.open("")).texts) == []  # the cookie no longer signs in
        await a_session.__aexit__(None, None, None)

    asyncio.run(run())


def test_five_failures_spread_over_both_lock_the_name_on_both(replicas):
    async def run():
        alerts = []
        for i in range(5):  # a, b, a, b, a
            base = replicas["ab"[i % 2]]
            s, done = await sign_in(base, "pa", f"wrong password {i}")
            alerts.append(done.alerts)
            await s.__aexit__(None, None, None)
        assert alerts == [["用户名或密码不正确。"]] * 5
        for base in (replicas["b"], replicas["a"]):  # the right password is refused on both now
            s, done = await sign_in(base, "pa", PASSWORD)
            assert done.alerts == ["登录失败次数过多，请 15 分钟后再试。"]
            assert signed_in_as(done.texts) == []
            await s.__aexit__(None, None, None)

    asyncio.run(run())


def test_the_audit_log_has_every_line_from_both(replicas, monkeypatch):
    """After the two tests above (same module, in order): one database, every node's lines."""
    monkeypatch.setenv("UNIONDASH_STATE_URL", replicas["url"])
    lines = audit.read(replicas["root"] / "anywhere" / "users.toml")
    actions = [(e["user"], e["action"]) for e in lines]
    assert actions == [
        ("lead", "sign-in"),  # on a
        ("lead", "sign-out"),  # on a
        *[("pa", "failure")] * 5,  # a, b, a, b, a
        ("pa", "locked"),  # b
        ("pa", "locked"),  # a
    ]
    assert not list(replicas["root"].rglob("audit.jsonl"))  # no node wrote a file
    assert not list(replicas["root"].rglob("access.sqlite"))


def xsrf_cookie(base: str) -> str:
    """Streamlit's XSRF cookie, set by its health check the page polls (uploads must echo it)."""
    with urllib.request.urlopen(base + "/_stcore/health", timeout=30) as r:
        r.read()
        cookies = [c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or []]
    (value,) = [c.split("=", 1)[1] for c in cookies if c.startswith("_streamlit_xsrf=")]
    return value


def test_an_import_through_one_node_is_served_by_the_other(replicas, tmp_path):
    """An admin uploads the filled-in templates on node a's /data page (the import runs there,
    written beside the snapshots and renamed into place in the shared folder); node b's session,
    opened before, lists the new snapshot at its next rerun (the fingerprint check), as does a."""
    cli(replicas["envs"][0], "export", "--as-of", "2023-12-31", "--out", str(tmp_path / "filled"))
    files = {p.name: p.read_bytes() for p in sorted((tmp_path / "filled").iterdir()) if p.is_file()}
    assert len(files) == 10

    async def run():
        on_b, done = await sign_in(replicas["b"], "lead", PASSWORD)
        before = done.selectboxes[SNAPSHOT]
        assert before == ["2022-12-31", "2023-12-31"]
        admin, _ = await sign_in(replicas["a"], "boss", PASSWORD)
        page = await admin.open("data")
        assert "上传文件" in admin.file_uploaders, page.texts[:5]
        imported = await admin.upload("上传文件", files, "校验并导入", xsrf_cookie(replicas["a"]))
        assert imported.exceptions == []
        (new,) = set(imported.selectboxes[SNAPSHOT]) - set(before)  # the date the page offered
        assert imported.selectboxes[SNAPSHOT] == [*before, new]
        after = await on_b.open("")
        assert after.selectboxes[SNAPSHOT] == [*before, new]
        assert after.exceptions == []
        for s in (on_b, admin):
            await s.__aexit__(None, None, None)
        return new

    new = asyncio.run(run())
    assert (replicas["data"] / "snapshots" / new / "manifest.json").is_file()


def test_the_sqlite_default_is_unchanged(fixture_dir, tmp_path):
    """Without UNIONDASH_STATE_URL: two workers of one machine share access.sqlite, audit.jsonl and
    users.toml in the accounts folder, as before issue 24."""
    folder = tmp_path / "accounts"
    env = {k: v for k, v in os.environ.items() if k != "UNIONDASH_STATE_URL"}
    env |= {"UNIONDASH_USERS": str(folder / "users.toml"), "UNIONDASH_COOKIE_SECRET": SECRET}
    cli(env, "users", "add", "lead", "--role", "leader", stdin=PASSWORD + "\n")
    with streamlit_server(fixture_dir, extra_env=env) as (a, _), streamlit_server(fixture_dir, extra_env=env) as (b, _):

        async def run():
            s, done = await sign_in(a, "lead", PASSWORD)
            _, cookie = post(a, "/access/session", {"ticket": ticket_of(done.htmls)})
            async with ProtocolSession(b, headers={"Cookie": cookie}) as on_b:
                assert signed_in_as((await on_b.open("")).texts) == ["已登录：lead（领导）"]
            await s.__aexit__(None, None, None)

        asyncio.run(run())
    assert sorted(p.name for p in folder.iterdir()) == ["access.sqlite", "audit.jsonl", "users.toml"]
    lines = [json.loads(x) for x in (folder / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["user"], e["action"], e["source"]) for e in lines] == [("lead", "sign-in", "local")]
