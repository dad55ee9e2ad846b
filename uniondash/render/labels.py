"""Place names on the offline maps, labelled at the scale a map shows (county names on a city's
map, city names on the province's). Pure builders.

Written by the basemap's symbol layer (basemap_names → maps.Names) wherever nothing deck.gl draws
covers them (the coverage map, whose fill the basemap draws too; the stations map's plain points):
MapLibre keeps them from overlapping, the most populous first, and shows the others as the map is
zoomed. A deck.gl TextLayer (name_labels) costs its font atlas and two more shader programs, ~0.5–0.6 s
per map in a browser without a GPU (docs/performance.md), so it is used only where names must sit
over deck.gl's own layers (the stations map's density, supply and overlays), in boxes."""

from __future__ import annotations

import math

import pandas as pd
import pydeck as pdk

LABEL_FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif'
# (text, box or halo around it) per theme: the halo keeps a name legible over fills and borders
LABEL_INK = {"light": ([33, 37, 41], [255, 255, 255, 190]), "dark": ([232, 237, 242], [21, 25, 30, 190])}
LABEL_MAX_COUNTIES = 20  # more counties than this in view: label the cities instead
LABEL_SIZE_PX = 12


def labelled_units(regions: pd.DataFrame, counties: tuple[str, ...]) -> pd.DataFrame:
    """Which names a map of these counties shows: each county's while they are few (a city, a
    choice of counties), else the cities they belong to (the whole province)."""
    county_rows = regions[(regions.level == "county") & regions.adcode.isin(counties)]
    if len(county_rows) <= LABEL_MAX_COUNTIES:
        return county_rows
    return regions[(regions.level == "city") & regions.adcode.isin(set(county_rows.parent_adcode))]


def basemap_names(units: pd.DataFrame, theme: str = "light", size_px: int = LABEL_SIZE_PX):
    """The same names for the basemap's symbol layer (maps.Names): MapLibre places them without
    overlaps itself, the most populous first, and shows the ones that do not fit as the map is zoomed."""
    from uniondash.render.maps import Names

    ink, box = LABEL_INK[theme]
    order = units.sort_values("population", ascending=False) if "population" in units.columns else units
    rows = zip(order.name, order.lon, order.lat)
    points = tuple((str(n), round(float(x), 5), round(float(y), 5)) for n, x, y in rows)
    halo = "rgba({},{},{},{:.2f})".format(*box[:3], box[3] / 255)
    return Names(points, "rgb({},{},{})".format(*ink), halo, size_px)


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def declutter(units: pd.DataFrame, view: pdk.ViewState, size_px: int = LABEL_SIZE_PX) -> pd.DataFrame:
    """The names that fit at the map's first view without overlapping, the most populous first
    (Wuhan's small central districts share a few pixels): the others are left to the tooltips."""
    scale = 512 * 2**view.zoom
    order = units.sort_values("population", ascending=False) if "population" in units.columns else units
    placed: list[tuple[float, float, float, float]] = []
    keep = []
    for idx, row in order.iterrows():
        x = (row.lon - view.longitude) * scale / 360
        y = (_mercator_y(row.lat) - _mercator_y(view.latitude)) * scale / (2 * math.pi)
        half_w = (len(str(row["name"])) * size_px + 6) / 2
        half_h = (size_px + 4) / 2
        box = (x - half_w, y - half_h, x + half_w, y + half_h)
        if all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in placed):
            placed.append(box)
            keep.append(idx)
    return units.loc[[i for i in units.index if i in set(keep)]]


def name_labels(units: pd.DataFrame, theme: str = "light", size_px: int = LABEL_SIZE_PX) -> pdk.Layer:
    """Unit names at their label points. deck.gl draws text from a font atlas it makes in the
    browser from a local font (nothing is fetched); its default characters are ASCII only, so the
    atlas is given every character the names use."""
    ink, box = LABEL_INK[theme]
    names = [str(n) for n in units.name]
    layer = pdk.Layer(
        "TextLayer",
        units.assign(name=names)[["name", "lon", "lat"]],
        id="names",
        get_position="[lon, lat]",
        get_text="name",
        get_size=size_px,
        get_color=ink,
        background=True,
        get_background_color=box,
        background_padding=[3, 1],
        pickable=False,
    )
    # Set after construction: pydeck would turn a string argument into a JavaScript expression.
    layer.font_family = LABEL_FONT
    layer.character_set = "".join(sorted(set("".join(names))))
    return layer
