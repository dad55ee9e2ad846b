"""A throwaway PostgreSQL from Debian's package: `make pg` (python -m tools.serve.pg) and the tests.

initdb into a temporary folder, the server on a free loopback port with its socket in that folder,
trust authentication for loopback (a throwaway: never a production database), a database named
`uniondash`; the URL is printed (UNIONDASH_STATE_URL). Ctrl-C stops it and deletes the folder.

initdb refuses to run as root (CI runs as root), so as root the server runs as an unprivileged
user (`nobody`, through runuser) owning the folder. The binaries are found where Debian puts them
(/usr/lib/postgresql/<version>/bin, not on PATH), newest version first, or on PATH, or in $PG_BINDIR.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tools.bench.server import free_port

UNPRIVILEGED = os.environ.get("PG_RUN_AS", "nobody")
DATABASE = "uniondash"


class PostgresMissing(RuntimeError):
    pass


def bindir() -> Path:
    """The folder holding initdb and pg_ctl: $PG_BINDIR, Debian's newest, or PATH's."""
    candidates = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))

    def version(p: str) -> tuple[int, ...]:
        return tuple(int(x) for x in re.findall(r"\d+", p.split("/postgresql/")[1].split("/")[0]))

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)]
    if shutil.which("initdb"):
        candidates.append(Path(shutil.which("initdb")).resolve().parent)
    for c in candidates:
        if (c / "initdb").is_file() and (c / "pg_ctl").is_file():
            return c
    raise PostgresMissing(
        "PostgreSQL is not installed (no initdb/pg_ctl in $PG_BINDIR, /usr/lib/postgresql/*/bin or PATH):"
        " apt-get install postgresql (make system-deps does)"
    )


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    runuser = shutil.which("runuser") or "/usr/sbin/runuser"
    return [runuser, "-u", UNPRIVILEGED, "--", *cmd]


@dataclass
class Postgres:
    folder: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        return f"postgresql://uniondash@127.0.0.1:{self.port}/{DATABASE}"

    def url_for(self, database: str) -> str:
        return f"postgresql://uniondash@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database on this server (tests: one per test); its URL."""
        import psycopg

        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"database name {name!r}")
        with psycopg.connect(self.url_for("postgres"), autocommit=True) as conn:
            conn.execute(f"create database {name}")  # a checked identifier: no bound parameter exists for it
        return self.url_for(name)

    def stop(self) -> None:
        subprocess.run(
            _as_server_user([str(self.bin / "pg_ctl"), "stop", "-D", str(self.folder / "data"), "-m", "fast", "-s"]),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start(port: int = 0) -> Postgres:
    """initdb into a new temporary folder and start the server; returns when it accepts connections."""
    bin_ = bindir()
    # as root the folder goes under /tmp: $TMPDIR may be a folder `nobody` cannot reach
    folder = Path(tempfile.mkdtemp(prefix="uniondash-pg-", dir="/tmp" if os.geteuid() == 0 else None))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, UNPRIVILEGED)
    os.chmod(folder, 0o700)
    port = port or free_port()
    pg = Postgres(folder, port, bin_)

    def run(cmd: list[str]) -> None:
        done = subprocess.run(_as_server_user(cmd), capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pg.stop()
            raise RuntimeError(f"{' '.join(cmd[:2])} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")

    run([str(bin_ / "initdb"), "-D", str(data), "-U", "uniondash", "-A", "trust", "-E", "UTF8", "--no-locale", "-N"])
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    run([str(bin_ / "pg_ctl"), "start", "-D", str(data), "-l", str(folder / "server.log"), "-w", "-s", "-o", options])
    pg.create_database(DATABASE)
    return pg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.serve.pg", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="the port (default: a free one)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        pg = start(args.port)
    except (PostgresMissing, RuntimeError) as exc:
        print(f"pg: {exc}", file=sys.stderr)
        return 1
    print(f"PostgreSQL (throwaway, in {pg.folder}; Ctrl-C stops it and deletes everything):", flush=True)
    print(f"UNIONDASH_STATE_URL={pg.url}", flush=True)
    print(f"    make serve REPLICAS=2 WORKERS=2 STATE={pg.url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not leave the folder behind
            signal.signal(sig, signal.SIG_IGN)
        pg.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
