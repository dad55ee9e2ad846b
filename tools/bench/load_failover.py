"""Failover under load (issue 24): N signed-in users (default 100) through the front proxy of a
replica set, one stack taken down in the middle of the run.

    python -m tools.bench.load_failover [--users 100] [--seconds 120] [--kill-at 60]
        [--replicas 2 --workers 2] [--state postgresql://…]            # starts everything itself
    python -m tools.bench.load_failover --url http://front --state postgresql://… [--run-dir deploy/run]
        # against `make serve REPLICAS=2 … STATE=…` already running: stack 0 is taken down by the
        # pids its serve tool wrote (deploy/run/stack-0/pids.json); the serve tool restarts it later
    make load FAILOVER=1 [URL=http://front STATE=postgresql://…]

Every user loads the page over HTTP (the front's and the stack's sticky cookies), opens a WebSocket
(tools/bench/protocol.py), signs in with the password form and posts the hand-over ticket (the
sign-in cookie), then goes through the pages picking and clearing a city with a think time. When
its connection drops (its stack is gone) it reconnects as Streamlit's page does at once: the page
over HTTP again, a new WebSocket with the same cookies, the page it was on, and checks that it is
still signed in (the cookie checked against the shared state by the other stack).

The failover window runs from the kill to the moment the last user of the killed stack has a
rerun served again; errors (reruns cut off, reconnect attempts refused, a user found signed out)
are counted inside it and outside it apart, and latency percentiles are given before, inside and
after it. The result goes to --out (JSON) and standard output.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from tools.bench.protocol import ProtocolSession
from uniondash.config import ROOT

ACCOUNT, PASSWORD = "loadtest", "a load test password"
PAGES = ["", "stations", "coverage"]
STACK_HEADER = "X-Uniondash-Stack"
SIGNED_IN = "已登录："
RECONNECT_PAUSE_S = 0.5  # between a refused reconnect and the next (Streamlit's page backs off too)
RAMP_S = 20.0
KINDS = ("signin", "rerun", "dropped", "reconnect")


@dataclass
class Event:
    user: int
    kind: str  # signin | rerun | dropped | reconnect
    start: float  # seconds since the run began
    end: float
    ok: bool
    stack: str = ""  # the stack that served it (its nginx's address)
    detail: str = ""


def _last(upstream: str) -> str:
    """nginx's $upstream_addr after a failover is 'dead, alive': the one that answered."""
    return upstream.split(",")[-1].strip()


class User:
    def __init__(self, url: str, n: int, cities: dict[str, str], think_s: float, t0: float, events: list):
        self.url, self.n, self.cities, self.think_s, self.t0 = url, n, cities, think_s, t0
        self.events = events
        self.cookies: dict[str, str] = {}
        self.stack = ""
        self.page, self.query = PAGES[n % len(PAGES)], ""

    def now(self) -> float:
        return time.monotonic() - self.t0

    def _merge(self, response) -> None:
        for c in response.headers.get_all("Set-Cookie") or []:
            name, _, value = c.split(";", 1)[0].partition("=")
            self.cookies[name] = value

    def header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    def _visit(self) -> str:
        request = urllib.request.Request(self.url + "/", headers=self.header())
        with urllib.request.urlopen(request, timeout=30) as r:
            r.read()
            self._merge(r)
            return _last(r.headers.get(STACK_HEADER, ""))

    def _post_ticket(self, ticket: str) -> None:
        body = json.dumps({"ticket": ticket}).encode()
        headers = {"Content-Type": "application/json", **self.header()}
        request = urllib.request.Request(self.url + "/access/session", body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=30) as r:
            r.read()
            self._merge(r)

    async def connect(self) -> ProtocolSession:
        self.stack = await asyncio.to_thread(self._visit)
        s = ProtocolSession(self.url, headers=self.header())
        await s.__aenter__()
        return s

    async def sign_in(self, s: ProtocolSession) -> bool:
        t = self.now()
        await asyncio.wait_for(s.open(""), timeout=120)
        done = await asyncio.wait_for(s.submit({"用户名": ACCOUNT, "密码": PASSWORD}, "登录"), timeout=120)
        ticket = {m for b in done.htmls for m in re.findall(r'ticket\\?": \\?"([A-Za-z0-9_-]+)', b)}
        ok = any(x.startswith(SIGNED_IN) for x in done.texts) and len(ticket) == 1
        if ok:
            await asyncio.to_thread(self._post_ticket, ticket.pop())
        self.events.append(Event(self.n, "signin", t, self.now(), ok, self.stack, "" if ok else str(done.alerts)))
        return ok

    async def _think(self, s: ProtocolSession) -> bool:
        """Pause as a reader does; True when the connection closed meanwhile (noticed at once)."""
        try:
            await asyncio.wait_for(s.ws.wait_closed(), self.think_s * (0.5 + random.random()))
        except TimeoutError:
            return False
        return True

    async def run(self, start_s: float, deadline: float) -> None:
        await asyncio.sleep(start_s)
        try:
            s = await self.connect()
            if not await self.sign_in(s):
                return
        except Exception as exc:  # the user could not even start: an error of the run
            self.events.append(Event(self.n, "signin", self.now(), self.now(), False, self.stack, repr(exc)[:120]))
            return
        codes, i = list(self.cities), self.n
        while self.now() < deadline:
            i += 1
            b = codes[(i + 1) % len(codes)]
            steps = [
                (s.open, (PAGES[i % len(PAGES)], self.query), None),
                (s.pick, ("市（州）", [self.cities[b]]), f"city={b}"),
                (s.pick, ("市（州）", []), ""),
            ]
            try:
                for step, args, expect in steps:
                    if await self._think(s):
                        raise ConnectionError("the connection closed while the user was reading")
                    if self.now() >= deadline:
                        break
                    t = self.now()
                    r = await asyncio.wait_for(step(*args), timeout=60)
                    self.query = r.query_string
                    self.page = args[0] if step == s.open else self.page
                    url_ok = expect is None or (expect in r.query_string if expect else "city=" not in r.query_string)
                    ok = not r.exceptions and url_ok
                    detail = "" if ok else f"exceptions {r.exceptions}"[:120] if r.exceptions else ""
                    if not url_ok:
                        detail = f"URL {r.query_string!r} after {step.__name__}{args}, expected {expect!r}"[:160]
                    self.events.append(Event(self.n, "rerun", t, self.now(), ok, self.stack, detail))
            except Exception as exc:  # the stack is gone (or the rerun failed): reconnect as the page does
                t = self.now()
                self.events.append(Event(self.n, "dropped", t, t, False, self.stack, repr(exc)[:120]))
                with contextlib.suppress(Exception):
                    await s.__aexit__(None, None, None)
                s = await self.reconnect(deadline)
                if s is None:
                    return
        with contextlib.suppress(Exception):
            await s.__aexit__(None, None, None)

    async def reconnect(self, deadline: float) -> ProtocolSession | None:
        while self.now() < deadline:
            t = self.now()
            try:
                s = await self.connect()
                r = await asyncio.wait_for(s.open(self.page, self.query), timeout=60)
            except Exception as exc:
                self.events.append(Event(self.n, "reconnect", t, self.now(), False, self.stack, repr(exc)[:120]))
                await asyncio.sleep(RECONNECT_PAUSE_S)
                continue
            if any(x.startswith(SIGNED_IN) for x in r.texts):
                self.events.append(Event(self.n, "reconnect", t, self.now(), True, self.stack))
                return s
            self.events.append(Event(self.n, "reconnect", t, self.now(), False, self.stack, "signed out"))
            if not await self.sign_in(s):  # carry on signed in again, the error counted
                return None
            return s
        return None


def _pct(values: list[float], q: int) -> float | None:
    if not values:
        return None
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def summarize(events: list[Event], t_kill: float, killed: str) -> dict:
    """The figures of a run: the failover window (from the kill to the first rerun served again
    for the last user who was on the killed stack) and errors and latencies inside and outside it."""
    last_stack: dict[int, str] = {}
    for e in sorted(events, key=lambda e: e.end):
        if e.ok and e.end <= t_kill:
            last_stack[e.user] = e.stack
    on_killed = {user for user, where in last_stack.items() if where == killed}
    recovered: dict[int, float] = {}
    for e in sorted(events, key=lambda e: e.end):
        if e.user in on_killed and e.user not in recovered and e.ok and e.start >= t_kill and e.stack != killed:
            recovered[e.user] = e.end
    dropped_users = {e.user for e in events if e.kind == "dropped" and e.start >= t_kill}
    closed = on_killed <= set(recovered)
    window_end = max(recovered.values(), default=t_kill) if closed else max(e.end for e in events)
    inside = [e for e in events if t_kill <= e.end <= window_end]
    outside = [e for e in events if not t_kill <= e.end <= window_end]

    def reruns(es: list[Event]) -> list[float]:
        return [e.end - e.start for e in es if e.kind == "rerun" and e.ok]

    def errors(es: list[Event]) -> dict[str, int]:
        out: dict[str, int] = {}
        for e in es:
            if not e.ok:
                key = "signed out" if e.detail == "signed out" else e.kind
                out[key] = out.get(key, 0) + 1
        return out

    before = [e for e in outside if e.end < t_kill]
    after = [e for e in outside if e.end > window_end]
    reconnects = [e for e in events if e.kind == "reconnect" and e.ok]
    stacks: dict[str, dict[str, int]] = {}
    for e in events:
        if e.kind == "rerun" and e.ok:
            phase = "before" if e.end < t_kill else "after"
            stacks.setdefault(e.stack, {"before": 0, "after": 0})[phase] += 1
    return {
        "kill_at_s": round(t_kill, 2),
        "killed_stack": killed,
        # a run whose users were still signing in at the kill measures the ramp, not a failover
        "users_signed_in_at_kill": len({e.user for e in events if e.kind == "signin" and e.ok and e.end <= t_kill}),
        "users_on_killed_stack": len(on_killed),
        "users_dropped": len(dropped_users),
        "users_recovered": len(recovered),
        "window_closed": closed,
        "failover_window_s": round(window_end - t_kill, 2),
        "errors_inside_window": errors(inside),
        "errors_outside_window": errors(outside),
        "reconnects_ok": len(reconnects),
        "reconnects_still_signed_in": sum(1 for e in reconnects if e.detail == ""),
        "signed_out_after_failover": sum(1 for e in events if e.detail == "signed out"),
        "reconnect_p50_s": _pct([e.end - e.start for e in reconnects], 50),
        "reconnect_p95_s": _pct([e.end - e.start for e in reconnects], 95),
        "reruns_before": len(reruns(before)),
        "rerun_p50_before_s": _pct(reruns(before), 50),
        "rerun_p95_before_s": _pct(reruns(before), 95),
        "reruns_inside_window": len(reruns(inside)),
        "rerun_p95_inside_window_s": _pct(reruns(inside), 95),
        "reruns_after": len(reruns(after)),
        "rerun_p50_after_s": _pct(reruns(after), 50),
        "rerun_p95_after_s": _pct(reruns(after), 95),
        "sign_ins": sum(1 for e in events if e.kind == "signin" and e.ok),
        "sign_in_p95_s": _pct([e.end - e.start for e in events if e.kind == "signin" and e.ok], 95),
        "reruns_by_stack": stacks,
    }


def _kill_by_pids(run_dir: Path, index: int) -> None:
    """Take stack `index` of a running `make serve REPLICAS=…` down: workers SIGKILLed, nginx told
    to stop fast (as ReplicaSet.kill_stack)."""
    pids = json.loads((run_dir / f"stack-{index}" / "pids.json").read_text(encoding="utf-8"))
    for pid in pids["workers"]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pids["nginx"], signal.SIGTERM)


def _stack_address(run_dir: Path, index: int) -> str:
    conf = (run_dir / f"stack-{index}" / "nginx.conf").read_text(encoding="utf-8")
    return re.search(r"listen (\S+);", conf).group(1)


async def _warm(worker_ports: list[int]) -> None:
    """Each page once on every worker, signed in, directly: a served dashboard has been up a while,
    and a worker's first visit (opening the snapshots, filling caches) is not what failover costs."""
    for port in worker_ports:
        async with ProtocolSession(f"http://127.0.0.1:{port}") as s:
            await asyncio.wait_for(s.open(""), timeout=120)
            await asyncio.wait_for(s.submit({"用户名": ACCOUNT, "密码": PASSWORD}, "登录"), timeout=120)
            for page in PAGES:
                await asyncio.wait_for(s.open(page, ""), timeout=120)


def _worker_ports(run_dir: Path) -> list[int]:
    return [
        port
        for pids in sorted(run_dir.glob("stack-*/pids.json"))
        for port in json.loads(pids.read_text(encoding="utf-8")).get("worker_ports", [])
    ]


async def _load(url: str, users: int, seconds: float, kill_at: float, think_s: float, cities, kill) -> tuple:
    t0 = time.monotonic()
    events: list[Event] = []
    gap = min(RAMP_S, kill_at / 2) / max(1, users)
    crowd = [User(url, n, cities, think_s, t0, events) for n in range(users)]
    tasks = [asyncio.create_task(u.run(n * gap, seconds)) for n, u in enumerate(crowd)]
    await asyncio.sleep(kill_at)
    t_kill = time.monotonic() - t0
    await asyncio.to_thread(kill)
    await asyncio.gather(*tasks)
    return events, t_kill


def _cities(data: Path) -> dict[str, str]:
    from tools.bench.load import _cities as cities

    return cities(data)


def _add_account(env: dict) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "uniondash", "users", "add", ACCOUNT, "--role", "leader"],
        cwd=ROOT,
        env=env,
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 and "exists" not in done.stderr:
        raise RuntimeError(done.stderr)


def run(args) -> dict:
    data = Path(args.data or os.environ.get("UNIONDASH_DATA") or ROOT / "data")
    cities = _cities(data)
    with contextlib.ExitStack() as stack:
        state = args.state
        if args.url:
            if not state:
                raise SystemExit("--url needs --state (the replica set's UNIONDASH_STATE_URL) for the load account")
            url, run_dir = args.url.rstrip("/"), Path(args.run_dir)
            killed = _stack_address(run_dir, 0)

            def kill():
                _kill_by_pids(run_dir, 0)

            shape = f"{url} (running)"
        else:
            from tools.serve import pg
            from tools.serve.replicas import ReplicaSet

            if not state:
                server = pg.start()
                stack.callback(server.stop)
                state = server.url
            run_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="uniondash-failover-")))
            rs = stack.enter_context(
                ReplicaSet(data, args.replicas, args.workers, state_url=state, run_dir=run_dir, env=_secret())
            )
            url, killed = rs.url, f"127.0.0.1:{rs.stacks[0].port}"

            def kill():
                rs.kill_stack(0)

            shape = f"{args.replicas} stacks × {args.workers} workers (started here)"
        env = {**os.environ, "UNIONDASH_STATE_URL": state, "UNIONDASH_USERS": str(run_dir / "users.toml")}
        _add_account(env)
        asyncio.run(_warm(_worker_ports(run_dir)))
        events, t_kill = asyncio.run(_load(url, args.users, args.seconds, args.kill_at, args.think, cities, kill))
    result = {
        "target": shape,
        "users": args.users,
        "seconds": args.seconds,
        "think_s": args.think,
        "cpu_count": os.cpu_count(),
        **summarize(events, t_kill, killed),
        "error_samples": {kind: [asdict(e) for e in events if not e.ok and e.kind == kind][:5] for kind in KINDS},
    }
    return result


def _secret() -> dict[str, str]:
    from tools.serve.stack import cookie_secret

    return {"UNIONDASH_COOKIE_SECRET": os.environ.get("UNIONDASH_COOKIE_SECRET") or cookie_secret()}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m tools.bench.load_failover", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", help="data folder (default $UNIONDASH_DATA or ./data)")
    p.add_argument("--url", help="the front proxy of `make serve REPLICAS=…` already running")
    p.add_argument("--state", help="the replica set's UNIONDASH_STATE_URL (default: a throwaway PostgreSQL)")
    p.add_argument("--run-dir", default=str(ROOT / "deploy" / "run"), help="with --url: the serve tool's run folder")
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--seconds", type=float, default=120)
    p.add_argument("--kill-at", type=float, default=60, help="seconds into the run when stack 0 is taken down")
    p.add_argument("--think", type=float, default=3.0, help="users' mean pause between clicks")
    p.add_argument("--replicas", type=int, default=2)
    p.add_argument("--workers", type=int, default=2, help="workers per stack")
    p.add_argument("--out", default=str(ROOT / "deploy" / "run" / "failover.json"), help="the result (JSON)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    result = run(args)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["window_closed"] and not result["errors_outside_window"] else 1


if __name__ == "__main__":
    sys.exit(main())
