"""Chart builders: pure functions, a DataFrame in, a Plotly figure out, one theme for all.

Nothing is dropped to fit: a trend of more units than lines can tell apart becomes small
multiples (one panel per unit, the others faint behind it), and colours come from the theme by
what a line is (a series, a city), never by its position in this chart."""

from __future__ import annotations

import math
import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from uniondash.render.theme import BAD, CONTEXT, GOOD, OKABE_ITO, LineStyle
from uniondash.text.i18n import t

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
MAX_LINES = 6  # more lines than this in one plot cannot be told apart: small multiples instead
PANEL_COLUMNS = 3
CONTEXT_LINE = {"color": CONTEXT, "width": 1}


def base_layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        height=height,
        margin={"l": 8, "r": 8, "t": 48, "b": 8},
        font={"family": FONT},
        showlegend=False,
    )
    return fig


def legend_above(fig: go.Figure, n_items: int) -> go.Figure:
    """The legend in a band between the title and the plot, so it can never cover an axis
    (below the plot it collided with the year labels at 1280×720): about four items a row."""
    rows = max(1, math.ceil(n_items / 4))
    fig.update_layout(
        showlegend=True,
        legend={"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom", "font": {"size": 11}},
        margin={"t": 48 + 22 * rows},
    )
    return fig


def ranking_bar(df: pd.DataFrame, title: str, axis_title: str, percent: bool) -> go.Figure:
    """Horizontal bars, best on top; df has name, value, adcode, group (best | worst)."""
    df = df.iloc[::-1]
    text = [f"{v * 100:.1f}%" if percent else f"{v:,.1f}".rstrip("0").rstrip(".") for v in df.value]
    fig = go.Figure(
        go.Bar(
            x=df.value,
            y=df.name,
            orientation="h",
            customdata=df.adcode,
            text=text,
            textposition="auto",
            marker_color=[GOOD if g == "best" else BAD for g in df.group],
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=axis_title, tickformat=".0%" if percent else ",")
    fig.update_yaxes(type="category", automargin=True)
    return base_layout(fig, title, height=max(260, 34 * len(df) + 80))


def _lines(df: pd.DataFrame, styles: dict[str, LineStyle] | None) -> list[tuple[str, str, pd.DataFrame, LineStyle]]:
    """(key, name, rows, style) per line in first-seen order; a line without a style of its own
    gets the palette's next colour (only for things that have no product-wide colour)."""
    if "key" not in df.columns:
        df = df.assign(key=df.name)
    out = []
    for i, (key, grp) in enumerate(df.groupby("key", sort=False)):
        style = (styles or {}).get(key) or LineStyle(OKABE_ITO[i % len(OKABE_ITO)])
        out.append((str(key), str(grp.name.iloc[0]), grp, style))
    return out


def _hover(name: str, percent: bool) -> str:
    return f"{name} %{{x}}: %{{y:{'.1%' if percent else ',.0f'}}}<extra></extra>"


def trend_lines(
    df: pd.DataFrame,
    title: str,
    axis_title: str,
    percent: bool,
    styles: dict[str, LineStyle] | None = None,
    lang: str = "zh",
) -> go.Figure:
    """One line per group over the snapshots; df has as_of, name, value and optionally key (what
    styles is keyed by: a series code, an adcode). Every group is drawn: beyond MAX_LINES as
    small multiples (trend_panels)."""
    lines = _lines(df, styles)
    if len(lines) > MAX_LINES:
        return trend_panels(lines, title, axis_title, percent, lang)
    fig = go.Figure()
    for _key, name, grp, style in lines:
        fig.add_trace(
            go.Scatter(
                x=[str(a)[:4] for a in grp.as_of],
                y=grp.value,
                name=name,
                mode="lines+markers",
                line={"color": style.colour, "dash": style.dash},
                hovertemplate=_hover(name, percent),
            )
        )
    fig.update_yaxes(title_text=axis_title, tickformat=".0%" if percent else ",")
    fig.update_xaxes(title_text="", type="category", tickangle=0)
    base_layout(fig, title, height=400)
    return legend_above(fig, len(lines))


def _panel_title(name: str, width: int = 9) -> str:
    """Long names (恩施土家族苗族自治州, English names) on two rows, so that panel titles do not overlap."""
    if any(ord(c) > 0x2E80 for c in name):
        return name if len(name) <= width else name[:width] + "<br>" + name[width:]
    return "<br>".join(textwrap.wrap(name, width * 2)[:2])


def trend_panels(
    lines: list[tuple[str, str, pd.DataFrame, LineStyle]], title: str, axis_title: str, percent: bool, lang: str
) -> go.Figure:
    """Small multiples: a panel per group in its own colour over the others in faint grey, one
    shared y axis; the subtitle says so. All groups are shown (the old chart stopped at 12)."""
    rows = math.ceil(len(lines) / PANEL_COLUMNS)
    fig = make_subplots(
        rows=rows,
        cols=PANEL_COLUMNS,
        shared_xaxes=True,
        shared_yaxes=True,
        subplot_titles=[_panel_title(name) for _k, name, _g, _s in lines],
        horizontal_spacing=0.04,
        vertical_spacing=0.5 / rows,
    )
    years = {key: [str(a)[:4] for a in grp.as_of] for key, _n, grp, _s in lines}
    for i, (key, name, grp, style) in enumerate(lines):
        row, col = i // PANEL_COLUMNS + 1, i % PANEL_COLUMNS + 1
        for other, _n, ogrp, _s in lines:
            if other != key:
                fig.add_trace(
                    go.Scatter(x=years[other], y=ogrp.value, mode="lines", line=CONTEXT_LINE, hoverinfo="skip"),
                    row=row,
                    col=col,
                )
        fig.add_trace(
            go.Scatter(
                x=years[key],
                y=grp.value,
                name=name,
                mode="lines+markers",
                line={"color": style.colour, "dash": style.dash, "width": 2.5},
                marker={"size": 4},
                hovertemplate=_hover(name, percent),
            ),
            row=row,
            col=col,
        )
    fig.update_annotations(font={"size": 11})
    fig.update_yaxes(tickformat=".0%" if percent else "~s", nticks=4)
    fig.update_yaxes(title_text=axis_title, title_font={"size": 11}, row=math.ceil(rows / 2), col=1)
    all_years = sorted({y for ys in years.values() for y in ys})
    fig.update_xaxes(type="category", tickangle=0, tickvals=[all_years[0], all_years[-1]] if all_years else None)
    note = t("charts.panels_note", lang, n=len(lines))
    base_layout(fig, f"{title}<br><span style='font-size:12px'>{note}</span>", height=110 * rows + 90)
    fig.update_layout(margin={"t": 80})
    return fig


def grouped_bars(
    df: pd.DataFrame, title: str, axis_title: str, series: dict[str, str], colours: dict[str, str] | None = None
) -> go.Figure:
    """Grouped bars: df has label plus one column per series key; series maps key → legend name,
    colours key → colour (a competition series keeps its product colour even when another is absent)."""
    fig = go.Figure(
        [
            go.Bar(x=df.label, y=df[key], name=name, marker_color=(colours or {}).get(key, OKABE_ITO[i]))
            for i, (key, name) in enumerate(series.items())
        ]
    )
    fig.update_yaxes(title_text=axis_title, tickformat=",")
    fig.update_xaxes(type="category")
    base_layout(fig, title, height=340)
    fig.update_layout(barmode="group")
    return legend_above(fig, len(series))
