"""An import run in a child process, so that nothing a file makes a reader library do can take
the server (or the command line) down with it.

A workbook is scanned before any reader sees it (xlsx_reader.scan_sheets refuses a sheet too wide
or too large), but a reader library can still ask for more memory than the machine has, or abort
(calamine, asked for rows × columns of a far cell, printed "memory allocation of 549755813888
bytes failed" and aborted the whole server). So the whole import (read, validate, check, write)
runs in a child started with `spawn` (the server is multithreaded: no fork), under an
address-space limit and a time limit. The child writes the snapshot itself and sends back only
its progress, the problems and, when there are some, the error workbook. If it dies or runs out
of time, the caller gets a problem naming the file it was reading, in both languages; nothing was
written (the writer renames a whole snapshot into place, or nothing)."""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import types
from pathlib import Path

from uniondash.config import Settings
from uniondash.data import sql_files
from uniondash.data.importer.problems import file_problem
from uniondash.data.importer.run import ImportResult, Progress, import_files
from uniondash.data.importer.sources import SourceFile
from uniondash.text.i18n import t

PR_SET_PDEATHSIG = 1


@dataclasses.dataclass
class Outcome:
    """What the child sends back: the result without the rows read, and the error workbook."""

    result: ImportResult
    error_xlsx: bytes | None = None


def _die_with_parent() -> None:
    """The child ends when its parent does (a killed server or command leaves no import running)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _child(conn, files, as_of, settings, replace, lang, memory_mb) -> None:
    _die_with_parent()
    # A Rust library out of memory prints a backtrace when RUST_BACKTRACE is set, and symbolising
    # it allocates again under the limit: it then waits forever on its own backtrace lock (seen
    # with calamine). Without a backtrace it aborts at once and the parent reports the file.
    os.environ["RUST_BACKTRACE"] = "0"
    limit = int(memory_mb * 2**20)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    sql_files.limit_memory(memory_mb)  # DuckDB within the limit too (it would take 80 % of the machine's)

    def progress(key: str, **fields) -> None:
        conn.send(("progress", key, fields))

    try:
        result = import_files(files, as_of, settings, replace=replace, progress=progress)
        workbook = None
        if result.problems or result.warnings:  # the workbook lists warnings too
            from uniondash.data.importer.problems import error_workbook

            workbook = error_workbook(result.problems + result.warnings, result.sources, lang)
        result.sources = []  # the rows stay here: only what the page shows goes back
        conn.send(("done", Outcome(result, workbook)))
    except MemoryError:
        conn.send(("memory", "MemoryError"))
    except BaseException as exc:  # noqa: BLE001  (a Rust reader's panic is no Exception: pyo3's PanicException)
        # out of memory, a Rust library panics where Python would raise MemoryError (pyo3: "PyObject
        # pointer is null"); anything else is a reader's failure on this file, named as such
        kind = "memory" if type(exc).__name__ == "PanicException" else "failed"
        conn.send((kind, f"{type(exc).__name__}: {exc}"[:200]))
    finally:
        conn.close()


def import_isolated(
    files: list[SourceFile],
    as_of: str,
    settings: Settings,
    replace: bool = False,
    progress: Progress | None = None,
    lang: str = "zh",
) -> Outcome:
    """import_files in a child process under settings.import_memory_mb and import_timeout_s."""
    step = progress or (lambda key, **fields: None)
    with tempfile.TemporaryDirectory(prefix="uniondash-import-") as tmp:
        on_disk = _on_disk(files, Path(tmp))
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe(duplex=False)
        args = (child, on_disk, as_of, settings, replace, lang, settings.import_memory_mb)
        proc = ctx.Process(target=_child, args=args, name="uniondash-import", daemon=True)
        _start_without_main(proc)
        child.close()
        reading, outcome, why, detail, last = "—", None, None, "", ("import.step_read", {"file": "—"})
        try:
            while outcome is None and why is None:
                if not parent.poll(settings.import_timeout_s):
                    why = "timeout"
                    break
                try:
                    kind, payload, *rest = parent.recv()
                except EOFError:
                    why = "died"
                    break
                if kind == "progress":
                    if payload == "import.step_read":
                        reading = rest[0].get("file", reading)
                    last = (payload, rest[0])
                    step(payload, **rest[0])
                elif kind == "done":
                    outcome = payload
                else:
                    why, detail = kind, payload
        finally:
            proc.join(5 if why == "died" else 0.5)  # an ended child is reaped: its real exit status
            if proc.is_alive():
                proc.kill()
            proc.join()
            parent.close()
    if outcome is not None:
        return outcome
    return Outcome(ImportResult(as_of, problems=[_stopped(reading, why, detail, proc.exitcode, settings, last)]))


def _start_without_main(proc) -> None:
    """Start the child with a bare __main__: `spawn` re-imports the parent's main module in the
    child, and under Streamlit that is the page script (it ran dashboard.py again outside Streamlit
    and died before reading a byte)."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        proc.start()
    finally:
        if main is not None:
            sys.modules["__main__"] = main


def _on_disk(files: list[SourceFile], folder: Path) -> list[SourceFile]:
    """Uploaded bytes written to files for the child (a path crosses the process, not 500 MB)."""
    out = []
    for i, f in enumerate(files):
        if f.path is not None:
            out.append(SourceFile(f.name, f.path))
            continue
        path = folder / f"{i}{Path(f.name).suffix.lower()}"
        path.write_bytes(f.data or b"")
        out.append(SourceFile(f.name, path))
    return out


def _stopped(file: str, why: str, detail: str, exitcode: int | None, settings: Settings, last: tuple):
    """The problem for an import that did not finish, named by the file it was reading: out of
    time; out of memory (MemoryError, a Rust reader's panic, or its abort: SIGABRT, SIGSEGV,
    SIGBUS); a reader's failure; or stopped from outside (another signal)."""
    if why == "timeout":
        return file_problem(file, "import.err_timeout", "resources", seconds=f"{settings.import_timeout_s:g}")
    if why == "failed":
        return file_problem(file, "import.err_reader", "file", detail=detail)
    ended = signal.Signals(-exitcode).name if exitcode is not None and exitcode < 0 else f"exit {exitcode}"
    if why == "memory" or ended in ("SIGABRT", "SIGSEGV", "SIGBUS"):
        detail = detail.split(":")[0] if why == "memory" else ended
        return file_problem(file, "import.err_memory", "resources", mb=f"{settings.import_memory_mb:g}", detail=detail)
    key, fields = last
    step_zh, step_en = t(key, "zh", **fields), t(key, "en", **fields)
    return file_problem(file, "import.err_stopped", "resources", detail=ended, step=step_zh, step_en=step_en)
