"""No tofu in chart images: a briefing's PNG (kaleido driving the system Chromium, fonts-noto-cjk
on the machine) draws Chinese with real glyphs. Tofu draws every missing character as the same
box, so two labels of three different characters each would come out pixel for pixel the same;
here they differ, and each draws ink."""

from __future__ import annotations

import io

import plotly.graph_objects as go
import pytest
from browser import require_chromium

pytestmark = pytest.mark.browser


def label_png(text: str) -> bytes:
    from uniondash.render.briefing.images import figure_png
    from uniondash.render.charts import FONT

    fig = go.Figure()
    fig.add_annotation(text=text, x=0.5, y=0.5, showarrow=False, font={"family": FONT, "size": 60, "color": "black"})
    fig.update_layout(
        width=400,
        height=160,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        plot_bgcolor="white",
        paper_bgcolor="white",
        xaxis={"visible": False},
        yaxis={"visible": False},
    )
    return figure_png(fig, 400, 160)


def test_chinese_labels_draw_real_glyphs():
    require_chromium()
    from PIL import Image, ImageChops

    a, b = (Image.open(io.BytesIO(label_png(t))).convert("L") for t in ("甲一区", "乙一县"))
    assert a.size == b.size == (400, 160)
    ink = [sum(1 for p in img.getdata() if p < 128) for img in (a, b)]
    assert all(n > 500 for n in ink), ink  # each label drew something
    diff = ImageChops.difference(a, b).getbbox()
    assert diff is not None  # 甲/乙 and 区/县 differ: not the same box three times
