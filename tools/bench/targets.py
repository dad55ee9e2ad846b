"""What the load test loads: a server or proxy already running (--url), one Streamlit process, or
`make serve`'s stack started for the run; with the local processes behind it, for their CPU."""

from __future__ import annotations

import contextlib
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psutil

from tools.bench.server import streamlit_server

WORKER_HEADER = "X-Uniondash-Worker"  # set by deploy/nginx.conf.template


def _listening_pids(ports: set[int]) -> dict[int, int]:
    """Local processes listening on these TCP ports (psutil), by port."""
    found = {}
    for c in psutil.net_connections(kind="tcp"):
        if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port in ports and c.pid:
            found[c.laddr.port] = c.pid
    return found


def _discover(url: str) -> dict[str, int]:
    """The worker processes behind a running URL on this machine, as {"127.0.0.1:port": pid}: the
    serve stack's per-worker health locations name them; a plain Streamlit server is itself one."""
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return {}  # another machine's processes: no CPU accounting, spread by nginx's header only
    workers = []
    for i in range(64):
        try:
            with urllib.request.urlopen(f"{url}/_serve/worker/{i}/health", timeout=5) as r:
                if r.read() != b"ok" or not r.headers.get(WORKER_HEADER):
                    break
                workers.append(r.headers[WORKER_HEADER])
        except OSError:
            break
    if not workers:
        workers = [f"127.0.0.1:{parts.port}"]
    pids = _listening_pids({int(w.rsplit(":", 1)[1]) for w in workers})
    return {w: pids[int(w.rsplit(":", 1)[1])] for w in workers if int(w.rsplit(":", 1)[1]) in pids}


@dataclass
class Target:
    label: str
    url: str
    pids: dict[str, int] = field(default_factory=dict)  # worker address -> pid (empty: not local)


@contextlib.contextmanager
def target(data: Path, workers: int = 0, url: str | None = None):
    """Yield the Target to load: a running URL, one Streamlit process (workers=0), or the serve
    stack with N workers behind nginx, started here and stopped on exit."""
    if url:
        url = url.rstrip("/")
        pids = _discover(url)
        yield Target(f"{url} ({len(pids) or '?'} local processes)", url, pids)
    elif workers == 0:
        with streamlit_server(data) as (u, proc):
            yield Target("1 process", u, {f"127.0.0.1:{urlsplit(u).port}": proc.pid})
    else:
        from tools.serve.stack import Stack

        with (
            tempfile.TemporaryDirectory(prefix="uniondash-serve-") as run_dir,
            Stack(data, workers, run_dir=Path(run_dir)) as stack,
        ):
            pids = {f"127.0.0.1:{w.port}": w.proc.pid for w in stack.pool}
            yield Target(f"{workers} workers behind nginx", stack.url, pids)
