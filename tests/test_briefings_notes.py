"""Speaker notes on every PPTX slide (read back with python-pptx) and the briefing's east-Asian
typeface: the figures behind each slide in sentences, each KPI's definition, the snapshot and
scope; 微软雅黑 by default, another face by UNIONDASH_BRIEFING_FONT. On the hand-made scope
fixture (tests/fixtures.py, 2023): 甲二县 founding 25/50 = 50.0%, members 200/400 = 50.0%; the
region's target 90.0%: 甲二县 is 40.0 points and 0.9 × 50 − 25 = 20 units short, 乙一县 (8/10)
10.0 points and 1 unit (shown "<5"); 甲一区 (90/100) has reached it. The charts are left out
(images None): the notes come from the slides, not the pictures."""

from __future__ import annotations

import io

import pytest
from scope_fixture import build_scope_fixture

from uniondash.access.data_scope import DataScope
from uniondash.data.decks import SLIDE_KINDS

PLANNER = DataScope(("990102",), ("990102",), ("990102",))


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    from dataclasses import replace

    from uniondash.config import load_settings

    data = tmp_path_factory.mktemp("notes-data")
    build_scope_fixture(data)
    mp = pytest.MonkeyPatch()
    mp.setenv("UNIONDASH_REGION", "990000")
    yield replace(load_settings(), data_dir=data)
    mp.undo()


def deck(settings, data_scope, lang="zh"):
    from uniondash.briefings.render import account_view
    from uniondash.render.briefing.pptx_file import briefing_pptx
    from uniondash.ui.present.briefing import briefing_labels
    from uniondash.ui.present.content import build_slide

    view = account_view(settings, data_scope, False, lang)
    slides = [build_slide(view, k, "light") for k in SLIDE_KINDS]
    from pptx import Presentation

    data = briefing_pptx(slides, [None] * len(slides), briefing_labels(lang), lang)
    return Presentation(io.BytesIO(data))


def notes_of(prs) -> dict[str, str]:
    return {s.name: s.notes_slide.notes_text_frame.text for s in prs.slides}


def test_every_slide_carries_notes_with_figures_definitions_snapshot_and_scope(settings):
    notes = notes_of(deck(settings, PLANNER))
    assert list(notes) == list(SLIDE_KINDS)
    for kind, text in notes.items():
        assert "快照 2023-12-31 · 范围：甲二县 · 对比 2022-12-31。" in text, kind
        assert "甲一区" not in text
        assert "乙一县" not in text
    county = notes["county"].splitlines()
    assert county[:6] == [
        "县域聚焦：甲二县",
        "本页数据：",
        "工会组建率：50.0%。",
        "职工入会率：50.0%。",
        "服务站点（未关闭）：<5。",
        "竞赛获奖（历年）：<5。",
    ]
    assert "工会组建率：已建工会的法人单位数 ÷ 法人单位总数，按范围内合计计算。" in county
    assert "职工入会率：工会会员数 ÷ 职工总数，按范围内合计计算。" in county


def test_the_leaders_behind_slide_reads_its_bars_top_first(settings):
    notes = notes_of(deck(settings, None))["behind"].splitlines()
    assert notes[:5] == [
        "未达目标",
        "本页数据：",
        "未达目标的县级单位：<5（共 3 个 · 目标 90.0%）。",
        "还需建会单位（前 8 位）：21（按工会组建率目标测算）。",  # 20 + 1
        "甲二县（甲市）：差 40.0 个百分点 · 还需 20 家。",
    ]
    assert notes[5] == "乙一县（乙市）：差 10.0 个百分点 · 还需 <5 家。"
    assert "快照 2023-12-31 · 范围：全省 · 对比 2022-12-31。" in notes


def test_english_notes(settings):
    notes = notes_of(deck(settings, PLANNER, "en"))["county"].splitlines()
    assert notes[1:4] == ["Figures on this slide:", "Union founding rate: 50.0%.", "Membership rate: 50.0%."]
    assert "Definitions:" in notes


def test_the_east_asian_face_is_yahei_by_default_and_configurable(settings, monkeypatch):
    from pptx.oxml.ns import qn

    from uniondash.errors import UserFacingError
    from uniondash.render.briefing.fonts import css_font_list

    def faces(prs) -> set[tuple[str, str]]:
        runs = [
            r
            for s in prs.slides
            for sh in s.shapes
            if sh.has_text_frame
            for p in sh.text_frame.paragraphs
            for r in p.runs
        ]
        return {(r._r.rPr.find(qn("a:ea")).get("typeface"), r.font.name) for r in runs}

    monkeypatch.delenv("UNIONDASH_BRIEFING_FONT", raising=False)
    assert faces(deck(settings, PLANNER)) == {("微软雅黑", "微软雅黑")}
    assert css_font_list() == '"微软雅黑", "Noto Sans CJK SC", sans-serif'  # the server draws with Noto
    monkeypatch.setenv("UNIONDASH_BRIEFING_FONT", "SimHei")
    assert faces(deck(settings, PLANNER)) == {("SimHei", "SimHei")}
    monkeypatch.setenv("UNIONDASH_BRIEFING_FONT", 'x"; } body { color: red')
    with pytest.raises(UserFacingError, match="UNIONDASH_BRIEFING_FONT"):
        css_font_list()
