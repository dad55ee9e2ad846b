"""Chart builders: pure functions, a DataFrame in, a Plotly figure out, one theme for all.

Nothing is dropped to fit: a trend of more units than lines can tell apart becomes a unit × year
table with every value written in its cell (trend_heat), and colours come from the theme by
what a line is (a series, a city), never by its position in this chart."""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from uniondash.render.palette import BAD, GOOD, OKABE_ITO, LineStyle, change_colour
from uniondash.text import fmt
from uniondash.text.i18n import t

FONT = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
MAX_LINES = 6  # more lines than this in one plot cannot be told apart: a heat table instead
TITLE_BAND_PX, LEGEND_ROW_PX = 38, 21
LEGEND_WIDTH_PX = 360  # a half-page chart at 1280×720 (the narrowest a legend is drawn in)


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
    a heat table (trend_heat)."""
    lines = _lines(df, styles)
    if len(lines) > MAX_LINES:
        return trend_heat(lines, title, axis_title, percent, lang)
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
    """A name short enough for a row's label (恩施土家族苗族自治州 at 8 → 恩施土家族苗族…); the full
    name is in the cell's hover."""
    limit = width if any(ord(c) > 0x2E80 for c in name) else width * 2
    return name if len(name) <= limit else name[: limit - 1] + "…"


HEAT_ROW_PX = 24  # a unit's row in the heat table: its name and its values at 11–12 px
HEAT_YEARS_PX = 26  # the years' row above the table
HEAT_FONT_PX = 12  # values in the cells and the axes' labels (the product's floor is 11 px)
HEAT_LOW, HEAT_HIGH = "rgb(222,235,247)", "rgb(8,69,148)"  # the maps' sequential ramp (maps.SEQ_*)


def _cell_text(v, percent: bool) -> str:
    if v is None or pd.isna(v):
        return "—"
    return f"{v:.1%}" if percent else f"{v:,.0f}"


def trend_heat(
    lines: list[tuple[str, str, pd.DataFrame, LineStyle]], title: str, axis_title: str, percent: bool, lang: str
) -> go.Figure:
    """Every group's trend as a row of a unit × year table, every value written in its cell and
    the cell coloured by it (darker is higher, one scale for the whole table): one Plotly trace on
    one pair of axes. The small multiples it replaces (a subplot per unit, 17 for the cities) cost
    the coverage page ~0.55 s of drawing in a browser without a GPU, and their year labels were
    10 px; these labels are 12 px at every width. A name too long for its row is shortened, the
    full name in the cell's hover."""
    years = sorted({str(a)[:4] for _k, _n, grp, _s in lines for a in grp.as_of})
    z, text, hover = [], [], []
    for _key, name, grp, _style in lines:
        by_year = {str(a)[:4]: (None if pd.isna(v) else float(v)) for a, v in zip(grp.as_of, grp.value)}
        row = [by_year.get(y) for y in years]
        z.append(row)
        text.append([_cell_text(v, percent) for v in row])
        hover.append([f"{name} {y}: {_cell_text(v, percent)}" for y, v in zip(years, row)])
    names = [_panel_title(name, 10) for _k, name, _g, _s in lines]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=years,
            y=list(range(len(lines))),  # rows by position: two units of one name stay two rows
            text=text,
            texttemplate="%{text}",
            textfont={"size": HEAT_FONT_PX},
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            colorscale=[[0, HEAT_LOW], [1, HEAT_HIGH]],
            showscale=False,
            xgap=2,
            ygap=2,
        )
    )
    fig.update_xaxes(type="category", side="top", tickfont={"size": HEAT_FONT_PX}, tickangle=0, showgrid=False)
    fig.update_yaxes(
        tickvals=list(range(len(lines))),
        ticktext=names,
        autorange="reversed",
        tickfont={"size": HEAT_FONT_PX},
        automargin=True,
        showgrid=False,
        zeroline=False,
    )
    note = t("trend_heat.note", lang, n=len(lines))
    base_layout(fig, f"{title}<br><span style='font-size:12px'>{note}</span>", height=HEAT_ROW_PX * len(lines) + 70)
    # The title (and its note) just above the years along the table's top, the top margin grown to
    # hold them (Plotly centres a title in the margin, over the years, unless told)
    title_box = {"y": 1, "yref": "paper", "yanchor": "bottom", "automargin": True, "pad": {"b": HEAT_YEARS_PX}}
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
