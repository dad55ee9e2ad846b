"""The command line's import, template and export commands (uniondash/cli.py dispatches here)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from uniondash.config import Settings
from uniondash.text.i18n import t


def with_data(settings: Settings, data: str | None) -> Settings:
    """The settings with the data folder given by --data, if any."""
    return dataclasses.replace(settings, data_dir=Path(data).resolve()) if data else settings


def run_import(
    sources: list[str], as_of: str, settings: Settings, data: str | None = None, replace: bool = False, lang: str = "zh"
) -> int:
    """Exit status 0 with the snapshot written, 1 with every problem listed and nothing written;
    warnings and notes go to stderr either way."""
    settings = with_data(settings, data)
    from tqdm import tqdm

    from uniondash.data.importer import expand, import_isolated, steps_total

    files = expand([Path(s) for s in sources])
    bar = tqdm(total=steps_total(files), desc="导入 import", unit="步", file=sys.stderr, leave=False)

    def progress(key: str, **fields) -> None:
        bar.set_postfix_str(t(key, lang, **fields)[:60])
        bar.update()

    try:
        result = import_isolated(files, as_of, settings, replace=replace, progress=progress, lang=lang).result
    finally:
        bar.close()
    if result.warnings:  # warnings and notes never change the exit status
        print(t("import.warnings", lang, n=len(result.warnings)), file=sys.stderr)
        for problem in result.warnings:
            print(problem.line(lang), file=sys.stderr)
    if not result.ok:
        for problem in result.problems:
            print(problem.line(lang))
        print(t("import.failed", lang, n=len(result.problems)), file=sys.stderr)
        return 1
    print(t("import.written", lang, path=result.path))
    if result.imported:
        print(t("import.imported", lang, tables=", ".join(f"{k} ← {v['file']}" for k, v in result.imported.items())))
    if result.carried:
        first = next(iter(result.carried.values()))["from"]
        print(t("import.carried", lang, as_of=first, tables=", ".join(result.carried)))
    if result.replaced:
        print(t("import.replaced", lang, path=result.replaced))
    return 0


def run_template(out: str, lang: str = "zh") -> int:
    from uniondash.data.importer import write_templates

    written = write_templates(Path(out))
    print(t("import.templates_written", lang, path=f"{out} ({len(written)})"))
    return 0


def run_export(as_of: str, out: str, settings: Settings, data: str | None = None, lang: str = "zh") -> int:
    settings = with_data(settings, data)
    from tqdm import tqdm

    from uniondash.data.importer import export_snapshot
    from uniondash.data.schema import TABLES
    from uniondash.data.snapshots import list_snapshots
    from uniondash.errors import SnapshotError

    found = [s for s in list_snapshots(settings.snapshots_dir, verify=True) if s.as_of == as_of]
    if not found or not found[0].ok:
        reason = "; ".join(found[0].problems) if found else "—"
        raise SnapshotError(f"快照 {as_of} 不存在或未通过校验（{reason}）。/ Snapshot {as_of} is not available.")
    with tqdm(total=len(TABLES), desc="导出 export", unit="表", file=sys.stderr, leave=False) as bar:
        export_snapshot(found[0], Path(out), progress=lambda name: bar.update())
    print(t("import.exported", lang, as_of=as_of, path=out))
    return 0
