"""One KPI, one reading everywhere: each headline KPI's value, progress to target and verdict, as
the overview's card (/), the presentation's headline slide (/present), the PPTX briefing built
from that slide, and the county profile's row (/county) draw them, against numbers worked out by
hand from the fixture's raw counts.

The catalogue has no "down" KPI (lower is better), so this module adds one for its own run:
labour_disputes (劳动争议案件, direction down, numerator ind_labour_disputes) as a headline KPI,
read from a copy of kpis.toml with one [[kpi]] more, and the hand-made fixture region
(tests/fixtures.py) written again with its indicator counts and targets, plus a target for
membership_rate so that the whole region has a target already reached. No row of the shared
fixture changes: build_fixture runs with _indicators and _targets returning their rows and ours.

Years: the snapshots are 2022-12-31 and 2023-12-31; the view shows 2023 against 2022. Every
target is for 2025, so a projection is the straight line through the two snapshots, evaluated
at the end of 2025. A date's x is year + (month - 1) / 12 + day / 365, so 2022-12-31 is
2023.0016, 2023-12-31 is 2024.0016 (one year apart) and the end of 2025 is 2026.0: the line
runs 2026.0 - 2024.0016 = 1.9984 years past the latest snapshot.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

import fixtures
import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Markdown, Metric, Progress

from uniondash.data.schema import TABLES
from uniondash.metrics import kpis as kpis_module

ROOT = Path(__file__).resolve().parent.parent
REGION = fixtures.REGION
COUNTY = "990101"  # 甲一区

DOWN_KPI = """
[[kpi]]
code = "labour_disputes"
headline = true
section = "rights"
name_zh = "劳动争议案件"
name_en = "Labour dispute cases"
unit_zh = "件"
unit_en = "cases"
direction = "down"
numerator = "ind_labour_disputes"
definition_zh = "当年受理的劳动争议案件数（县级汇总），越少越好。"
definition_en = "Labour dispute cases filed in the year, summed over counties; fewer is better."
"""

# Labour dispute cases by county and year (indicators table, kpi_code labour_disputes).
DISPUTES = {
    2022: {"990101": 18.0, "990102": 30.0, "990201": 12.0},  # region 18 + 30 + 12 = 60
    2023: {"990101": 24.0, "990102": 16.0, "990201": 8.0},  # region 24 + 16 + 8 = 48
}
EXTRA_TARGETS = [
    ("labour_disputes", REGION, 2025, 40.0),
    ("labour_disputes", COUNTY, 2025, 25.0),
    ("membership_rate", REGION, 2025, 0.75),  # a rate target: 甲一区 has no row, so it takes this one
]


def _indicators_with_disputes(year: int) -> pd.DataFrame:
    extra = [
        ("labour_disputes", a, y, v) for y, by_county in DISPUTES.items() if y <= year for a, v in by_county.items()
    ]
    return pd.concat([ORIGINAL_INDICATORS(year), pd.DataFrame(extra, columns=TABLES["indicators"].names)])


def _targets_with_extra() -> pd.DataFrame:
    return pd.concat([ORIGINAL_TARGETS(), pd.DataFrame(EXTRA_TARGETS, columns=TABLES["targets"].names)])


ORIGINAL_INDICATORS, ORIGINAL_TARGETS = fixtures._indicators, fixtures._targets


@pytest.fixture(scope="module")
def variant_dir(tmp_path_factory) -> Path:
    """The fixture region with the disputes counts and the extra targets (new rows only)."""
    data = tmp_path_factory.mktemp("kpi-surfaces-data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fixtures, "_indicators", _indicators_with_disputes)
        mp.setattr(fixtures, "_targets", _targets_with_extra)
        fixtures.build_fixture(data)
    return data


@pytest.fixture(scope="module")
def down_catalogue(tmp_path_factory):
    """load_catalogue() reads kpis.toml plus DOWN_KPI for this module's tests. Every module that
    calls it holds the same lru_cache wrapper, so its default path is the one thing to change;
    Streamlit's caches are emptied on both sides (a cached result knows nothing of the catalogue)."""
    path = tmp_path_factory.mktemp("kpi-surfaces-catalogue") / "kpis.toml"
    path.write_text(kpis_module.CATALOGUE_FILE.read_text(encoding="utf-8") + DOWN_KPI, encoding="utf-8")
    loader = kpis_module.load_catalogue
    original = loader.__wrapped__.__defaults__
    loader.__wrapped__.__defaults__ = (path,)
    loader.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        catalogue = loader()
        assert catalogue.by_code("labour_disputes").direction == "down"
        yield catalogue
    finally:
        loader.__wrapped__.__defaults__ = original
        loader.cache_clear()
        st.cache_data.clear()
        st.cache_resource.clear()


# ── what each surface should read, worked out by hand ────────────────────────────────────────
# (card value, slide value, progress, verdict) per headline KPI. The slide and the briefing show
# a count under 5 as "<5" (privacy guard, render/briefing/model.py SMALL); the card and /county
# show it. progress is the "完成 NN%" share; a reached target is 100 %. verdict: reached,
# on_track, behind, or None (no target, or direction "none").
EXPECTED = {
    "region": {
        # fixtures._nef(2023): workers 100 + 200 + 50 + 30 = 380
        "nef_workers": ("380", "380", None, None),
        # members 40 + 50 + 10 + 15 = 115; 115 / 380 = 30.26 %
        "nef_membership_rate": ("30.3%", "30.3%", None, None),
        # not closed in 2023: S1 S2 S4 S5 S6 = 5; target 8 → 5 / 8 = 62.5 %, shown "62%" (a half
        # rounds to even); 2022: S1–S4 = 4, +1 a year → 5 + 1.9984 = 7.0 < 8: behind
        "stations_registered": ("5", "5", "62%", "behind"),
        # indicators 2023: 甲一区 2 + 乙一县 1 = 3 (no target)
        "co_creation_pilots": ("3", "<5", None, None),
        # unionised 90 + 25 + 8 = 123 of 100 + 50 + 10 = 160 legal units: 76.875 %; target 90 % →
        # 76.875 / 90 = 85.4 %; 2022: (80 + 30 + 5) / 160 = 71.875 %, +5 pp a year →
        # 76.875 + 5 × 1.9984 = 86.9 % < 90 %: behind
        "union_founding_rate": ("76.9%", "76.9%", "85%", "behind"),
        # members 900 + 200 + 90 = 1190 of employees 1000 + 400 + 100 = 1500: 79.33 % ≥ 75 %: reached
        "membership_rate": ("79.3%", "79.3%", "100%", "reached"),
        # down: 24 + 16 + 8 = 48 cases, target 40 → progress 40 / 48 = 83.3 % (value / target would
        # be 120 %); 2022: 60, −12 a year → 48 − 12 × 1.9984 = 24.0 ≤ 40: on track
        "labour_disputes": ("48", "48", "83%", "on_track"),
    },
    "county": {  # 甲一区 (990101) alone
        "nef_workers": ("300", "300", None, None),  # 100 + 200
        "nef_membership_rate": ("30.0%", "30.0%", None, None),  # (40 + 50) / 300
        # S1 S2 (S3 closed) = 2; 甲一区's own target 4 → 2 / 4 = 50 %; 2022: S1–S3 = 3, −1 a year →
        # 2 − 1.9984 = 0.0 < 4: behind
        "stations_registered": ("2", "<5", "50%", "behind"),
        "co_creation_pilots": ("2", "<5", None, None),
        # 90 / 100 = 90 %: exactly the region's rate target (no row for 甲一区): reached
        "union_founding_rate": ("90.0%", "90.0%", "100%", "reached"),
        # 900 / 1000 = 90 % ≥ 75 %: reached
        "membership_rate": ("90.0%", "90.0%", "100%", "reached"),
        # down: 24 ≤ 甲一区's target 25: reached, progress min(1, 25 / 24) = 100 %. The trend alone
        # would miss (18 → 24, +6 a year → 24 + 6 × 1.9984 = 36.0 > 25): a reached target wins.
        "labour_disputes": ("24", "24", "100%", "reached"),
    },
}
SCOPES = {"region": {}, "county": {"county": COUNTY}}
HEADLINE_TITLE = "核心指标与目标"


@dataclass(frozen=True)
class Reading:
    value: str
    progress: str | None  # "NN%"
    verdict: str | None  # reached | on_track | behind | None


def _words_verdict(text: str, on: str, behind: str) -> str | None:
    if on in text:
        return "on_track"
    if behind in text:
        return "behind"
    return None


def card_readings(at: AppTest, labels: dict[str, str]) -> tuple[dict[str, Reading], dict[str, str]]:
    """The overview's headline cards: st.metric's value, the progress bar's text ("完成 NN%", or
    "已达目标" on a full bar) and the projection line ("可按期完成" / "落后于目标"); and that
    line's text, by label."""
    out, projections = {}, {}
    for node in at.main:
        if not isinstance(node, Block):
            continue
        children = list(node.children.values())
        metric = next((c for c in children if isinstance(c, Metric)), None)
        if metric is None or metric.label not in labels.values() or metric.label in out:
            continue  # the headline row comes first; a section tab may draw the same KPI again
        bars = [c for c in children if isinstance(c, Progress)]
        lines = " ".join(c.value for c in children if isinstance(c, Markdown))
        progress = verdict = None
        if bars:
            text = bars[0].text
            if "已达目标" in text:
                assert bars[0].value == 100, text
                progress, verdict = "100%", "reached"
            else:
                progress = re.search(r"完成 (\d+%)", text).group(1)
                verdict = _words_verdict(lines, "可按期完成", "落后于目标")
        out[metric.label] = Reading(metric.value, progress, verdict)
        projections[metric.label] = lines
    return out, projections


TILE = re.compile(
    r'<div class="ud-tile (\w+)"><div class="l">(.*?)</div><div class="v">(.*?)</div>'
    r'(?:<div class="d">(.*?)</div>)?</div>'
)


def present_tiles(at: AppTest) -> dict[str, tuple[str, str, str]]:
    """/present's tiles as drawn: label → (value, detail, tone)."""
    bodies = " ".join(e.proto.body for e in at.get("html"))
    assert f'<h1 class="ud-title">{HEADLINE_TITLE}</h1>' in bodies
    return {
        html.unescape(label): (html.unescape(value), html.unescape(detail or ""), tone)
        for tone, label, value, detail in TILE.findall(bodies)
    }


def pptx_tiles(path: Path, labels: dict[str, str]) -> dict[str, tuple[str, str]]:
    """The briefing's headline slide read back with python-pptx: label → (value, detail). A tile is
    a label box with the value box and, when there is one, the detail box below it (same left)."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation(str(path))
    slide = next(s for s in prs.slides if s.shapes.title.text == HEADLINE_TITLE)
    boxes = [sh for sh in slide.shapes if sh.has_text_frame and sh.shape_id != slide.shapes.title.shape_id]
    out = {}
    for box in boxes:
        if box.text_frame.text not in labels.values():
            continue
        below = [
            b.text_frame.text
            for b in boxes
            if b.left == box.left and box.top < b.top < box.top + Inches(1.15)  # one tile's height
        ]
        out[box.text_frame.text] = (below[0], below[1] if len(below) > 1 else "")
    return out


def slide_reading(value: str, detail: str) -> Reading:
    """A tile's figures: "目标 … · 完成 NN% · 按趋势可达标/按趋势难达标", or "目标 … · 已达目标" for a
    reached target (a full bar, as the card draws it: 100 %)."""
    if "已达目标" in detail:
        return Reading(value, "100%", "reached")
    found = re.search(r"完成 (\d+%)", detail)
    return Reading(value, found.group(1) if found else None, _words_verdict(detail, "按趋势可达标", "按趋势难达标"))


def county_readings(at: AppTest, names: dict[str, str]) -> dict[str, Reading]:
    """/county's profile table: value, 目标完成 and 按趋势 columns, by KPI name."""
    from uniondash.text.i18n import t

    table = at.dataframe[0].value.set_index(t("col.kpi", "zh"))
    words = {t("profile.reached", "zh"): "reached", t("present.on_track", "zh"): "on_track"}
    words |= {t("present.behind", "zh"): "behind", "—": None}
    out = {}
    for name in names.values():
        row = table.loc[name]
        progress = row[t("col.progress", "zh")]
        out[name] = Reading(
            row[t("col.value", "zh")], None if progress == "—" else progress, words[row[t("col.verdict", "zh")]]
        )
    return out


def _tiny_png(*_args) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 2), "white").save(out, format="PNG")
    return out.getvalue()


@dataclass(frozen=True)
class Surfaces:
    scope: str
    kpis: dict  # code → Kpi (the headline ones)
    cards: dict[str, Reading]  # by label
    projections: dict[str, str]  # the card's projection line, by label
    tiles: dict[str, tuple[str, str, str]]  # /present, by label: value, detail, tone
    pptx: dict[str, tuple[str, str]]  # by label: value, detail
    county: dict[str, Reading] | None  # by name


@pytest.fixture(scope="module", params=list(SCOPES))
def surfaces(request, variant_dir, down_catalogue, tmp_path_factory) -> Surfaces:
    """One session per scope: / then /present then (one county) /county, and the PPTX briefing
    of the headline slide built from a View made the way tools.bench.briefing makes it. The chart
    image is a blank PNG (no Chromium needed: the tiles are text, drawn apart from the chart)."""
    from tools.bench.briefing import offline_view
    from uniondash.render.briefing import build
    from uniondash.ui.parts import kpi_label
    from uniondash.ui.present.briefing import briefing_labels, briefing_slides

    scope = request.param
    headline = {k.code: k for k in down_catalogue.kpis if k.headline}
    assert set(headline) == set(EXPECTED[scope])  # the test covers every headline KPI
    labels = {c: kpi_label(k, "zh") for c, k in headline.items()}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UNIONDASH_DATA", str(variant_dir))
        mp.setattr(build, "figure_png", _tiny_png)
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        for key, value in SCOPES[scope].items():
            at.query_params[key] = value
        at.run()
        assert not at.exception
        cards, projections = card_readings(at, labels)
        at.switch_page("app_pages/present.py").run()
        assert not at.exception
        tiles = present_tiles(at)
        county = None
        if scope == "county":
            at.switch_page("app_pages/county.py").run()
            assert not at.exception
            county = county_readings(at, {c: k.name("zh") for c, k in headline.items()})
        view = offline_view(variant_dir, "zh", counties=(COUNTY,) if scope == "county" else ())
        path = tmp_path_factory.mktemp(f"briefing-{scope}") / "briefing.pptx"
        # what the briefing button writes (ui/present/briefing.py _pptx), for the headline slide
        path.write_bytes(build.pptx_bytes(briefing_slides([view], ["headline"]), briefing_labels("zh")))
    return Surfaces(scope, headline, cards, projections, tiles, pptx_tiles(path, labels), county)


def test_headline_kpis_read_the_same_on_every_surface(surfaces):
    """Value, progress and verdict of every headline KPI: as worked out by hand, on the overview's
    card, on /present's headline slide, in the PPTX briefing and (one county) on /county."""
    from uniondash.ui.parts import kpi_label

    for code, (value, slide_value, progress, verdict) in EXPECTED[surfaces.scope].items():
        kpi = surfaces.kpis[code]
        label = kpi_label(kpi, "zh")
        where = f"{surfaces.scope} {code}"
        assert surfaces.cards[label] == Reading(value, progress, verdict), f"/ {where}"
        tile_value, detail, tone = surfaces.tiles[label]
        # the briefing is the slide, word for word
        assert surfaces.pptx[label] == (tile_value, detail), f"PPTX {where}"
        slide = slide_reading(tile_value, detail)
        assert (slide.value, slide.progress) == (slide_value, progress), f"/present {where}: {detail!r}"
        assert slide.verdict == verdict, f"/present {where}: {detail!r}"
        assert tone == {"reached": "good", "on_track": "good", "behind": "bad", None: "neutral"}[verdict], where
        if surfaces.county is not None:
            assert surfaces.county[kpi.name("zh")] == Reading(value, progress, verdict), f"/county {where}"


def test_the_down_kpis_projection_on_the_card(surfaces):
    """Lower is better: the region's 48 cases fall 12 a year to 48 − 12 × 1.9984 = 24.0 by the end
    of 2025, within the target of 40: on track; 甲一区's target is reached, so its card draws no
    projection line at all (and its bar is full)."""
    line = surfaces.projections["劳动争议案件（件）"]
    if surfaces.scope == "region":
        assert line == ":blue[按趋势预计 2025 年 24.0，可按期完成]"
        assert surfaces.tiles["劳动争议案件（件）"][1] == "目标 40（2025 年）· 完成 83% · 按趋势可达标"
    else:
        assert line == ""
        # reached, although the trend alone (36.0 > 25) would miss it: the slide says so, not 按趋势可达标
        assert surfaces.tiles["劳动争议案件（件）"][1] == "目标 25（2025 年）· 已达目标"
