"""A briefing as PPTX (python-pptx): one 16:9 slide per Slide, title, big numbers, the chart as an
image, sentences, and on every slide the footer (organisation, snapshot, scope, filters, 演示数据).

Chinese text needs the east-Asian font set on every run (<a:ea>): PowerPoint otherwise draws
CJK with the Latin font's fallback, often a different face per machine. The face is configurable
(render/briefing/fonts.py), 微软雅黑 by default: what Windows and WPS have. Every slide carries
speaker notes (render/briefing/notes.py) for the presenter view."""

from __future__ import annotations

import io

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from uniondash.render.briefing.fonts import east_asian_font
from uniondash.render.briefing.model import Slide, footer_text
from uniondash.render.briefing.notes import speaker_notes

TONE = {"good": RGBColor(0x00, 0x5A, 0x8C), "bad": RGBColor(0xA8, 0x40, 0x00), "neutral": RGBColor(0x1F, 0x23, 0x29)}
MUTED = RGBColor(0x50, 0x5A, 0x64)


def _set_fonts(run, size: float, bold: bool = False, colour: RGBColor | None = None) -> None:
    font = run.font
    face = east_asian_font()
    font.name, font.size, font.bold = face, Pt(size), bold
    if colour is not None:
        font.color.rgb = colour
    rpr = run._r.get_or_add_rPr()
    if rpr.find(qn("a:ea")) is None:
        ea = etree.SubElement(rpr, qn("a:ea"))
        ea.set("typeface", face)
        rpr.find(qn("a:latin")).addnext(ea)  # schema order: latin, ea, cs


def _text(slide, left, top, width, height, lines, size, bold=False, colour=None) -> None:
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        _set_fonts(para.add_run(), size, bold, colour)
        para.runs[0].text = line


def _tiles(slide, tiles, top, width, per_row: int) -> Emu:
    w = int(width / per_row)
    h = Inches(1.15)
    for i, tile in enumerate(tiles):
        left = Inches(0.5) + w * (i % per_row)
        y = top + h * (i // per_row)
        _text(slide, left, y, w - Inches(0.15), Inches(0.35), [tile.label], 12, colour=MUTED)
        _text(slide, left, y + Inches(0.3), w - Inches(0.15), Inches(0.5), [tile.value], 26, True, TONE[tile.tone])
        if tile.detail:
            _text(slide, left, y + Inches(0.78), w - Inches(0.15), Inches(0.3), [tile.detail], 10, colour=MUTED)
    return top + h * ((len(tiles) + per_row - 1) // per_row)


def briefing_pptx(slides: list[Slide], images: list[bytes | None], labels: dict[str, str], lang: str = "zh") -> bytes:
    """labels: snapshot, demo, notes_figures, notes_definitions (words for the footer and the
    notes, in the briefing's language)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    title_only = prs.slide_layouts[5]
    width = prs.slide_width - Inches(1.0)
    for s, png in zip(slides, images):
        page = prs.slides.add_slide(title_only)
        title = page.shapes.title  # a real title placeholder: outlines and screen readers find it
        title.left, title.top, title.width, title.height = Inches(0.5), Inches(0.25), width, Inches(0.8)
        para = title.text_frame.paragraphs[0]
        _set_fonts(para.add_run(), 30, True)
        para.runs[0].text = s.title
        y = _tiles(page, s.tiles, Inches(1.15), width, min(max(len(s.tiles), 1), 6 if not png else 5))
        chart_w = width if not s.bullets else int(width * 0.62)
        if png:
            height = Inches(6.6) - y - Inches(0.35)
            pic = page.shapes.add_picture(io.BytesIO(png), Inches(0.5), y + Inches(0.1), height=height)
            if pic.width > chart_w:
                ratio = chart_w / pic.width
                pic.width, pic.height = chart_w, int(pic.height * ratio)
            if s.caption:
                _text(page, Inches(0.5), Inches(6.35), chart_w, Inches(0.3), [s.caption], 10, colour=MUTED)
        if s.columns and not png:  # side by side: rises | declines, strengths | gaps
            col_w = int((width - Inches(0.3)) / len(s.columns))
            for i, (head, lines) in enumerate(s.columns):
                left = Inches(0.5) + (col_w + Inches(0.3)) * i
                _text(page, left, y + Inches(0.1), col_w, Inches(0.5), [head], 20, True)
                _text(page, left, y + Inches(0.6), col_w, Inches(4.4), list(lines), 16)
        elif s.bullets:
            left = Inches(0.5) + (chart_w + Inches(0.3) if png else 0)
            _text(page, left, y + Inches(0.1), width - (left - Inches(0.5)), Inches(4.5), list(s.bullets), 16)
        foot = [footer_text(s.meta, labels), *s.notes]
        _text(page, Inches(0.5), Inches(6.7), width, Inches(0.7), [" · ".join(foot)], 10, colour=MUTED)
        page.name = s.kind
        page.notes_slide.notes_text_frame.text = speaker_notes(s, labels, lang)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
