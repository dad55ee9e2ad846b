"""`make serve REPLICAS=2` for real (issue 24): two stacks (one worker and one nginx each) behind the
front nginx (deploy/front.conf.template), sharing a throwaway PostgreSQL. The front spreads new
browsers over the stacks and keeps each on its own; the client's address crosses both proxies;
a stack killed, its signed-in user reconnects through the front to the other stack, still signed
in. No timing thresholds (tools/bench/failover.py measures the failover under load)."""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import os
import urllib.request

import pytest
from pg_server import pg_server  # noqa: F401 - fixture
from test_replicas import PASSWORD, SECRET, cli, signed_in_as, ticket_of

from tools.bench.protocol import ProtocolSession
from tools.serve.replicas import STACK_COOKIE, STACK_HEADER, ReplicaSet, render_front, stack_health_path
from tools.serve.stack import COOKIE, WORKER_HEADER, render_config
from uniondash.access import audit


@pytest.fixture(scope="module")
def replica_set(pg_server, fixture_dir, tmp_path_factory):  # noqa: F811
    root = tmp_path_factory.mktemp("replica-set")
    url = pg_server.create_database("replica_set")
    env = {"UNIONDASH_COOKIE_SECRET": SECRET, "UNIONDASH_USERS": str(root / "users.toml")}
    cli(
        {**os.environ, **env, "UNIONDASH_STATE_URL": url},
        "users",
        "add",
        "lead",
        "--role",
        "leader",
        stdin=PASSWORD + "\n",
    )
    rs = ReplicaSet(fixture_dir, replicas=2, workers=1, state_url=url, run_dir=root / "run", env=env)
    with rs:
        yield rs


class Browser:
    """A browser's HTTP side through the front: keeps its cookies (both sticky ones, the sign-in one)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str = "/"):
        with self.opener.open(self.base + path, timeout=30) as r:
            r.read()
            return r

    def post_ticket(self, ticket: str):
        request = urllib.request.Request(
            self.base + "/access/session", json.dumps({"ticket": ticket}).encode(), method="POST"
        )
        request.add_header("Content-Type", "application/json")
        with self.opener.open(request, timeout=30) as r:
            return r.status

    def cookies(self) -> dict[str, str]:
        return {c.name: c.value for c in self.jar}

    def header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies().items())}


def test_the_front_template_names_every_stack(tmp_path):
    conf = render_front([9101, 9102], "0.0.0.0:8080", tmp_path, max_upload_mb=50)
    assert "server 127.0.0.1:9101 max_fails=1 fail_timeout=10s;" in conf
    assert "server 127.0.0.1:9102 max_fails=1 fail_timeout=10s;" in conf
    assert "hash $uniondash_stack consistent;" in conf
    assert "proxy_next_upstream error timeout http_502 http_503;" in conf
    assert f"location = {stack_health_path(1)}" in conf
    assert "listen 0.0.0.0:8080;" in conf
    inner = render_config([9001], "127.0.0.1:9101", tmp_path, max_upload_mb=50, behind_front=True)
    assert "set_real_ip_from 127.0.0.1;\n        real_ip_header X-Forwarded-For;" in inner
    assert "real_ip" not in render_config([9001], "127.0.0.1:9101", tmp_path, max_upload_mb=50)


def test_the_front_spreads_browsers_and_keeps_each_on_its_stack(replica_set):
    stacks = {f"127.0.0.1:{s.port}" for s in replica_set.stacks}
    one = Browser(replica_set.url)
    first = one.get("/")
    assert set(one.cookies()) == {STACK_COOKIE, COOKIE}  # the front's and the stack's sticky cookies
    stack, worker = first.headers[STACK_HEADER], first.headers[WORKER_HEADER]
    assert stack in stacks
    for path in ("/stations", "/_stcore/health", "/coverage"):
        r = one.get(path)
        assert (r.headers[STACK_HEADER], r.headers[WORKER_HEADER]) == (stack, worker), path
    seen = {Browser(replica_set.url).get("/").headers[STACK_HEADER] for _ in range(16)}
    assert seen == stacks
    for i in range(2):
        assert urllib.request.urlopen(replica_set.url + stack_health_path(i), timeout=10).read() == b"ok"


def test_the_clients_address_crosses_both_proxies(replica_set, monkeypatch):
    """A failed sign-in from 127.0.0.2 is audited (and rate-limited) under 127.0.0.2, not under
    the front's or the stack's own address."""

    async def run():
        browser = Browser(replica_set.url)
        browser.get("/")
        async with ProtocolSession(replica_set.url, headers=browser.header(), local_host="127.0.0.2") as s:
            await s.open("")
            done = await s.submit({"用户名": "lead", "密码": "not the password"}, "登录")
            assert done.alerts == ["用户名或密码不正确。"]

    asyncio.run(run())
    monkeypatch.setenv("UNIONDASH_STATE_URL", replica_set.state_url)
    failures = [e for e in audit.read(replica_set.run_dir / "users.toml") if e["action"] == "failure"]
    assert [(e["user"], e["address"]) for e in failures] == [("lead", "127.0.0.2")]


def test_a_stack_killed_its_user_reconnects_to_the_other_still_signed_in(replica_set):
    """Runs last: it kills a stack."""

    async def run():
        browser = Browser(replica_set.url)
        home = browser.get("/").headers[STACK_HEADER]
        async with ProtocolSession(replica_set.url, headers=browser.header()) as s:
            await s.open("")
            done = await s.submit({"用户名": "lead", "密码": PASSWORD}, "登录")
            assert signed_in_as(done.texts) == ["已登录：lead（领导）"]
            assert browser.post_ticket(ticket_of(done.htmls)) == 200
        index = [f"127.0.0.1:{st.port}" for st in replica_set.stacks].index(home)
        replica_set.kill_stack(index)
        again = browser.get("/")
        other = again.headers[STACK_HEADER].split(", ")[-1]  # the front tried the dead one first
        assert other != home
        assert other == f"127.0.0.1:{replica_set.stacks[1 - index].port}"
        async with ProtocolSession(replica_set.url, headers=browser.header()) as s:
            reopened = await s.open("")
            assert signed_in_as(reopened.texts) == ["已登录：lead（领导）"]  # the shared state knew the cookie
            assert "用户名" not in s.text_inputs

    asyncio.run(run())
