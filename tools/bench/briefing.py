"""Time to build a full deck's briefing (all seven slide kinds) as PPTX and as PDF, outside any
browser session: `python -m tools.bench.briefing [--data DIR] [--out DIR] [--lang zh]`.

The first build includes starting kaleido's Chromium (once per process); the second is what a
user waits for afterwards. Also used by the export tests, run with the network unplugged."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path


def offline_view(data_dir: Path, lang: str = "zh", counties: tuple[str, ...] = ()):
    """The view /present would build for this data folder, without a Streamlit session."""
    from dataclasses import replace

    from uniondash.config import load_settings
    from uniondash.metrics.scope import resolve_scope
    from uniondash.ui.reads import data_fingerprint, get_warehouse, uncached_query
    from uniondash.ui.view import View, previous_as_of

    settings = replace(load_settings(), data_dir=Path(data_dir).resolve())
    fp = data_fingerprint(settings.snapshots_dir)
    wh = get_warehouse(str(settings.snapshots_dir), fp)
    as_ofs = tuple(wh.as_ofs)
    latest = as_ofs[-1]
    # no session: the whole region, people's names masked (View's defaults: access None, names hidden)
    regions = uncached_query("regions", str(settings.snapshots_dir), fp, None, False, as_of=latest)
    region = wh.snapshot(latest).manifest.get("region_adcode", settings.region_adcode)
    scope = resolve_scope(regions, region, (), counties)
    return View(settings, lang, fp, as_ofs, latest, previous_as_of(as_ofs, latest), scope, wh.snapshot(latest).is_demo)


def deck_slides(data_dir: Path, lang: str = "zh", theme: str = "light") -> list:
    from uniondash.data.decks import SLIDE_KINDS
    from uniondash.ui.present.content import build_slide

    view = offline_view(data_dir, lang)
    return [build_slide(view, kind, theme) for kind in SLIDE_KINDS]


def measure(
    data_dir: Path, out: Path | None = None, lang: str = "zh", net_log: Path | None = None, runs=("cold", "warm")
) -> dict:
    """Seconds to build the slides, then the PPTX and the PDF (twice: cold, then warm)."""
    from uniondash.render.briefing.build import pdf_bytes, pptx_bytes
    from uniondash.ui.present.briefing import briefing_labels

    labels = briefing_labels(lang)
    t0 = time.perf_counter()
    slides = deck_slides(data_dir, lang)
    result: dict = {"slides": len(slides), "slides_s": round(time.perf_counter() - t0, 2)}
    for run in runs:
        t0 = time.perf_counter()
        pptx = pptx_bytes(slides, labels)
        result[f"pptx_{run}_s"] = round(time.perf_counter() - t0, 2)
        t0 = time.perf_counter()
        pdf = pdf_bytes(slides, labels, lang, net_log=net_log if run == runs[-1] else None)
        result[f"pdf_{run}_s"] = round(time.perf_counter() - t0, 2)
    result["pptx_bytes"], result["pdf_bytes"] = len(pptx), len(pdf)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"briefing-{lang}.pptx").write_bytes(pptx)
        (out / f"briefing-{lang}.pdf").write_bytes(pdf)
    return result


def main() -> None:
    from uniondash.config import ROOT

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--lang", default="zh", choices=("zh", "en"))
    parser.add_argument("--net-log", type=Path, default=None)
    parser.add_argument("--once", action="store_true", help="one build of each file (the tests)")
    args = parser.parse_args()
    runs = ("cold",) if args.once else ("cold", "warm")
    print(json.dumps(measure(args.data, args.out, args.lang, args.net_log, runs)))


if __name__ == "__main__":
    main()
