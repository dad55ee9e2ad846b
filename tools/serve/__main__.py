"""`python -m tools.serve --workers N [--replicas R --state URL] [--address A] [--port P]`: run the
workers and nginx (or R stacks of them behind a front nginx) in the foreground until Ctrl-C (or
SIGTERM), restarting any worker (or sidecar, tools/serve/sidecars.py) that dies."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from tools.serve import sidecars as sidecar_mod
from tools.serve.replicas import ReplicaSet, stack_health_path
from tools.serve.stack import ROOT, Stack, health_path
from uniondash.access.state import redact

CHECK_EVERY_S = 5.0


def _stop_on_sigterm(*_):
    raise KeyboardInterrupt


def _watch(stacks: list[Stack], cars: list, env: dict, run_dir: Path, front=None) -> int:
    """Every CHECK_EVERY_S: a dead nginx ends the run; a dead worker or sidecar is restarted."""
    unhealthy: dict[tuple[int, int], int] = {}
    while True:
        time.sleep(CHECK_EVERY_S)
        if front is not None and front.poll() is not None:
            print(f"the front nginx exited ({front.returncode}); see {run_dir}/front/error.log", file=sys.stderr)
            return 1
        for s, stack in enumerate(stacks):
            if stack.nginx is None or stack.nginx.poll() is not None:
                print(f"nginx of stack {s} exited; see {stack.run_dir}/error.log", file=sys.stderr)
                if front is None:
                    return 1
                # one stack of a replica set: the front sends its users to the others meanwhile;
                # start it again whole, on the same nginx port (as a pod is restarted)
                stack.stop()
                stack.start()
                print(f"stack {s} restarted: nginx on 127.0.0.1:{stack.port}", file=sys.stderr)
                continue
            for i in stack.restart_dead():
                print(f"stack {s} worker {i} had exited; restarted on port {stack.pool[i].port}", file=sys.stderr)
            for i, ok in stack.health().items():
                unhealthy[s, i] = 0 if ok else unhealthy.get((s, i), 0) + 1
                if unhealthy[s, i] == 3:  # said once; nginx skips it meanwhile (max_fails)
                    print(f"stack {s} worker {i} fails its health check (/_stcore/health)", file=sys.stderr)
        for name in sidecar_mod.restart_dead(cars, env, run_dir):
            print(f"sidecar {name} (re)started; log in {run_dir}/sidecar-{name}.log", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.serve", description=__doc__)
    parser.add_argument("--workers", type=int, default=2, help="Streamlit processes per stack (default 2)")
    parser.add_argument("--replicas", type=int, default=1, help="stacks behind a front nginx (default 1: none)")
    parser.add_argument("--state", default="", help="UNIONDASH_STATE_URL for every worker (postgresql://…)")
    parser.add_argument("--address", default="127.0.0.1", help="nginx listens here (0.0.0.0: the network)")
    parser.add_argument("--port", type=int, default=0, help="nginx's port (default: a free one)")
    parser.add_argument("--data", help="data folder (default $UNIONDASH_DATA or ./data)")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.replicas < 1:
        parser.error("--workers and --replicas must be at least 1")
    state = args.state or os.environ.get("UNIONDASH_STATE_URL", "")
    if args.replicas > 1 and not state:
        parser.error(
            "--replicas needs --state postgresql://… (make serve REPLICAS=2 STATE=…; `make pg` starts a"
            " throwaway one): replicas share sign-in state through PostgreSQL, never through one SQLite file"
        )
    data = Path(args.data or os.environ.get("UNIONDASH_DATA") or ROOT / "data")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    run_dir = ROOT / "deploy" / "run"
    env_extra = {"UNIONDASH_STATE_URL": state} if state else {}
    cars = sidecar_mod.sidecars()
    if args.replicas > 1:
        server = ReplicaSet(data, args.replicas, args.workers, args.address, args.port, state, run_dir)
    else:
        server = Stack(data, args.workers, args.address, args.port, conf_path=ROOT / "deploy" / "nginx.conf")
        server.env = env_extra or None
    shape = f"{args.replicas} stacks of {args.workers} workers" if args.replicas > 1 else f"{args.workers} workers"
    print(f"starting {shape} and nginx (logs in {run_dir}) …", flush=True)
    try:
        with server:
            stacks = server.stacks if args.replicas > 1 else [server]
            for s, stack in enumerate(stacks):
                ports = ", ".join(str(w.port) for w in stack.pool)
                print(f"  stack {s}: nginx on 127.0.0.1:{stack.port}, workers on ports {ports}")
            print(f"工会工作数据看板: {server.url}  ({shape}; Ctrl-C stops)")
            print(f"shared state: {redact(state) if state else 'access.sqlite beside the accounts file'}")
            check = stack_health_path(0) if args.replicas > 1 else health_path(0)
            print(f"health through the proxy: {server.url}{check} …", flush=True)
            env = stacks[0]._env
            for car in cars:
                car.start(env, run_dir)
            return _watch(stacks, cars, env, run_dir, getattr(server, "front", None))
    except KeyboardInterrupt:
        print("stopped", flush=True)
    finally:
        for car in cars:
            car.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
