"""One call per file type: slides in, PPTX or PDF bytes out, charts drawn once per briefing."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go

from uniondash.render.briefing.images import figure_png
from uniondash.render.briefing.model import Slide
from uniondash.render.palette import plotly_template

CHART_PX = (1500, 700)


def chart_images(slides: list[Slide], progress: Callable[[int, int], None] | None = None) -> list[bytes | None]:
    """Each slide's chart as a PNG on a white page (print and projector both read dark on light)."""
    out: list[bytes | None] = []
    for i, s in enumerate(slides):
        if progress:
            progress(i, len(slides))
        if s.figure is None:
            out.append(None)
            continue
        page = go.Figure(s.figure.to_dict())  # light with the big screen's type: read on paper and projectors
        page.update_layout(template=plotly_template("light", size=22), height=CHART_PX[1])
        out.append(figure_png(page, *CHART_PX))
    return out


def pptx_bytes(slides: list[Slide], labels: dict[str, str], progress=None, lang: str = "zh") -> bytes:
    from uniondash.render.briefing.pptx_file import briefing_pptx

    return briefing_pptx(slides, chart_images(slides, progress), labels, lang)


def pdf_bytes(slides: list[Slide], labels: dict[str, str], lang: str, progress=None, net_log=None) -> bytes:
    from uniondash.render.briefing.pdf_file import briefing_html, print_pdf

    return print_pdf(briefing_html(slides, chart_images(slides, progress), labels, lang), net_log=net_log)
