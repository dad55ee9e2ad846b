"""`python -m tools.serve --workers N [--address A] [--port P]`: run the workers and nginx in the
foreground until Ctrl-C (or SIGTERM), restarting any worker that dies."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from tools.serve.stack import ROOT, Stack, health_path

CHECK_EVERY_S = 5.0


def _stop_on_sigterm(*_):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.serve", description=__doc__)
    parser.add_argument("--workers", type=int, default=2, help="Streamlit processes (default 2)")
    parser.add_argument("--address", default="127.0.0.1", help="nginx listens here (0.0.0.0: the network)")
    parser.add_argument("--port", type=int, default=0, help="nginx's port (default: a free one)")
    parser.add_argument("--data", help="data folder (default $UNIONDASH_DATA or ./data)")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    data = Path(args.data or os.environ.get("UNIONDASH_DATA") or ROOT / "data")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    stack = Stack(data, args.workers, args.address, args.port, conf_path=ROOT / "deploy" / "nginx.conf")
    print(f"starting {args.workers} workers and nginx (logs in {stack.run_dir}) …", flush=True)
    try:
        with stack:
            ports = ", ".join(str(w.port) for w in stack.pool)
            print(f"工会工作数据看板: {stack.url}  ({args.workers} workers on 127.0.0.1 ports {ports}; Ctrl-C stops)")
            print(f"worker health through the proxy: {stack.url}{health_path(0)} …", flush=True)
            unhealthy: dict[int, int] = {}
            while True:
                time.sleep(CHECK_EVERY_S)
                if stack.nginx.poll() is not None:
                    print(f"nginx exited ({stack.nginx.returncode}); see {stack.run_dir}/error.log", file=sys.stderr)
                    return 1
                for i in stack.restart_dead():
                    print(f"worker {i} had exited; restarted on port {stack.pool[i].port}", file=sys.stderr)
                for i, ok in stack.health().items():
                    unhealthy[i] = 0 if ok else unhealthy.get(i, 0) + 1
                    if unhealthy[i] == 3:  # said once; nginx skips it meanwhile (max_fails)
                        print(f"worker {i} fails its health check (/_stcore/health)", file=sys.stderr)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
