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
    assert (ROOT / "tools" / "bench" / "__main__.py").is_file(), "python -m tools.bench pages|load"


# The package's floors, ground first: a module may import its own floor and the floors below, never
# one above (docs/architecture.md draws them). dashboard.py, app_pages/ and serve.py stand on top.
FLOORS = (
    ("errors", "clock", "text", "metrics"),
    ("config",),
    ("access",),
    ("data",),
    ("analysis", "demo"),
    ("render",),
    ("ui",),
    ("briefings",),  # the scheduler: renders and delivers briefings outside any browser session
    ("cli", "__main__"),
)
FLOOR_OF = {room: i for i, rooms in enumerate(FLOORS) for room in rooms}


def room_of(module: str) -> str | None:
    """uniondash.data.warehouse → data; uniondash.clock → clock; anything else → None."""
    parts = module.split(".")
    return parts[1] if parts[0] == "uniondash" and len(parts) > 1 else None


def imported_modules(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, module) of every import at any depth, relative imports resolved against package."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            out.append((node.lineno, base))
            out += [(node.lineno, f"{base}.{a.name}") for a in node.names]
    return out


def upward_imports(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        module = ".".join(rel.parts)
        here = room_of(module if rel.name != "__init__" else module + ".x")
        if here not in FLOOR_OF:
            continue
        package = ".".join(rel.parts[:-1])
        for line, target in imported_modules(path, package):
            there = room_of(target)
            if there in FLOOR_OF and FLOOR_OF[there] > FLOOR_OF[here]:
                found.append(f"{path.relative_to(root.parent)}:{line} imports {target}")
    return sorted(set(found))


def test_every_import_runs_down_the_floors():
    rooms = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir() if not p.name.startswith("_")}
    rooms = {r for r in rooms if r != "py" and (PACKAGE / r).is_dir() or (PACKAGE / f"{r}.py").is_file()}
    assert rooms <= set(FLOOR_OF), f"rooms without a floor in FLOORS: {sorted(rooms - set(FLOOR_OF))}"
    assert upward_imports() == []


def test_the_floor_check_sees_an_upward_import(tmp_path):
    pkg = tmp_path / "uniondash"
    (pkg / "access").mkdir(parents=True)
    (pkg / "access" / "x.py").write_text("def f():\n    from uniondash.analysis.profile import ProfileRow\n")
    (pkg / "data").mkdir()
    (pkg / "data" / "y.py").write_text("from ..ui import view\nfrom . import schema\n")
    assert upward_imports(pkg) == [
        "uniondash/access/x.py:2 imports uniondash.analysis.profile",
        "uniondash/access/x.py:2 imports uniondash.analysis.profile.ProfileRow",
        "uniondash/data/y.py:1 imports uniondash.ui",
        "uniondash/data/y.py:1 imports uniondash.ui.view",
    ]


def tools_imports(root: Path = PACKAGE) -> list[str]:
    return [
        f"{p.relative_to(root.parent)}:{line}"
        for p in sorted(root.rglob("*.py"))
        for line, target in imported_modules(p, "uniondash")
        if target == "tools" or target.startswith("tools.")
    ]


def test_the_runtime_package_imports_nothing_from_tools():
    assert tools_imports() == []
    assert "sys.path" not in (PACKAGE / "cli.py").read_text(encoding="utf-8"), "cli.py edits sys.path"


def test_the_tools_check_sees_every_form(tmp_path):
    pkg = tmp_path / "uniondash"
    pkg.mkdir()
    (pkg / "a.py").write_text("import tools\nimport tools.bench.run as r\ndef f():\n    from tools.bench import load\n")
    assert tools_imports(pkg) == ["uniondash/a.py:1", "uniondash/a.py:2", "uniondash/a.py:4", "uniondash/a.py:4"]


# Rates are formed in uniondash/metrics/rates.py only: a division of counts (workers, members,
# stations …) or a division scaled to per-100/1,000/10,000 anywhere else is a second formula.
COUNT_WORDS = ("workers", "members", "employees", "stations", "unions", "population", "awards", "prizes")
SCALES = {100, 1_000, 10_000, 100_000}
RATES = PACKAGE / "metrics" / "rates.py"


def _mentions_counts(node: ast.AST) -> bool:
    return any(w in ast.unparse(node).lower() for w in COUNT_WORDS)


def _is_scaled(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in SCALES


def rates_formed(paths) -> list[str]:
    found = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.BinOp):
                continue
            division = isinstance(node.op, ast.Div)
            if division and (_mentions_counts(node.left) or _mentions_counts(node.right)):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
            elif isinstance(node.op, ast.Mult) and any(_is_scaled(s) for s in (node.left, node.right)):
                if any(isinstance(s, ast.BinOp) and isinstance(s.op, ast.Div) for s in (node.left, node.right)):
                    found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    return sorted(set(found))


def test_rates_are_formed_only_in_metrics_rates():
    # uniondash/demo/ makes the demo's raw counts (one gathering point per 800 workers, say): no figure
    code = [p for p in sorted(PACKAGE.rglob("*.py")) if p != RATES and PACKAGE / "demo" not in p.parents]
    code += sorted((ROOT / "app_pages").glob("*.py")) + [ROOT / "dashboard.py"]
    assert rates_formed(code) == []


def test_the_rate_check_sees_a_second_formula(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text(
        "per = supply.stations.sum() / workers * 10_000\n"
        "share = m / w\n"
        "rate = row.members / row.workers\n"
        "half = width / 2\n"
        "pct = now / target.value * 100\n"
    )
    assert rates_formed([sample]) == [
        "m.py:1: supply.stations.sum() / workers",
        "m.py:1: supply.stations.sum() / workers * 10000",
        "m.py:3: row.members / row.workers",
        "m.py:5: now / target.value * 100",
    ]


# Region-wide reads: a read that passes no data scope (None) bypasses a planner's scope. Only
# uniondash.ui.reads.region_wide may do it, each time under a name in REGION_WIDE_READS.
READERS = ("cached_query", "uncached_query")


def unscoped_reads(paths) -> list[str]:
    """Calls of a reader whose data scope (4th argument) is the constant None, outside region_wide."""
    found = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)] + [tree]:
            if getattr(fn, "name", "") == "region_wide":
                continue
            for node in ast.walk(fn) if fn is not tree else ast.iter_child_nodes(tree):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", "")) in READERS
                    and len(node.args) > 3
                    and isinstance(node.args[3], ast.Constant)
                    and node.args[3].value is None
                ):
                    found.append(f"{path.name}:{node.lineno}")
    return sorted(set(found))


def region_wide_names(paths) -> dict[str, list[str]]:
    """Each region_wide(NAME, …) call's NAME (a non-constant name shows as '?')."""
    out: dict[str, list[str]] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "region_wide":
                arg = node.args[0] if node.args else None
                name = arg.value if isinstance(arg, ast.Constant) else "?"
                out.setdefault(name, []).append(f"{path.name}:{node.lineno}")
    return out


def test_every_region_wide_read_is_registered():
    from uniondash.access.data_scope import REGION_WIDE_READS

    code = sorted(PACKAGE.rglob("*.py")) + sorted((ROOT / "app_pages").glob("*.py")) + [ROOT / "dashboard.py"]
    assert unscoped_reads(code) == [], "a read without a data scope outside uniondash.ui.reads.region_wide"
    used = region_wide_names(code)
    assert set(used) <= set(REGION_WIDE_READS), f"unregistered region-wide reads: {set(used) - set(REGION_WIDE_READS)}"
    assert set(REGION_WIDE_READS) <= set(used), f"registered but never read: {set(REGION_WIDE_READS) - set(used)}"


def test_the_registry_check_sees_an_unscoped_read(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text(
        "def region_wide(read, name, d, f, **p):\n    return cached_query(name, d, f, None, False, **p)\n"
        "def leak(d, f):\n    return cached_query('regions', d, f, None, False)\n"
        "def fine(d, f, s):\n    return cached_query('regions', d, f, s, False)\n"
        "x = region_wide('county_rank', 'regions', 1, 2)\ny = region_wide(reason, 'regions', 1, 2)\n"
    )
    assert unscoped_reads([sample]) == ["m.py:4"]
    assert region_wide_names([sample]) == {"county_rank": ["m.py:7"], "?": ["m.py:8"]}
