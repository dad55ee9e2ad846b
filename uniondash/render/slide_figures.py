"""Figures for slides and briefings: pure Plotly builders (DataFrames in, a figure out) that draw the
same on screen and in an image made by kaleido. Maps are polygons on plain axes rather than
pydeck or Plotly geo: nothing to fetch (no tiles, no topojson) and nothing needing WebGL."""

from __future__ import annotations

import json
import math

import pandas as pd
import plotly.graph_objects as go

from uniondash.render.charts import FONT
from uniondash.render.maps import SEQ_HIGH, SEQ_LOW
from uniondash.render.palette import BAD, GOOD, STATION_KIND_COLOURS, THEME_COLOURS, plotly_template


def _rings(geojson: str) -> list[list[list[float]]]:
    geom = json.loads(geojson)
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    return [ring for poly in polys for ring in poly[:1]]  # outer rings: holes are filled by neighbours


def _xy(geojson: str) -> tuple[list, list]:
    xs: list = []
    ys: list = []
    for ring in _rings(geojson):
        xs += [p[0] for p in ring] + [None]
        ys += [p[1] for p in ring] + [None]
    return xs, ys


def _seq(t: float) -> str:
    r, g, b = (round(a + (b - a) * t) for a, b in zip(SEQ_LOW, SEQ_HIGH))
    return f"rgb({r},{g},{b})"


def _map_layout(fig: go.Figure, shapes: pd.DataFrame, theme: str, height: int) -> go.Figure:
    lat0 = 31.0
    if len(shapes):
        ys = [p[1] for g in shapes.geojson for ring in _rings(g) for p in ring]
        lat0 = (min(ys) + max(ys)) / 2
    fig.update_layout(
        template=plotly_template(theme),
        height=height,
        margin={"l": 0, "r": 0, "t": 8, "b": 0},
        font={"family": FONT},
        showlegend=False,
        dragmode=False,
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / math.cos(math.radians(lat0)))
    return fig


def choropleth(
    shapes: pd.DataFrame, values: dict[str, float], labels: dict[str, str], theme: str, height: int = 560
) -> go.Figure:
    """Counties filled on the product's sequential scale (low → high); others outlined only."""
    known = [v for v in values.values() if v is not None and not math.isnan(v)]
    lo, hi = (min(known), max(known)) if known else (0.0, 1.0)
    edge = THEME_COLOURS.get(theme, THEME_COLOURS["light"])["grid"]
    fig = go.Figure()
    for adcode, geojson in zip(shapes.adcode, shapes.geojson):
        xs, ys = _xy(geojson)
        v = values.get(adcode)
        filled = v is not None and not math.isnan(v)
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                fill="toself" if filled else None,
                fillcolor=_seq(0.5 if hi == lo else (v - lo) / (hi - lo)) if filled else None,
                line={"color": edge, "width": 0.8},
                hoverinfo="text",
                text=labels.get(adcode, adcode),
            )
        )
    return _map_layout(fig, shapes, theme, height)


def stations_map(
    shapes: pd.DataFrame, cells: pd.DataFrame, theme: str, height: int = 560, max_px: float = 14
) -> go.Figure:
    """County outlines and stations counted per grid cell (lon, lat, stations, kind = the cell's
    most common kind), a dot's area proportional to its count."""
    edge = THEME_COLOURS.get(theme, THEME_COLOURS["light"])["grid"]
    fig = go.Figure()
    xs: list = []
    ys: list = []
    for geojson in shapes.geojson:
        x, y = _xy(geojson)
        xs += x
        ys += y
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": edge, "width": 0.8}, hoverinfo="skip"))
    if len(cells):
        top = max(float(cells.stations.max()), 1.0)
        fig.add_trace(
            go.Scatter(
                x=cells.lon,
                y=cells.lat,
                mode="markers",
                marker={
                    "size": [max(3.0, max_px * math.sqrt(n / top)) for n in cells.stations],
                    "color": [STATION_KIND_COLOURS.get(k, GOOD) for k in cells.kind],
                    "opacity": 0.85,
                    "line": {"width": 0},
                },
                hoverinfo="skip",
            )
        )
    return _map_layout(fig, shapes, theme, height)


def bars(
    labels: list[str],
    values: list[float],
    texts: list[str],
    theme: str,
    good: list[bool] | None = None,
    axis_title: str = "",
    height: int = 520,
) -> go.Figure:
    """Horizontal bars, first item on top, its value written on it."""
    colours = [GOOD if g else BAD for g in (good or [True] * len(values))]
    fig = go.Figure(
        go.Bar(
            x=values[::-1],
            y=labels[::-1],
            orientation="h",
            text=texts[::-1],
            textposition="outside",
            marker_color=colours[::-1],
            hoverinfo="skip",
            cliponaxis=False,
        )
    )
    fig.update_layout(
        template=plotly_template(theme),
        height=height,
        font={"family": FONT},
        showlegend=False,
        margin={"l": 8, "r": 24, "t": 8, "b": 8},
    )
    # Room on the right for the value written beyond each bar, and for the axis below.
    top = max([v for v in values if not math.isnan(v)] or [1.0])
    fig.update_xaxes(title_text=axis_title, automargin=True, range=[0, top * 1.5])
    fig.update_yaxes(type="category", automargin=True)
    return fig
