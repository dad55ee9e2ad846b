"""Chart builders: pure functions, a DataFrame in, a Plotly figure out, one theme for all."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from uniondash.render.theme import BAD, GOOD

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"


def base_layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        height=height,
        margin={"l": 8, "r": 8, "t": 48, "b": 8},
        font={"family": FONT},
        showlegend=False,
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


def trend_lines(df: pd.DataFrame, title: str, axis_title: str, percent: bool, colours=None) -> go.Figure:
    """One line per group over the snapshots; df has as_of, name, value."""
    from uniondash.render.theme import OKABE_ITO

    fig = go.Figure()
    for i, (name, grp) in enumerate(df.groupby("name", sort=False)):
        fig.add_trace(
            go.Scatter(
                x=[str(a)[:4] for a in grp.as_of],
                y=grp.value,
                name=name,
                mode="lines+markers",
                line={"color": (colours or OKABE_ITO)[i % len(colours or OKABE_ITO)]},
                hovertemplate=f"{name} %{{x}}: %{{y:{'.1%' if percent else ',.0f'}}}<extra></extra>",
            )
        )
    fig.update_yaxes(title_text=axis_title, tickformat=".0%" if percent else ",")
    fig.update_xaxes(title_text="", type="category", tickangle=0)
    base_layout(fig, title, height=400)
    fig.update_layout(showlegend=True, legend={"orientation": "h", "y": -0.12, "font": {"size": 11}})
    return fig


def grouped_bars(df: pd.DataFrame, title: str, axis_title: str, series: dict[str, str]) -> go.Figure:
    """Grouped bars: df has label plus one column per series key; series maps key → legend name."""
    from uniondash.render.theme import OKABE_ITO

    fig = go.Figure(
        [
            go.Bar(x=df.label, y=df[key], name=name, marker_color=OKABE_ITO[i])
            for i, (key, name) in enumerate(series.items())
        ]
    )
    fig.update_yaxes(title_text=axis_title, tickformat=",")
    fig.update_xaxes(type="category")
    base_layout(fig, title, height=340)
    fig.update_layout(showlegend=True, barmode="group", legend={"orientation": "h", "y": -0.15})
    return fig
