"""Map legends: what each colour and size on a map means, as a line of HTML swatches drawn under
the map (deck.gl has no legend of its own). Pure builders: what the map shows in, HTML out."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from uniondash.render.maps import KIND_RGB, OUTLINE_STYLE, SEQ_HIGH, SEQ_LOW
from uniondash.render.palette import CLOSED, NEUTRAL, OPENED
from uniondash.text.i18n import t

# deck.gl's HeatmapLayer default colour range (low → high)
HEATMAP_RANGE = ((255, 255, 178), (254, 217, 118), (254, 178, 76), (253, 141, 60), (240, 59, 32), (189, 0, 38))


@dataclass(frozen=True)
class Item:
    """One legend entry: a swatch (dot, ring, line, gradient or two dot sizes) and its words."""

    shape: str  # dot | ring | line | gradient | sizes
    label: str
    colours: tuple[str, ...] = (NEUTRAL,)
    note: str = ""  # small text after the label (a range's ends)


def _css(rgb: Sequence[int]) -> str:
    return "#" + "".join(f"{int(c):02X}" for c in rgb[:3])


BOX = "display:inline-block;vertical-align:middle;margin-right:4px;"


def _dot(colour: str, px: int = 10) -> str:
    return f'<span style="{BOX}width:{px}px;height:{px}px;border-radius:50%;background:{colour}"></span>'


def _swatch(item: Item) -> str:
    c, box = item.colours, BOX
    if item.shape == "dot":
        return _dot(c[0])
    if item.shape == "ring":
        return f'<span style="{box}width:10px;height:10px;border-radius:50%;border:2px solid {c[0]}"></span>'
    if item.shape == "line":
        return f'<span style="{box}width:16px;border-top:{c[1] if len(c) > 1 else "2px"} solid {c[0]}"></span>'
    if item.shape == "sizes":
        dots = "".join(
            f'<span style="{box}width:{d}px;height:{d}px;border-radius:50%;background:{c[0]}"></span>'
            for d in (5, 9, 14)
        )
        return dots
    stops = ",".join(c)
    return (
        f'<span style="{box}width:48px;height:10px;border-radius:2px;background:linear-gradient(90deg,{stops})"></span>'
    )


def legend_html(items: Iterable[Item]) -> str:
    """The entries on one wrapping line, small print (each entry kept whole)."""
    parts = []
    for item in items:
        note = f' <span style="opacity:.75">{html.escape(item.note)}</span>' if item.note else ""
        parts.append(
            f'<span style="white-space:nowrap;margin-right:14px">{_swatch(item)}{html.escape(item.label)}{note}</span>'
        )
    return '<div style="font-size:13px;line-height:1.9" class="map-legend">' + "".join(parts) + "</div>"


def range_note(values: Iterable[float | None], shown) -> str:
    """'low – high' of the known values, each shown by `shown` (a formatter)."""
    known = [v for v in values if v is not None and not math.isnan(v)]
    return f"{shown(min(known))} – {shown(max(known))}" if known else "—"


def kinds_items(kinds: Sequence[str], lang: str) -> list[Item]:
    return [Item("dot", t(f"kind.{k}", lang), (_css(KIND_RGB[k]),)) for k in kinds]


def gradient_item(label: str, note: str) -> Item:
    return Item("gradient", label, (_css(SEQ_LOW), _css(SEQ_HIGH)), note)


def no_data_item(lang: str) -> Item:
    return Item("dot", t("legend.no_data", lang), ("#C8C8C8",))


def outline_items(theme: str, lang: str) -> list[Item]:
    city, county = OUTLINE_STYLE["city"][theme], OUTLINE_STYLE["county"][theme]
    return [
        Item("line", t("legend.city_border", lang), (city[0], "2px")),
        Item("line", t("legend.county_border", lang), (county[0], "1px")),
    ]


def stations_items(
    layer: str, kinds: Sequence[str], aggregated: bool, supply: tuple[str, str] | None, lang: str
) -> list[Item]:
    """The base layer's entries: kinds' colours, grid cells' sizes, density or a supply measure's range."""
    if layer == "supply" and supply:
        return [gradient_item(*supply), no_data_item(lang)]
    if layer == "density":
        return [Item("gradient", t("legend.density", lang), tuple(_css(c) for c in HEATMAP_RANGE))]
    if aggregated:
        return [Item("sizes", t("legend.cells", lang), (NEUTRAL,))]
    return kinds_items(kinds, lang)


def overlay_items(changes: bool, gaps: bool, gap_km: float, aggregated_changes: bool, lang: str) -> list[Item]:
    items = []
    if changes:
        items += [Item("dot", t("change.opened", lang), (OPENED,)), Item("dot", t("change.closed", lang), (CLOSED,))]
        if aggregated_changes:
            items.append(Item("sizes", t("legend.change_cells", lang), (NEUTRAL,)))
    if gaps:
        items.append(Item("dot", t("legend.uncovered", lang), (CLOSED,)))
        items.append(Item("ring", t("legend.sites", lang, km=f"{gap_km:g}"), ("#30363C",)))
    return items
