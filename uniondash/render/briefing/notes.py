"""Speaker notes: what a presenter reads under each slide in PowerPoint's and WPS's presenter view.
The figures behind the slide in sentences (its tiles, the values its chart draws, its sentences),
each KPI's definition (given by the caller from the catalogue: slide.meta["definitions"]), and the
snapshot and the scope. Only what the slide itself holds: no other unit's figure, no name."""

from __future__ import annotations

import plotly.graph_objects as go

from uniondash.render.briefing.model import Slide


def _sentence(text: str, lang: str) -> str:
    text = text.strip()
    end = "。" if lang == "zh" else "."
    return text if not text or text[-1] in "。.！？!?" else text + end


def chart_sentences(fig: go.Figure | None, lang: str) -> list[str]:
    """A bar chart's bars as "label: value" sentences, in the order they read (top first)."""
    if fig is None:
        return []
    out = []
    sep = "：" if lang == "zh" else ": "
    for trace in fig.data:
        if getattr(trace, "type", "") != "bar" or trace.text is None:
            continue
        labels = trace.y if trace.orientation == "h" else trace.x
        pairs = list(zip(labels, trace.text))
        if trace.orientation == "h":
            pairs.reverse()  # horizontal bars are drawn bottom-up: read them top first
        out += [_sentence(f"{label}{sep}{text}", lang) for label, text in pairs]
    return out


def speaker_notes(slide: Slide, labels: dict[str, str], lang: str) -> str:
    """The notes of one slide as paragraphs (PowerPoint shows each on its own line)."""
    sep = "：" if lang == "zh" else ": "
    figures = []
    for tile in slide.tiles:
        detail = f"（{tile.detail}）" if lang == "zh" and tile.detail else (f" ({tile.detail})" if tile.detail else "")
        figures.append(_sentence(f"{tile.label}{sep}{tile.value}{detail}", lang))
    figures += chart_sentences(slide.figure, lang)
    figures += [_sentence(b.lstrip("＋－ "), lang) for b in slide.bullets]
    if slide.caption:
        figures.append(_sentence(slide.caption, lang))
    meta = slide.meta
    where = [f"{labels['snapshot']} {meta.get('snapshot', '')}", meta.get("scope", "")]
    if meta.get("filters"):
        where.append(meta["filters"])
    paragraphs = [slide.title, labels["notes_figures"], *figures]
    definitions = list(meta.get("definitions", ()))
    if definitions:
        paragraphs += [labels["notes_definitions"], *[_sentence(d, lang) for d in definitions]]
    paragraphs.append(_sentence(" · ".join(w for w in where if w), lang))
    if meta.get("demo"):
        paragraphs.append(_sentence(labels["demo"], lang))
    paragraphs += [_sentence(n, lang) for n in slide.notes]
    return "\n".join(p for p in paragraphs if p)
