"""make system-deps (tools/system_deps.sh): where packages are missing and neither root nor
passwordless sudo is at hand, it stops at once, naming the one command to run, instead of letting
the tests fail later for want of a package."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "system_deps.sh"


def run_unprivileged(target: str, missing: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """The script as a user who may not install: `nobody` when we are root, else ourselves with a
    sudo that refuses (as `sudo -n` does without a cached password)."""
    # a folder nobody can reach (pytest's own tmp folders are private to root)
    fake = Path(tempfile.mkdtemp(dir=tmp_path if os.geteuid() else "/tmp"))
    fake.chmod(0o755)
    (fake / "sudo").write_text("#!/bin/sh\nexit 1\n")
    (fake / "sudo").chmod(0o755)
    env = {"PATH": f"{fake}:/usr/bin:/bin:/usr/sbin:/sbin", "SYSTEM_DEPS_ASSUME_MISSING": missing}
    cmd = ["bash", str(SCRIPT), target]
    if os.geteuid() == 0:
        assert shutil.which("runuser"), "runuser (util-linux) is needed to run the script as nobody"
        cmd = ["runuser", "-u", "nobody", "--", "env", *[f"{k}={v}" for k, v in env.items()], *cmd]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=30, check=False)
    finally:
        shutil.rmtree(fake)


def test_without_rights_it_stops_naming_the_one_command(tmp_path):
    done = run_unprivileged("test", "poppler-utils nginx", tmp_path)
    assert done.returncode == 1
    assert "make test needs the Debian packages: nginx poppler-utils" in done.stderr
    assert "    sudo apt-get install -y nginx poppler-utils" in done.stderr


def test_each_target_asks_only_for_its_own_packages(tmp_path):
    # poppler-utils is not make run's business: nothing is missing for it, so it passes
    assert run_unprivileged("run", "poppler-utils", tmp_path).returncode == 0
    done = run_unprivileged(
        "serve", "nginx fonts-noto-cjk", tmp_path / "x" if (tmp_path / "x").mkdir() is None else None
    )
    assert done.returncode == 1
    assert "sudo apt-get install -y nginx\n" in done.stderr


def test_an_unknown_target_is_refused():
    done = subprocess.run(["bash", str(SCRIPT), "deploy"], capture_output=True, text=True, check=False)
    assert done.returncode == 2
    assert "unknown target 'deploy' (run, serve, test or pg)" in done.stderr


def test_postgresql_is_part_of_the_test_set_and_of_make_pg(tmp_path):
    """The tests start a real PostgreSQL (tests/pg_server.py); make pg starts one by hand."""
    done = run_unprivileged("test", "postgresql", tmp_path)
    assert done.returncode == 1
    assert "    sudo apt-get install -y postgresql\n" in done.stderr
    (tmp_path / "pg").mkdir()
    done = run_unprivileged("pg", "postgresql nginx", tmp_path / "pg")
    assert "make pg needs the Debian packages: postgresql\n" in done.stderr  # nginx is not make pg's
    assert run_unprivileged("serve", "postgresql", tmp_path / "pg").returncode == 0


def test_ci_and_make_test_use_the_same_step():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "test: system-deps install" in makefile
    assert "run: system-deps-run data" in makefile
    assert "serve: system-deps-serve data" in makefile
    assert "pg: system-deps-pg install" in makefile
    assert "make system-deps" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
