"""A filler's upload checked and stored in a child process, as an import is
(uniondash.data.importer.isolated): nothing a file makes a reader library do (ask for more memory
than the machine has, abort) can take the server down. The child runs under the import's
address-space and time limits, stores the submission itself (each unit's files renamed into
place, or nothing) and sends back only the result; if it dies, the caller gets a problem naming
the files, in both languages, and nothing was stored for them."""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import types
from pathlib import Path

from uniondash.data import sql_files
from uniondash.data.importer import SourceFile
from uniondash.data.rounds.checking import problem
from uniondash.data.rounds.submit import SubmitResult, submit


def _child(conn, data_dir, timezone, files, user, scope, region, max_mb, accounts_file, address, memory_mb):
    with contextlib.suppress(OSError, AttributeError):  # the child ends when its parent does
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    os.environ["RUST_BACKTRACE"] = "0"  # a Rust reader out of memory aborts at once (see importer.isolated)
    limit = int(memory_mb * 2**20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sql_files.limit_memory(memory_mb)  # DuckDB within the limit too (it would take 80 % of the machine's)
    try:
        from uniondash.data.rounds.model import RoundStore

        store = RoundStore(Path(data_dir), timezone)
        conn.send(("done", submit(store, files, user, scope, region, max_mb, accounts_file, address)))
    except BaseException as exc:  # noqa: BLE001  (a Rust reader's panic is no Exception)
        conn.send(("failed", f"{type(exc).__name__}: {exc}"[:200]))
    finally:
        conn.close()


def submit_isolated(
    store, files: list[SourceFile], user: str, scope, region: str, settings, accounts_file=None, address: str = ""
) -> SubmitResult:
    """submit() in a spawned child under settings.import_memory_mb and import_timeout_s."""
    with tempfile.TemporaryDirectory(prefix="uniondash-round-") as tmp:
        on_disk = []
        for i, f in enumerate(files):  # a path crosses the process, not the bytes
            if f.path is None:
                path = Path(tmp) / f"{i}{Path(f.name).suffix.lower()}"
                path.write_bytes(f.data or b"")
                f = SourceFile(f.name, path)
            on_disk.append(f)
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe(duplex=False)
        args = (
            child, str(store.data_dir), store.timezone, on_disk, user, tuple(scope), region,
            settings.import_max_mb, accounts_file, address, settings.import_memory_mb,
        )  # fmt: skip
        proc = ctx.Process(target=_child, args=args, name="uniondash-round-submit", daemon=True)
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")  # spawn must not re-run a page script
        try:
            proc.start()
        finally:
            if main is not None:
                sys.modules["__main__"] = main
        child.close()
        kind, payload = "timeout", ""
        try:
            if parent.poll(settings.import_timeout_s):
                try:
                    kind, payload = parent.recv()
                except EOFError:
                    kind = "died"
        finally:
            proc.join(5 if kind == "died" else 0.5)
            if proc.is_alive():
                proc.kill()
            proc.join()
            parent.close()
    if kind == "done":
        return payload
    names = "、".join(f.name for f in files) or "—"
    ended = signal.Signals(-proc.exitcode).name if proc.exitcode is not None and proc.exitcode < 0 else kind
    detail = payload or ended
    return SubmitResult(
        problems=[problem(names, "rounds.err_stopped", "resources", detail=detail, mb=f"{settings.import_memory_mb:g}")]
    )
