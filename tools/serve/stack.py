"""Several Streamlit workers behind nginx: what `make serve WORKERS=N` runs, and what the load test
and tests/test_serve.py start for themselves.

N `streamlit run serve.py` processes (dashboard.py with the sign-in cookie routes), each on its own
loopback port with the same code, data and sign-in secret, and Debian's nginx in front
(deploy/nginx.conf.template): sticky sessions by a cookie nginx sets, WebSocket upgrade,
X-Forwarded-For, a health check per worker. Everything runs in the foreground of the calling
process and stops with it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tools.bench.server import free_port
from uniondash.config import ROOT

TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
SECRET_FILE = ROOT / "deploy" / "cookie_secret"
COOKIE = "uniondash_route"
WORKER_HEADER = "X-Uniondash-Worker"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_TIMEOUT_S = 90.0


def health_path(index: int) -> str:
    """The proxy's path to worker `index`'s own /_stcore/health (answered to this machine only)."""
    return f"/_serve/worker/{index}/health"


REAL_IP = "        set_real_ip_from 127.0.0.1;\n        real_ip_header X-Forwarded-For;"


def render_config(
    worker_ports: list[int],
    listen: str,
    run_dir: Path,
    max_upload_mb: float | None = None,
    behind_front: bool = False,
) -> str:
    """deploy/nginx.conf.template with its placeholders filled (a pure function of its arguments);
    the request body limit is the one upload limit, uniondash.toml [import] max_file_mb, unless given.
    behind_front: one stack of a replica set, behind the front nginx on this machine (its
    X-Forwarded-For names the client)."""
    if max_upload_mb is None:
        from uniondash.config import load_settings

        max_upload_mb = load_settings().import_max_mb
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in worker_ports)
    health = "\n".join(
        f"        location = {health_path(i)} {{\n"
        "            allow 127.0.0.1;\n            allow ::1;\n            deny all;\n"
        f"            proxy_pass http://127.0.0.1:{p}/_stcore/health;\n"
        f"            add_header {WORKER_HEADER} $upstream_addr always;\n"
        "        }"
        for i, p in enumerate(worker_ports)
    )
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in {
        "run_dir": str(run_dir),
        "cookie": COOKIE,
        "servers": servers,
        "health_locations": health,
        "listen": listen,
        "max_upload_mb": f"{max_upload_mb:g}",
        "real_ip": REAL_IP if behind_front else "",
    }.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise ValueError(f"{TEMPLATE}: unfilled placeholder near {text[text.index('{{') :][:40]!r}")
    return text


def cookie_secret(path: Path = SECRET_FILE) -> str:
    """UNIONDASH_COOKIE_SECRET, or the one generated once into deploy/cookie_secret (git-ignored):
    every worker signs and checks sign-in cookies with it, so a sign-in holds on any worker."""
    if os.environ.get("UNIONDASH_COOKIE_SECRET"):
        return os.environ["UNIONDASH_COOKIE_SECRET"]
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text(encoding="utf-8").strip()


def worker_env(data: Path | None, secret: str, extra: dict | None = None) -> dict[str, str]:
    """The environment every worker shares: data folder, sign-in secret, served to a network."""
    trusted = os.environ.get("UNIONDASH_TRUSTED_PROXIES", "127.0.0.1")
    env = {
        **os.environ,
        "UNIONDASH_COOKIE_SECRET": secret,
        "UNIONDASH_PUBLIC": "1",
        "UNIONDASH_TRUSTED_PROXIES": trusted,
        # Streamlit's server (uvicorn) takes the client address from X-Forwarded-For only when
        # the connection comes from one of these; st.context.ip_address is then the client's.
        "FORWARDED_ALLOW_IPS": trusted,
        # Streamlit's own signed cookies (XSRF token, st.login) must verify on every worker too;
        # a key derived from the shared secret, not the secret itself.
        "STREAMLIT_SERVER_COOKIE_SECRET": hashlib.sha256(b"streamlit-cookie:" + secret.encode()).hexdigest(),
        **({"UNIONDASH_DATA": str(data)} if data else {}),
        **(extra or {}),
    }
    return env


def _get(url: str, timeout: float = 2.0) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.read()
    except OSError:
        return None


@dataclass
class Worker:
    index: int
    port: int
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def healthy(self) -> bool:
        return _get(self.url + "/_stcore/health") == b"ok"


@dataclass
class Stack:
    """N workers and nginx. start() returns when nginx answers and every worker is healthy."""

    data: Path | None
    workers: int = 2
    address: str = "127.0.0.1"
    port: int = 0  # 0: a free port
    script: str = "serve.py"  # dashboard.py with the sign-in cookie routes
    run_dir: Path = field(default_factory=lambda: ROOT / "deploy" / "run")
    conf_path: Path | None = None  # default run_dir/nginx.conf
    env: dict | None = None
    behind_front: bool = False  # one stack of a replica set (tools/serve/replicas.py)
    pool: list[Worker] = field(default_factory=list)
    nginx: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        host = f"[{self.address}]" if ":" in self.address else self.address
        host = "127.0.0.1" if host in ("0.0.0.0", "[::]") else host
        return f"http://{host}:{self.port}"

    def start(self) -> Stack:
        if not Path(NGINX).exists():
            raise RuntimeError("nginx is not installed: apt-get install nginx (Debian's package)")
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        secret = (self.env or {}).get("UNIONDASH_COOKIE_SECRET") or cookie_secret()
        self._env = worker_env(self.data, secret, self.env)
        self.pool = [Worker(i, free_port()) for i in range(self.workers)]
        try:
            for w in self.pool:
                self._spawn(w)
            self._wait(lambda: all(w.healthy() for w in self.pool), "workers")
            listen = f"[{self.address}]:{self.port}" if ":" in self.address else f"{self.address}:{self.port}"
            conf = self.conf_path or self.run_dir / "nginx.conf"
            ports = [w.port for w in self.pool]
            text = render_config(ports, listen, self.run_dir, behind_front=self.behind_front)
            conf.write_text(text, encoding="utf-8")
            self.nginx = subprocess.Popen(
                [NGINX, "-p", str(self.run_dir), "-c", str(conf), "-e", str(self.run_dir / "error.log")],
                stdout=subprocess.DEVNULL,
                stderr=open(self.run_dir / "nginx.out", "ab"),  # noqa: SIM115 (the child holds it)
            )
            self._wait(lambda: _get(self.url + "/_stcore/health") == b"ok", "nginx")
        except BaseException:
            self.stop()
            raise
        self.write_pids()
        return self

    def write_pids(self) -> None:
        """run_dir/pids.json: nginx's and each worker's pid, for tools that act on a running stack
        (the failover load test takes a stack down by them)."""
        pids = {
            "nginx": self.nginx.pid if self.nginx else None,
            "workers": [w.proc.pid for w in self.pool if w.proc],
            "worker_ports": [w.port for w in self.pool],
        }
        (self.run_dir / "pids.json").write_text(json.dumps(pids), encoding="utf-8")

    def _spawn(self, w: Worker) -> None:
        log = open(self.run_dir / f"worker-{w.index}.log", "ab")  # noqa: SIM115 (the child holds it)
        w.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / self.script)]
            + ["--server.port", str(w.port), "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT,
            env=self._env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if ready():
                return
            dead = [w for w in self.pool if w.proc and w.proc.poll() is not None]
            if dead or (self.nginx and self.nginx.poll() is not None):
                break
            time.sleep(0.2)
        logs = sorted(self.run_dir.glob("worker-*.log")) + [self.run_dir / "error.log", self.run_dir / "nginx.out"]
        tail = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}" for p in logs if p.exists())
        raise RuntimeError(f"{what} did not start (logs in {self.run_dir}):\n{tail}")

    def health(self) -> dict[int, bool]:
        """Each worker's /_stcore/health, asked directly (not through nginx)."""
        return {w.index: w.healthy() for w in self.pool}

    def restart_dead(self) -> list[int]:
        """Start again, on its own port, any worker whose process has exited; their indexes."""
        dead = [w for w in self.pool if w.proc is None or w.proc.poll() is not None]
        for w in dead:
            self._spawn(w)
        if dead:
            self.write_pids()
        return [w.index for w in dead]

    def stop(self) -> None:
        procs = [p for p in [self.nginx] + [w.proc for w in self.pool] if p is not None]
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.nginx = None

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
