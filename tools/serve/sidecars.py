"""Extra processes `make serve` runs beside the workers, once per machine (not once per worker or
per stack): the place for a scheduler such as the briefings' (`python -m uniondash briefings run`).

Add a command to SIDECARS; the serve tool starts each with the workers' environment (data folder,
cookie secret, shared state), logs it to deploy/run/sidecar-<name>.log, restarts it when it exits
and stops it with the rest. With replicas that share PostgreSQL, a scheduler may run on every node:
the shared state's `add` (insert-if-absent) lets exactly one of them claim each send.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from uniondash.config import ROOT

# name → argv. The briefings' scheduler checks briefings.toml every 60 s and sends what is due
# (nothing while there is no such file); its sent log and lock make a restart, or a cron line
# running `briefings run` too, send nothing twice.
SIDECARS: dict[str, list[str]] = {
    "briefings": [sys.executable, "-m", "uniondash", "briefings", "run", "--every", "60"],
}


@dataclass
class Sidecar:
    name: str
    argv: list[str]
    proc: subprocess.Popen | None = None

    def start(self, env: dict, run_dir: Path) -> None:
        run_dir.mkdir(parents=True, exist_ok=True)
        with open(run_dir / f"sidecar-{self.name}.log", "ab") as log:
            self.proc = subprocess.Popen(self.argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def sidecars(table: dict[str, list[str]] | None = None) -> list[Sidecar]:
    return [Sidecar(name, list(argv)) for name, argv in (SIDECARS if table is None else table).items()]


def restart_dead(cars: list[Sidecar], env: dict, run_dir: Path) -> list[str]:
    """Start again any sidecar whose process has exited; their names."""
    dead = [c for c in cars if c.proc is None or c.proc.poll() is not None]
    for c in dead:
        c.start(env, run_dir)
    return [c.name for c in dead]
