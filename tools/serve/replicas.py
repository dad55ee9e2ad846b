"""A replica set on one machine, for trying it out: `make serve REPLICAS=R WORKERS=N STATE=postgresql://…`.

R stacks, each with its own N Streamlit workers and its own nginx (tools/serve/stack.py), and a
front nginx (deploy/front.conf.template) with cookie affinity across the stacks: what R machines
behind a load balancer, or R Kubernetes pods behind an Ingress, do (docs/deploy.md). The stacks
share the cookie secret, the data folder and the shared state (UNIONDASH_STATE_URL), nothing else;
so when one stack dies, its users' browsers reconnect through the front to another stack, still
signed in. The load test kills a stack in the middle of a run to measure that (tools/bench/failover.py).
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.bench.server import free_port
from tools.serve.stack import NGINX, ROOT, START_TIMEOUT_S, Stack, _get, cookie_secret

FRONT_TEMPLATE = ROOT / "deploy" / "front.conf.template"
STACK_COOKIE = "uniondash_stack"
STACK_HEADER = "X-Uniondash-Stack"


def stack_health_path(index: int) -> str:
    """The front's path to stack `index`'s health (its nginx, then a worker's /_stcore/health)."""
    return f"/_serve/stack/{index}/health"


def render_front(stack_ports: list[int], listen: str, run_dir: Path, max_upload_mb: float | None = None) -> str:
    """deploy/front.conf.template with its placeholders filled (a pure function of its arguments)."""
    if max_upload_mb is None:
        from uniondash.config import load_settings

        max_upload_mb = load_settings().import_max_mb
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in stack_ports)
    health = "\n".join(
        f"        location = {stack_health_path(i)} {{\n"
        "            allow 127.0.0.1;\n            allow ::1;\n            deny all;\n"
        f"            proxy_pass http://127.0.0.1:{p}/_stcore/health;\n"
        f"            add_header {STACK_HEADER} $upstream_addr always;\n"
        "        }"
        for i, p in enumerate(stack_ports)
    )
    text = FRONT_TEMPLATE.read_text(encoding="utf-8")
    for key, value in {
        "run_dir": str(run_dir),
        "cookie": STACK_COOKIE,
        "servers": servers,
        "health_locations": health,
        "listen": listen,
        "max_upload_mb": f"{max_upload_mb:g}",
        "stack_header": STACK_HEADER,
    }.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise ValueError(f"{FRONT_TEMPLATE}: unfilled placeholder near {text[text.index('{{') :][:40]!r}")
    return text


@dataclass
class ReplicaSet:
    """R stacks and the front nginx; start() returns when the front answers and every stack is up."""

    data: Path | None
    replicas: int = 2
    workers: int = 2
    address: str = "127.0.0.1"
    port: int = 0
    state_url: str = ""  # UNIONDASH_STATE_URL for every worker ("" : the SQLite default, one machine)
    run_dir: Path = field(default_factory=lambda: ROOT / "deploy" / "run")
    env: dict | None = None
    stacks: list[Stack] = field(default_factory=list)
    front: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        host = "127.0.0.1" if host in ("0.0.0.0", "[::]") else host
        return f"http://{host}:{self.port}"

    @property
    def front_dir(self) -> Path:
        return self.run_dir / "front"

    def start(self) -> ReplicaSet:
        if not Path(NGINX).exists():
            raise RuntimeError("nginx is not installed: apt-get install nginx (Debian's package)")
        self.port = self.port or free_port()
        env = dict(self.env or {})
        env.setdefault("UNIONDASH_COOKIE_SECRET", cookie_secret())
        if self.state_url:
            env["UNIONDASH_STATE_URL"] = self.state_url
        try:
            for i in range(self.replicas):
                stack = Stack(self.data, self.workers, run_dir=self.run_dir / f"stack-{i}", env=env, behind_front=True)
                self.stacks.append(stack)
                stack.start()
            self.front_dir.mkdir(parents=True, exist_ok=True)
            listen = f"[{self.address}]:{self.port}" if ":" in self.address else f"{self.address}:{self.port}"
            conf = self.front_dir / "nginx.conf"
            conf.write_text(render_front([s.port for s in self.stacks], listen, self.front_dir), encoding="utf-8")
            self.front = subprocess.Popen(
                [NGINX, "-p", str(self.front_dir), "-c", str(conf), "-e", str(self.front_dir / "error.log")],
                stdout=subprocess.DEVNULL,
                stderr=open(self.front_dir / "nginx.out", "ab"),  # noqa: SIM115 (the child holds it)
            )
            deadline = time.monotonic() + START_TIMEOUT_S
            while _get(self.url + "/_stcore/health") != b"ok":
                if time.monotonic() > deadline or self.front.poll() is not None:
                    log = (self.front_dir / "error.log").read_text(errors="replace")[-1500:]
                    raise RuntimeError(f"the front nginx did not start ({self.front_dir}):\n{log}")
                time.sleep(0.2)
        except BaseException:
            self.stop()
            raise
        return self

    def kill_stack(self, index: int) -> None:
        """Take one stack down at once, as a machine lost: its workers killed (SIGKILL) and its nginx
        told to stop fast (SIGTERM: it drops every connection, WebSockets included, at once; a
        SIGKILLed nginx master would leave its worker processes serving). For failover tests."""
        stack = self.stacks[index]
        workers = [w.proc for w in stack.pool if w.proc is not None]
        for p in workers:
            p.kill()
        if stack.nginx is not None:
            stack.nginx.terminate()
        for p in [*workers, *([stack.nginx] if stack.nginx else [])]:
            p.wait()
        stack.nginx = None

    def stop(self) -> None:
        if self.front is not None and self.front.poll() is None:
            self.front.terminate()
            try:
                self.front.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.front.kill()
                self.front.wait()
        self.front = None
        for stack in self.stacks:
            stack.stop()

    def __enter__(self) -> ReplicaSet:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
