"""The package's folders show its architecture: only uniondash/ui/ imports Streamlit, every folder
says in one line what lives there, and the benchmark tools stay outside the runtime package."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "uniondash"
UI = PACKAGE / "ui"


def streamlit_imports(path: Path) -> list[int]:
    """Line numbers where a module imports streamlit (at any depth: a lazy import counts too)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        if any(n == "streamlit" or n.startswith("streamlit.") for n in names):
            lines.append(node.lineno)
    return sorted(lines)


def test_streamlit_is_imported_only_by_the_ui_folder():
    offenders = [
        f"{p.relative_to(ROOT)}:{line}"
        for p in sorted(PACKAGE.rglob("*.py"))
        if UI not in p.parents
        for line in streamlit_imports(p)
    ]
    assert offenders == [], f"outside uniondash/ui/ these import streamlit: {offenders}"


def test_the_detector_sees_every_form_of_import(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("import os\ndef f():\n    import streamlit as st\nfrom streamlit.testing import x\n")
    assert streamlit_imports(sample) == [3, 4]


def test_every_package_folder_has_a_one_line_docstring():
    for init in sorted(PACKAGE.rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"{init.relative_to(ROOT)} has no docstring saying what lives there"
        summary = doc.strip().splitlines()[0]
        assert summary.endswith("."), f"{init.relative_to(ROOT)}: the docstring opens with one summary line"


def test_benchmark_tools_live_outside_the_runtime_package():
    assert not (PACKAGE / "bench").exists()
    assert (ROOT / "tools" / "bench" / "run.py").is_file()
    cli = (PACKAGE / "cli.py").read_text(encoding="utf-8")
    top_level = [n for n in ast.parse(cli).body if isinstance(n, ast.Import | ast.ImportFrom)]
    assert not any("tools" in (getattr(n, "module", "") or "") for n in top_level), "bench is imported only when called"
