"""The suite never skips for want of a component or an input file: a missing Chromium fails the
test that needs it, naming what is missing and the command that installs it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent


def test_a_missing_chromium_fails_naming_it_and_the_fix(monkeypatch):
    import browser

    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(pytest.fail.Exception) as failed:
        browser.require_chromium()
    assert str(failed.value) == (
        "/nonexistent/chromium missing: run make system-deps (Debian's chromium and fonts-noto-cjk)"
    )


def test_an_installed_chromium_is_accepted():
    import browser

    assert browser.missing_chromium() is None  # /usr/bin/chromium, as make system-deps installs it
    browser.require_chromium()


def test_no_test_file_skips():
    """No skip, skipif or importorskip anywhere in tests/: what is missing is a failure."""
    pattern = re.compile(r"\bpytest\.skip\(|\bmark\.skip(if)?\b|\bimportorskip\(")
    found = [
        f"{path.relative_to(TESTS)}:{n}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        if path != Path(__file__).resolve()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


def test_the_report_figures_are_kept_with_the_tests():
    rows = (TESTS / "data" / "report_figures.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "area,figure,value,unit,quote"
    assert len(rows) == 23  # the header and the report's 22 figures
