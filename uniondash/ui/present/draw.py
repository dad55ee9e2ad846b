"""A Slide drawn with Streamlit: HTML for the words and numbers (sized for projectors, every data
text escaped), Plotly for the chart (never st.dataframe: its canvas ignores the page's CSS)."""

from __future__ import annotations

import html

import plotly.graph_objects as go
import streamlit as st

from uniondash.render.briefing.model import Slide, footer_text
from uniondash.render.palette import THEME_COLOURS
from uniondash.text.i18n import t
from uniondash.ui.share import chart_config

e = html.escape


def slide_css(theme: str) -> str:
    """No Streamlit chrome, no scrolling; nothing under 20 px at 1920×1080 (SMALL: 1.05vw is 20.2 px
    there), nothing under 16 px on smaller screens."""
    c = THEME_COLOURS[theme]
    SMALL = "clamp(16px, 1.05vw, 22px)"  # noqa: N806 - one size for every small text
    good, bad = ("#005A8C", "#A84000") if theme == "light" else ("#8FD0F5", "#FFB37A")
    return f"""<style>
[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stSidebar"],
[data-testid="stSidebarCollapsedControl"], [data-testid="stStatusWidget"], .st-key-ud_hidden_filters,
footer {{ display: none !important; }}
html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{ overflow: hidden !important; }}
[data-testid="stAppViewContainer"] {{ background: {c["bg"]} !important; color: {c["text"]}; }}
[data-testid="stMainBlockContainer"] {{ padding: 14px 32px 0 !important; max-width: 100% !important; }}
[data-testid="stMainBlockContainer"] > div {{ gap: 8px !important; }}
.ud-title {{ font-size: clamp(28px, 2.4vw, 48px); font-weight: 700; margin: 0; color: {c["text"]}; line-height: 1.2; }}
.ud-tiles {{ display: grid; grid-template-columns: repeat(var(--n), minmax(0, 1fr)); gap: 12px; }}
.ud-tile {{ border: 1px solid {c["grid"]}; border-radius: 10px; padding: 10px 16px; }}
.ud-tile .l {{ font-size: clamp(16px, 1.05vw, 22px); color: {c["muted"]}; }}
.ud-tile .v {{ font-size: clamp(26px, 2.3vw, 48px); font-weight: 700; color: {c["text"]}; line-height: 1.25; }}
.ud-tile.good .v {{ color: {good}; }} .ud-tile.bad .v {{ color: {bad}; }}
.ud-tile .d {{ font-size: {SMALL}; color: {c["muted"]}; }}
.ud-bullets {{ font-size: clamp(18px, 1.35vw, 28px); line-height: 1.55;
  color: {c["text"]}; margin: 0; padding-left: 1.2em; }}
.stApp .ud-cap, .stApp .ud-foot {{ font-size: {SMALL} !important; color: {c["muted"]}; margin: 0; }}
.ud-foot {{ position: fixed; left: 32px; right: 32px; bottom: 8px; background: {c["bg"]}; }}
.ud-counter {{ font-size: {SMALL}; color: {c["text"]}; white-space: nowrap; }}
.st-key-present_keys {{ position: absolute !important; left: -10000px; width: 1px; height: 1px; overflow: hidden; }}
.stApp button, .stApp button * {{ font-size: {SMALL} !important; }}
[data-testid="stSkipToContent"] {{ font-size: {SMALL} !important; }}
.stApp .ud-bullets li, .stApp .ud-col li {{ font-size: inherit !important; }}
.stApp [data-testid="stMarkdownContainer"] p, .stApp [data-testid="stAlert"] p {{ font-size: {SMALL}; }}
.ud-columns {{ display: grid; grid-template-columns: 1fr 1fr; gap: 24px; height: var(--col-h); }}
.ud-col {{ border: 1px solid {c["grid"]}; border-radius: 10px; padding: 14px 24px; overflow: hidden; }}
.ud-col h2 {{ font-size: clamp(22px, 2vw, 44px); margin: 0 0 8px; color: {c["text"]}; }}
.ud-col.rise h2 {{ color: {good}; }} .ud-col.fall h2 {{ color: {bad}; }}
.ud-col ul {{ font-size: clamp(18px, 1.8vw, 38px); line-height: 1.6; margin: 0; padding-left: 1.2em;
  color: {c["text"]}; }}
.st-key-slide_figure [data-testid="stPlotlyChart"] {{ height: var(--fig-h) !important; }}
</style>"""


def tiles_html(slide: Slide, per_row: int) -> str:
    cells = "".join(
        f'<div class="ud-tile {e(x.tone)}"><div class="l">{e(x.label)}</div><div class="v">{e(x.value)}</div>'
        + (f'<div class="d">{e(x.detail)}</div>' if x.detail else "")
        + "</div>"
        for x in slide.tiles
    )
    return f'<div class="ud-tiles" style="--n:{per_row}">{cells}</div>'


def columns_html(slide: Slide, height: str) -> str:
    """Side-by-side lists filling the slide below its tiles: rises | declines, strengths | gaps."""
    tones = ("rise", "fall")
    cols = "".join(
        f'<div class="ud-col {tones[i % 2]}"><h2>{e(head)}</h2><ul>'
        + "".join(f"<li>{e(line)}</li>" for line in lines)
        + "</ul></div>"
        for i, (head, lines) in enumerate(slide.columns)
    )
    return f'<div class="ud-columns" style="--col-h:{height}">{cols}</div>'


def draw_slide(slide: Slide, theme: str, lang: str, key: str) -> None:
    """Title is drawn by the caller (beside the controls); this draws the body and the footer."""
    has_fig = slide.figure is not None
    per_row = len(slide.tiles) if len(slide.tiles) <= 5 else 3
    rows = -(-len(slide.tiles) // per_row) if slide.tiles else 0
    if slide.tiles:
        st.html(tiles_html(slide, per_row))
    bullets = "".join(f"<li>{e(b)}</li>" for b in slide.bullets)
    fig_h = f"calc(100vh - {190 + 150 * rows}px)"
    if has_fig:
        left, right = st.columns([3, 2], gap="large") if bullets else (st.container(), None)
        with left, st.container(key="slide_figure"):
            st.html(f"<style>.st-key-slide_figure {{ --fig-h: {fig_h}; }}</style>")
            fig = go.Figure(slide.figure).update_layout(height=None, autosize=True)  # the box's height (CSS)
            st.plotly_chart(fig, height="stretch", theme=None, key=f"{key}_fig", config=chart_config(slide.kind))
            if slide.caption:
                st.html(f'<p class="ud-cap">{e(slide.caption)}</p>')
        if right is not None:
            right.html(f'<ul class="ud-bullets">{bullets}</ul>')
    elif slide.columns:
        if slide.caption:
            st.html(f'<p class="ud-cap">{e(slide.caption)}</p>')
        st.html(columns_html(slide, f"calc(100vh - {210 + 150 * rows}px)"))
    else:
        if slide.caption:
            st.html(f'<p class="ud-cap">{e(slide.caption)}</p>')
        if bullets:
            st.html(f'<ul class="ud-bullets">{bullets}</ul>')
    labels = {"snapshot": t("present.snapshot_label", lang), "demo": t("app.demo_badge", lang)}
    foot = " · ".join([footer_text(slide.meta, labels), *slide.notes])
    st.html(f'<p class="ud-foot">{e(foot)}</p>')
