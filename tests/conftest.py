"""Shared fixtures: the hand-made snapshots, and one real demo build per test session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixtures import build_fixture  # noqa: E402

from uniondash.data.warehouse import Warehouse  # noqa: E402

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def fixture_dir(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("fixture-data")
    build_fixture(data)
    return data


@pytest.fixture(scope="session")
def fixture_wh(fixture_dir) -> Warehouse:
    return Warehouse(fixture_dir / "snapshots")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    from uniondash.demo import build_demo

    data = tmp_path_factory.mktemp("demo-data")
    build_demo(data, "420000", show_progress=False)
    return data


@pytest.fixture(scope="session")
def demo_wh(demo_dir) -> Warehouse:
    return Warehouse(demo_dir / "snapshots")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def server(demo_dir):
    """The dashboard on the demo build, one server per browser-test module (a module that needs
    other data or accounts defines its own `server`)."""
    from browser import require_chromium, streamlit_server

    require_chromium()
    with streamlit_server(demo_dir) as (url, _proc):
        yield url


@pytest.fixture(scope="module")
def chromium():
    """The system Chromium, driven by Playwright, one per browser-test module."""
    from browser import browser, require_chromium

    require_chromium()
    with browser() as b:
        yield b
