"""`make serve`'s stack for real: two dashboard workers behind nginx, started here on free ports.

Health per worker, sticky sessions by the cookie nginx sets (two clients spread, one client
stays), a full rerun and filter changes over a WebSocket through the proxy, the shared sign-in
secret, X-Forwarded-For reaching the app; everything stops at the end. No timing thresholds."""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from tools.bench.protocol import ProtocolSession
from tools.serve.stack import COOKIE, NGINX, WORKER_HEADER, Stack, health_path, render_config
from uniondash.data.warehouse import Warehouse

SECRET = "test-secret-shared-by-every-worker"


@pytest.fixture(scope="module")
def stack(fixture_dir, tmp_path_factory):
    if not Path(NGINX).exists():
        pytest.fail(f"{NGINX} is missing: .ci/run installs Debian's nginx")
    s = Stack(fixture_dir, workers=2, run_dir=tmp_path_factory.mktemp("serve"), env={"UNIONDASH_COOKIE_SECRET": SECRET})
    with s:
        yield s
    assert all(w.proc.poll() is not None for w in s.pool), "every worker stopped"


class Client:
    """A browser's HTTP side: keeps the cookies it is given."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str = "/"):
        with self.opener.open(self.base + path, timeout=30) as r:
            r.read()
            return r

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def test_every_worker_answers_its_health_check_directly_and_through_the_proxy(stack):
    assert stack.health() == {0: True, 1: True}
    for w in stack.pool:
        r = urllib.request.urlopen(stack.url + health_path(w.index), timeout=10)
        assert r.read() == b"ok"
        assert r.headers[WORKER_HEADER] == f"127.0.0.1:{w.port}"


def test_the_stack_names_its_processes_for_the_tools_that_act_on_it(stack):
    """deploy/run/pids.json (here the test's run folder): the failover load test takes a stack down by it."""
    pids = json.loads((stack.run_dir / "pids.json").read_text(encoding="utf-8"))
    assert pids == {
        "nginx": stack.nginx.pid,
        "workers": [w.proc.pid for w in stack.pool],
        "worker_ports": [w.port for w in stack.pool],
    }


def test_one_client_stays_on_its_worker_and_clients_are_spread(stack):
    one = Client(stack.url)
    first = one.get("/")
    assert COOKIE in first.headers.get("Set-Cookie", ""), "nginx sets the sticky cookie on a first visit"
    worker = first.headers[WORKER_HEADER]
    for path in ("/stations", "/_stcore/health", "/coverage", "/_stcore/host-config", "/"):
        r = one.get(path)
        assert r.headers[WORKER_HEADER] == worker, path
        assert COOKIE not in (r.headers.get("Set-Cookie") or ""), "set once, not on every response"
    # Every client here comes from 127.0.0.1: ip_hash would put them all on one worker.
    seen = {Client(stack.url).get("/").headers[WORKER_HEADER] for _ in range(16)}
    assert seen == {f"127.0.0.1:{w.port}" for w in stack.pool}


def test_a_websocket_session_reruns_pages_and_filters_through_the_proxy(stack, fixture_dir):
    wh = Warehouse(fixture_dir / "snapshots", verify=False)
    regions = wh.run("regions", as_of=wh.latest.as_of)
    city = regions[regions.level == "city"].iloc[0]
    browser = Client(stack.url)
    worker = browser.get("/").headers[WORKER_HEADER]

    async def session():
        async with ProtocolSession(stack.url, headers={"Cookie": browser.cookie_header()}) as s:
            runs = [await s.open("", "")]
            runs.append(await s.pick("市（州）", [city["name"]]))
            picked = runs[-1].query_string
            runs.append(await s.open("stations", s.query))
            runs.append(await s.pick("市（州）", []))
            return s.worker, runs, picked

    ws_worker, runs, picked = asyncio.run(asyncio.wait_for(session(), timeout=120))
    assert ws_worker == worker, "the WebSocket goes to the worker the page came from"
    assert [r.exceptions for r in runs] == [[]] * 4
    assert all(r.bytes > 1000 for r in runs), [r.bytes for r in runs]
    assert f"city={city['adcode']}" in picked
    assert "city=" not in runs[-1].query_string


def test_every_worker_has_the_same_sign_in_secret_and_knows_it_is_served(stack):
    envs = [psutil.Process(w.proc.pid).environ() for w in stack.pool]
    assert {e["UNIONDASH_COOKIE_SECRET"] for e in envs} == {SECRET}
    assert {e["UNIONDASH_PUBLIC"] for e in envs} == {"1"}
    assert {e["UNIONDASH_TRUSTED_PROXIES"] for e in envs} == {"127.0.0.1"}
    assert len({e["STREAMLIT_SERVER_COOKIE_SECRET"] for e in envs}) == 1
    assert envs[0]["STREAMLIT_SERVER_COOKIE_SECRET"] != SECRET


def test_the_client_address_reaches_the_app_and_a_claimed_one_does_not(tmp_path):
    """From 127.0.0.2 (any 127/8 address is this machine), claiming another address: the app sees
    X-Forwarded-For 127.0.0.2 and takes it as the client's address (nginx is the trusted proxy)."""
    with Stack(
        None, workers=1, script="tests/serve_probe_page.py", run_dir=tmp_path, env={"UNIONDASH_COOKIE_SECRET": SECRET}
    ) as s:

        async def probe():
            headers = {"X-Forwarded-For": "203.0.113.9"}
            async with ProtocolSession(s.url, headers=headers, local_host="127.0.0.2") as session:
                return await session.open("")

        r = asyncio.run(asyncio.wait_for(probe(), timeout=60))
    assert r.texts == ["x-forwarded-for=127.0.0.2", "x-real-ip=127.0.0.2", "ip=127.0.0.2"]


def test_the_generated_configuration_names_every_worker(tmp_path):
    conf = render_config([9001, 9002, 9003], "0.0.0.0:8080", tmp_path)
    assert conf.count("server 127.0.0.1:") == 3
    directives = [line.strip() for line in conf.splitlines() if not line.strip().startswith("#")]
    assert "hash $uniondash_route consistent;" in directives
    assert not [d for d in directives if d.startswith("ip_hash")]
    assert "listen 0.0.0.0:8080;" in conf
    assert "{{" not in conf


def test_the_load_test_finds_the_workers_behind_the_proxy_and_counts_their_interactions(stack, fixture_dir):
    from tools.bench.load import load_test

    r = load_test(fixture_dir, users=4, seconds=6, browsers=0, think_s=0.2, url=stack.url, cpu_reps=1)
    assert r["errors"] == 0, r["error_samples"]
    assert set(r["per_worker"]) == {f"127.0.0.1:{w.port}" for w in stack.pool}
    assert sum(w["interactions"] for w in r["per_worker"].values()) == r["interactions"] > 0
    assert all(w["cpu_s"] is not None and w["peak_mb"] > 0 for w in r["per_worker"].values())
    assert r["cpu_per_rerun_median_s"] > 0
    assert r["server_cpu_per_interaction_s"] > 0


def fetch(url: str):
    """(status, headers, body) of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


@pytest.mark.parametrize("path", ["/", "/present"])
def test_the_framing_headers_come_through_the_proxy(stack, path):
    """The guard's headers (uniondash/ui/guard.py) reach the browser through nginx, once each."""
    status, headers, body = fetch(stack.url + path)
    assert status == 200
    assert headers[WORKER_HEADER] in {f"127.0.0.1:{w.port}" for w in stack.pool}  # nginx answered
    assert headers.get_all("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers.get_all("Content-Security-Policy") == ["frame-ancestors 'self'"]
    assert b"<html" in body.lower()  # Streamlit's page


def test_metrics_are_not_served_through_the_proxy(stack):
    status, headers, body = fetch(stack.url + "/_stcore/metrics")
    assert status == 404
    assert headers[WORKER_HEADER] in {f"127.0.0.1:{w.port}" for w in stack.pool}
    assert "not served" in body.decode("utf-8")
    assert b"cache" not in body  # no cache sizes, no module names
    for w in stack.pool:  # nor by any worker asked directly
        assert fetch(w.url + "/_stcore/metrics")[0] == 404
