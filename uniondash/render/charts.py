"""Chart builders: pure functions, a DataFrame in, a Plotly figure out, one theme for all.

Nothing is dropped to fit: a trend of more units than lines can tell apart becomes small
multiples (one panel per unit, the others faint behind it), and colours come from the theme by
what a line is (a series, a city), never by its position in this chart."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from uniondash.render.palette import BAD, CONTEXT, GOOD, OKABE_ITO, LineStyle, change_colour
from uniondash.text import fmt
from uniondash.text.i18n import t

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
MAX_LINES = 6  # more lines than this in one plot cannot be told apart: small multiples instead
PANEL_COLUMNS = 3
TITLE_BAND_PX, LEGEND_ROW_PX = 38, 21
LEGEND_WIDTH_PX = 360  # a half-page chart at 1280×720 (the narrowest a legend is drawn in)
PANEL_HEIGHT_PX, PANEL_GAP_PX = 120, 44  # a panel row, and the room its title and years need
CONTEXT_LINE = {"color": CONTEXT, "width": 1}


TITLE_LINE_PX = 20  # a 16 px title's line
TITLE_FITS_PX = 380  # what a title may take on a phone (390 px wide), as title_px measures


def title_px(text: str, size: int = 16) -> float:
    """About how wide a title is drawn: CJK a full em, a space a quarter, other characters a little
    over half (a 16 px Chinese title of 21 characters, 2 digits and 4 spaces: 373 here, 320 drawn)."""
    return sum(size if ord(c) > 0x2E80 else size * (0.28 if c == " " else 0.55) for c in text)


def wrap_title(title: str, fits_px: float = TITLE_FITS_PX) -> str:
    """A title too wide for a phone, on two lines: Plotly never wraps a title, and cut it off at
    the chart's edge ("Union membership rate of new-employment-form workers: top 5 and…"). The break
    goes after a colon when there is one, else at the space nearest the middle; a title with no
    place to break, or that fits, is left as it is. Only the first line is measured (a second,
    smaller line under it is the caller's)."""
    first, sep, rest = title.partition("<br>")
    if title_px(first) <= fits_px:
        return title
    for mark in ("：", ": "):
        head, found, tail = first.partition(mark)
        if found and tail and title_px(head + found) <= fits_px:
            return f"{head}{found.strip()}<br>{tail}{sep}{rest}"
    spaces = [i for i, c in enumerate(first) if c == " "]
    if not spaces:
        return title
    middle = min(spaces, key=lambda i: abs(title_px(first[:i]) - title_px(first[i + 1 :])))
    return f"{first[:middle]}<br>{first[middle + 1 :]}{sep}{rest}"


def title_lines(fig: go.Figure) -> int:
    return (fig.layout.title.text or "").count("<br>") + 1


def base_layout(fig: go.Figure, title: str, height: int = 360) -> go.Figure:
    title = wrap_title(title)
    extra = TITLE_LINE_PX * title.count("<br>")
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        height=height + extra,
        margin={"l": 8, "r": 8, "t": 48 + extra, "b": 8},
        font={"family": FONT},
        showlegend=False,
    )
    return fig


def _text_px(text: str, size: int = 11) -> float:
    """About how wide a text is drawn: CJK characters a full em, others a little over half."""
    return sum(size if ord(c) > 0x2E80 else size * 0.58 for c in text)


def legend_rows(names: list[str], width_px: float = LEGEND_WIDTH_PX) -> int:
    """How many rows a horizontal legend of these names takes in a chart width_px wide: Plotly
    lines its entries up in columns as wide as the widest entry (as seen at 1280×720)."""
    if not names:
        return 0
    widest = max(40 + _text_px(name) for name in names)  # symbol, gap and text
    per_row = max(1, int(width_px // widest))
    return math.ceil(len(names) / per_row)


def legend_above(fig: go.Figure, names: list[str]) -> go.Figure:
    """The legend in a band of its own between the title and the plot, the band as tall as the
    legend's rows, so that it covers neither the title nor an axis (below the plot it covered
    the year labels, and English names in four rows covered the title at 1280×720)."""
    rows = legend_rows(names)
    height = fig.layout.height or 360
    band = TITLE_BAND_PX + TITLE_LINE_PX * (title_lines(fig) - 1)  # a wrapped title's second line
    fig.update_layout(
        showlegend=True,
        title={"y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 10}},
        legend={
            "orientation": "h",
            "x": 0,
            "xref": "container",
            "xanchor": "left",
            "y": 1 - band / height,
            "yref": "container",
            "yanchor": "top",
            "font": {"size": 11},
        },
        margin={"t": band + LEGEND_ROW_PX * rows + 8},
    )
    return fig


CHANGE_GLYPH = {1: "▲", -1: "▼"}


def change_mark(change: float | None, text: str, direction: str, percent: bool) -> str:
    """A change as the charts write it: an arrow for its sign coloured by what it means for the
    KPI (change_colour: good, bad, neutral), then the text in the theme's colour (the arrow is
    a mark, not text, so the colours need not pass for text contrast on both themes)."""
    if change is None or (isinstance(change, float) and math.isnan(change)) or fmt.rounds_to_zero(change, percent):
        return text
    glyph = CHANGE_GLYPH[1 if change > 0 else -1]
    return f'<span style="color:{change_colour(change, direction)}">{glyph}</span> {text}'


def ranking_bar(
    df: pd.DataFrame,
    title: str,
    axis_title: str,
    percent: bool,
    direction: str = "none",
    change_header: str | None = None,
) -> go.Figure:
    """Horizontal bars, best on top; df has name, value, adcode, group (best | worst) and
    optionally change and change_text: each county's change against the compare snapshot,
    written in a column right of the bars under change_header (change_mark)."""
    df = df.iloc[::-1]
    text = [f"{v * 100:.1f}%" if percent else f"{v:,.1f}".rstrip("0").rstrip(".") for v in df.value]
    with_change = change_header is not None and "change_text" in df
    hover = [
        f"{n}: {v}" + (f" · {c}" if with_change else "")
        for n, v, c in zip(df.name, text, df.change_text if with_change else text)
    ]
    fig = go.Figure(
        go.Bar(
            x=df.value,
            y=df.name,
            orientation="h",
            customdata=df.adcode,
            text=text,
            textposition="auto",
            marker_color=[GOOD if g == "best" else BAD for g in df.group],
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=axis_title, tickformat=".0%" if percent else ",")
    fig.update_yaxes(type="category", automargin=True)
    base_layout(fig, title, height=max(260, 34 * len(df) + 80))
    if with_change:
        _change_column(fig, df, change_header, direction, percent)
    return fig


def _change_column(fig: go.Figure, df: pd.DataFrame, header: str, direction: str, percent: bool) -> None:
    """Each bar's change in a column right of the plot, the column's header above it."""
    marks = [change_mark(c, t_, direction, percent) for c, t_ in zip(df.change, df.change_text)]
    for name, mark in zip(df.name, marks):
        fig.add_annotation(x=1, xref="paper", xanchor="left", xshift=10, y=name, yref="y", text=mark, showarrow=False)
    fig.add_annotation(
        x=1,
        xref="paper",
        xanchor="left",
        xshift=10,
        y=1,
        yref="paper",
        yanchor="bottom",
        text=header,
        showarrow=False,
        font={"size": 12},
    )
    widest = max([_text_px(t_, 12) for t_ in df.change_text] + [_text_px(header, 12)]) + 16
    fig.update_layout(margin={"r": int(widest + 18)})


def tint(colour: str, alpha: float = 0.16) -> str:
    """A palette colour as a light wash behind a table cell: the text keeps the theme's colour and
    its contrast on light and dark alike."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def change_cell_css(changes, direction: str, percent: bool) -> list[str]:
    """Each table cell's style for a change against the compare snapshot: washed in the colour of
    what the change means for the KPI (change_colour: good or bad); none when it is unknown or
    rounds to nothing on screen."""
    out = []
    for c in changes:
        if c is None or pd.isna(c) or fmt.rounds_to_zero(float(c), percent) or direction == "none":
            out.append("")
        else:
            out.append(f"background-color: {tint(change_colour(float(c), direction))}")
    return out


def change_bar(df: pd.DataFrame, title: str, axis_title: str, percent: bool, direction: str) -> go.Figure:
    """Each county's change against the compare snapshot as a bar (percentage points for a
    share), the best for the KPI on top, coloured by what the change means (change_colour); df
    has name, adcode, change (a share's as a fraction) and change_text."""
    df = df.iloc[::-1]
    scale = 100 if percent else 1
    fig = go.Figure(
        go.Bar(
            x=[c * scale for c in df.change],
            y=df.name,
            orientation="h",
            customdata=df.adcode,
            text=list(df.change_text),
            textposition="auto",
            marker_color=[change_colour(c, direction) for c in df.change],
            hovertext=[f"{n}: {c}" for n, c in zip(df.name, df.change_text)],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=axis_title, tickformat=",", zeroline=True)
    fig.update_yaxes(type="category", automargin=True)
    return base_layout(fig, title, height=max(260, 34 * len(df) + 80))


def gap_bar(df: pd.DataFrame, title: str, axis_title: str) -> go.Figure:
    """Counties short of their target, the furthest on top: df has name, adcode, gap (in the unit
    shown: percentage points for a share) and gap_text (the gap and what it still takes)."""
    df = df.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=df.gap,
            y=df.name,
            orientation="h",
            customdata=df.adcode,
            text=list(df.gap_text),
            textposition="auto",
            marker_color=BAD,
            hovertext=[f"{n}: {g}" for n, g in zip(df.name, df.gap_text)],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.update_xaxes(title_text=axis_title, tickformat=",", rangemode="tozero")
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
    return legend_above(fig, [name for _k, name, _g, _s in lines])


def _panel_title(name: str, width: int = 8) -> str:
    """A name short enough for one line over its panel (恩施土家族苗族自治州 → 恩施土家族苗族…);
    the full name is in the line's hover."""
    limit = width if any(ord(c) > 0x2E80 for c in name) else width * 2
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _context(lines, years: dict[str, list[str]], key: str) -> tuple[list, list]:
    """Every other group's line as one trace, the lines apart by a gap (None): a panel is two
    traces, not one per group (17 cities drew 289 traces, the coverage page's largest cost in
    server CPU, measured with py-spy under the load test, and in the browser's redraw)."""
    xs: list = []
    ys: list = []
    for other, _n, grp, _s in lines:
        if other != key:
            xs += [*years[other], None]
            ys += [*(None if pd.isna(v) else float(v) for v in grp.value), None]
    return xs, ys


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
        shared_yaxes="all",
        subplot_titles=[_panel_title(name) for _k, name, _g, _s in lines],
        horizontal_spacing=0.04,
        vertical_spacing=PANEL_GAP_PX / (PANEL_HEIGHT_PX * rows),
    )
    years = {key: [str(a)[:4] for a in grp.as_of] for key, _n, grp, _s in lines}
    for i, (key, name, grp, style) in enumerate(lines):
        row, col = i // PANEL_COLUMNS + 1, i % PANEL_COLUMNS + 1
        context_x, context_y = _context(lines, years, key)
        fig.add_trace(
            go.Scatter(x=context_x, y=context_y, mode="lines", line=CONTEXT_LINE, hoverinfo="skip"),
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
    ends = [all_years[0], all_years[-1]] if all_years else None
    fig.update_xaxes(type="category", tickangle=0, tickvals=ends, showticklabels=True, tickfont={"size": 10})
    note = t("charts.panels_note", lang, n=len(lines))
    base_layout(fig, f"{title}<br><span style='font-size:12px'>{note}</span>", height=PANEL_HEIGHT_PX * rows + 100)
    # Title above the first row's panel names, the top margin grown to hold it (its two lines)
    title_box = {"y": 1, "yref": "paper", "yanchor": "bottom", "automargin": True, "pad": {"b": 22}}
    fig.update_layout(margin={"t": 8}, title=title_box)
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
    return legend_above(fig, list(series.values()))
