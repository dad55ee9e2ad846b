"""Map builders: pydeck decks that need no internet.

No tile basemap: the style is a single background layer (no sources, glyphs or sprites), so
the browser requests nothing; city and county boundaries drawn as layers complete the map.
Pure functions: data in, a deck out.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from urllib.parse import quote

import numpy as np
import pydeck as pdk

from uniondash.render.borders import border_lines
from uniondash.render.glyphs import FONT_NAME, glyphs_url
from uniondash.render.palette import NEUTRAL, STATION_KIND_COLOURS, rgb

BACKGROUND = {"light": "#EEF1F4", "dark": "#15191E"}
# Boundary lines drawn by the basemap: (colour, width in px) per theme.
OUTLINE_STYLE = {
    "county": {"light": ("#8C96A0", 0.6), "dark": ("#5F6B78", 0.6)},
    "city": {"light": ("#30363C", 1.5), "dark": ("#C8D0D8", 1.5)},
    "focus": {"light": ("#30363C", 2.0), "dark": ("#E8EDF2", 2.0)},
}


@dataclass(frozen=True)
class Outline:
    """Boundaries drawn as lines by the basemap: `kind` picks colour and width (OUTLINE_STYLE)."""

    kind: str
    geojson: tuple[str, ...]  # GeoJSON geometries: each unit's boundary, or each stretch of border once


def outlines(shapes, kind: str, under=None) -> Outline:
    """The units' borders as lines, each stretch once (two neighbours share a border: drawn once,
    not as both units' outlines). With `under` (the larger units' shapes, drawn on top in their own
    style), the stretches those borders cover are left out as well.

    A browser without a GPU draws the basemap 20–40 times on a filter change (each tile that arrives,
    each step of its zoom fade), and a frame's cost follows the lines' vertices: on the stations map,
    the counties' and cities' outlines had 32,100 vertices (672 KB), their borders once 12,900 (277 KB)."""
    return Outline(kind, border_lines(tuple(shapes.geojson), tuple(under.geojson) if under is not None else ()))


@dataclass(frozen=True)
class Names:
    """Place names drawn by the basemap's symbol layer: (name, lon, lat) per unit, in the theme's ink."""

    points: tuple[tuple[str, float, float], ...]
    ink: str
    halo: str
    size_px: int = 12


TRANSPARENT = "rgba(0,0,0,0)"


@dataclass(frozen=True)
class Fill:
    """Areas filled by the basemap (beneath its lines and names): one GeoJSON geometry and one CSS
    colour per unit. A deck.gl polygon fill costs a browser without a GPU far more to draw."""

    geojson: tuple[str, ...]
    colours: tuple[str, ...]
    outline: str | None = None  # also draw the areas' boundaries in this OUTLINE_STYLE, from the same data


def offline_style(
    theme: str = "light",
    tile_url: str = "",
    lines: tuple[Outline, ...] = (),
    names: Names | None = None,
    fill: Fill | None = None,
) -> str:
    """A MapLibre style as a data: URL (the chart takes a style URL string): a background, the
    intranet's raster tiles when configured, and boundary lines from inline GeoJSON sources, so
    the browser requests nothing. Without a style of its own, Streamlit's map would load a
    CARTO basemap from the internet.

    Boundaries belong here rather than in deck.gl layers: deck.gl's path and polygon layers cost
    a software-rendered browser (no GPU, as on this benchmark machine) seconds of shader work per
    page load; MapLibre's line layers a fraction of that (Chromium traces, docs/architecture.md, Budgets)."""
    layers = [{"id": "background", "type": "background", "paint": {"background-color": BACKGROUND[theme]}}]
    sources: dict = {}
    if tile_url:
        sources["tiles"] = {"type": "raster", "tiles": [tile_url], "tileSize": 256}
        layers.append({"id": "tiles", "type": "raster", "source": "tiles"})
    if fill is not None and fill.geojson:
        sources["fill"] = {"type": "geojson", "data": "@@fill@@"}
        # Each area's colour by its feature id, in the layer: the sources carry geometry and nothing
        # else (a restricted session's basemap holds every county's outline, none of their figures)
        colour = ["match", ["id"]]
        for i, c in enumerate(fill.colours):
            if c != TRANSPARENT:
                colour += [i, c]
        colour = [*colour, TRANSPARENT] if len(colour) > 2 else TRANSPARENT
        layers.append({"id": "fill", "type": "fill", "source": "fill", "paint": {"fill-color": colour}})
        if fill.outline:
            colour, width = OUTLINE_STYLE[fill.outline][theme]
            paint = {"line-color": colour, "line-width": width}
            layers.append({"id": "fill-lines", "type": "line", "source": "fill", "paint": paint})
    for i, line in enumerate(lines):
        colour, width = OUTLINE_STYLE[line.kind][theme]
        sources[f"lines{i}"] = {"type": "geojson", "data": f"@@{i}@@"}
        layers.append(
            {
                "id": f"lines{i}",
                "type": "line",
                "source": f"lines{i}",
                "paint": {"line-color": colour, "line-width": width},
                "layout": {"line-join": "round"},
            }
        )
    style = {"version": 8, "sources": sources, "layers": layers}
    if names is not None and names.points:
        # the names by feature id in the layer, as the fill's colours (the sources: geometry only)
        sources["names"] = {
            "type": "geojson",
            "data": {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "id": i, "properties": {}, "geometry": {"type": "Point", "coordinates": [x, y]}}
                    for i, (_n, x, y) in enumerate(names.points)
                ],
            },
        }
        text = ["match", ["id"]]
        for i, (n, _x, _y) in enumerate(names.points):
            text += [i, n]
        layers.append(
            {
                "id": "names",
                "type": "symbol",
                "source": "names",
                "layout": {
                    "text-field": [*text, ""],
                    "text-font": [FONT_NAME],
                    "text-size": names.size_px,
                    "text-padding": 2,
                    "symbol-sort-key": ["id"],  # where names collide, the first (most populous) is kept
                },
                "paint": {"text-color": names.ink, "text-halo-color": names.halo, "text-halo-width": 2},
            }
        )
        style["glyphs"] = glyphs_url("".join(n for n, _x, _y in names.points))
    text = json.dumps(style, separators=(",", ":"), ensure_ascii=False)
    for i, line in enumerate(lines):  # the geometries are JSON already: spliced in, not parsed again
        features = ",".join('{"type":"Feature","properties":{},"geometry":' + g + "}" for g in line.geojson)
        text = text.replace(f'"@@{i}@@"', '{"type":"FeatureCollection","features":[' + features + "]}")
    if fill is not None and fill.geojson:
        features = ",".join(
            '{"type":"Feature","id":' + str(i) + ',"properties":{},"geometry":' + g + "}"
            for i, g in enumerate(fill.geojson)
        )
        text = text.replace('"@@fill@@"', '{"type":"FeatureCollection","features":[' + features + "]}")
    # Only what a data: URL cannot hold is escaped (%, #, spaces, non-ASCII): JSON punctuation is
    # left as it is, which keeps the boundaries about as small as the GeoJSON itself.
    return "data:application/json;charset=utf-8," + quote(text, safe='{}[]":,.-_+')


class CompactDeck(pdk.Deck):
    """pydeck indents its JSON (two spaces a level) and escapes every Chinese character as
    \\uXXXX (six bytes for three): a map grows several-fold on the wire. Same content, compact."""

    def to_json(self):
        from pydeck.bindings.json_tools import default_serialize

        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"), ensure_ascii=False)


class PrebuiltDeck:
    """A deck whose JSON is already made (and cached): st.pydeck_chart takes it as it is.

    Not a pdk.Deck: Deck.__init__ tries to import pydeck's Jupyter widget every time, a failing
    import that searches sys.path on every rerun (py-spy under load). st.pydeck_chart reads only
    to_json() and these attributes."""

    layers: list = []
    deck_widget = None
    mapbox_key = None
    width = None

    def __init__(self, deck_json: str, tooltip: dict | None):
        self._deck_json = deck_json
        self._tooltip = tooltip

    def to_json(self) -> str:
        return self._deck_json


def offline_deck(
    layers: list,
    view_state: pdk.ViewState,
    tooltip=None,
    theme: str = "light",
    tile_url: str = "",
    lines: tuple[Outline, ...] = (),
    names: Names | None = None,
    fill: Fill | None = None,
) -> pdk.Deck:
    deck = CompactDeck(
        layers=layers,
        initial_view_state=view_state,
        map_provider=None,
        map_style=None,
        tooltip=tooltip if tooltip is not None else False,
    )
    # pydeck would rewrite a style it does not know: set it directly
    deck.map_style = offline_style(theme, tile_url, lines, names, fill)
    return deck


# Sequential scale for choropleths (light to dark blue, readable by colour-blind viewers).
SEQ_LOW, SEQ_HIGH = (222, 235, 247), (8, 69, 148)
NO_DATA = [200, 200, 200, 90]
KIND_RGB = {kind: rgb(colour) for kind, colour in STATION_KIND_COLOURS.items()}  # the theme's colours
CELLS_RGBA = rgb(NEUTRAL, 170)  # grid cells count every kind: grey, not one kind's blue


def sequential_colours(values: dict[str, float]) -> dict[str, list[int]]:
    """Each unit's fill on a linear scale between the scope's lowest and highest values."""
    known = [v for v in values.values() if v is not None and not math.isnan(v)]
    lo, hi = (min(known), max(known)) if known else (0.0, 1.0)
    out = {}
    for adcode, v in values.items():
        if v is None or math.isnan(v):
            out[adcode] = NO_DATA
            continue
        t = 0.5 if hi == lo else (v - lo) / (hi - lo)
        out[adcode] = [round(a + (b - a) * t) for a, b in zip(SEQ_LOW, SEQ_HIGH)] + [210]
    return out


def feature_collection(shapes, properties: dict[str, dict]) -> dict:
    """GeoJSON features of the shapes (adcode, geojson) that have properties."""
    features = [
        {"type": "Feature", "geometry": json.loads(g), "properties": {"adcode": a, **properties[a]}}
        for a, g in zip(shapes.adcode, shapes.geojson)
        if a in properties
    ]
    return {"type": "FeatureCollection", "features": features}


def choropleth_layer(fc: dict, layer_id: str = "choropleth", fill=None) -> pdk.Layer:
    """Areas deck.gl fills by their `fill` property, or with `fill` (a constant: transparent for
    areas the basemap fills, kept here for their tooltips and clicks)."""
    return pdk.Layer(
        "GeoJsonLayer",
        fc,
        id=layer_id,
        pickable=True,
        stroked=False,  # boundary lines are drawn by the basemap (offline_style)
        filled=True,
        get_fill_color=fill if fill is not None else "properties.fill",
    )


def css_colour(rgba: list[int]) -> str:
    r, g, b, *a = rgba
    return f"rgba({r},{g},{b},{(a[0] if a else 255) / 255:.2f})"


def stations_layer(stations, radius_m: float = 80.0) -> list[pdk.Layer]:
    """Stations as dots, one layer per kind with its constant colour (no colour per point to send
    and parse); metres clamped to 2–8 px so they read at any zoom. pydeck would turn a
    radius_units string into an expression, so units stay metres.

    Each row is compact: the position one pair `p` to 5 decimals (~1 m) and the tooltip's fields.
    Streamlit parses the map's JSON with a JavaScript JSON5 parser, character by character, on
    every page load: 1,403,925 → 1,354,103 WebSocket bytes per stations page load at scale 1."""
    layers = []
    for kind, colour in KIND_RGB.items():
        rows = stations[stations.kind == kind]
        pairs = np.column_stack([rows.lon.to_numpy(dtype=float), rows.lat.to_numpy(dtype=float)]).round(5)
        data = rows.drop(columns=["kind", "lon", "lat"]).assign(p=pairs.tolist())
        if len(data):
            layers.append(
                pdk.Layer(
                    "ScatterplotLayer",
                    data,
                    id=f"stations-{kind}",
                    pickable=True,
                    get_position="p",
                    get_fill_color=colour,
                    get_radius=radius_m,
                    radius_min_pixels=2,
                    radius_max_pixels=8,
                    stroked=False,
                )
            )
    return layers


def grid_layer(cells, max_px: float = 18) -> pdk.Layer:
    """Server-side grid cells (lon, lat, stations, tip) as dots sized by their count, up to max_px."""
    return pdk.Layer(
        "ScatterplotLayer",
        cells[["lon", "lat", "stations", "tip"]],
        id="grid",
        pickable=True,
        get_position="[lon, lat]",
        get_radius="stations",
        radius_scale=40,
        radius_min_pixels=2,
        radius_max_pixels=max_px,
        get_fill_color=CELLS_RGBA,
    )


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def bounds(shapes) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the shapes' outer rings."""
    xs, ys = [], []
    for g in shapes.geojson:
        geom = json.loads(g)
        polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
        for poly in polys:
            for x, y in poly[0]:
                xs.append(x)
                ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def view_for(shapes, width_px: int = 380, height_px: int = 300, padding: float = 0.06) -> pdk.ViewState:
    """The view that shows all of the shapes in a map of width_px × height_px (Web Mercator,
    512-px tiles, `padding` of each side left free): the tighter of the two dimensions decides."""
    west, south, east, north = bounds(shapes)
    dx = max(east - west, 0.01)
    dy = max(_mercator_y(north) - _mercator_y(south), math.radians(0.01))
    free = 1 - 2 * padding
    zoom_x = math.log2(width_px * free * 360 / (512 * dx))
    zoom_y = math.log2(height_px * free * 2 * math.pi / (512 * dy))
    zoom = max(3.0, min(13.0, zoom_x, zoom_y))
    mid_y = (_mercator_y(north) + _mercator_y(south)) / 2
    lat = math.degrees(2 * math.atan(math.exp(mid_y)) - math.pi / 2)
    return pdk.ViewState(longitude=(west + east) / 2, latitude=lat, zoom=round(zoom, 3))


def needs_conversion(data_crs: str, tile_url: str, tile_crs: str) -> bool:
    return bool(tile_url) and data_crs != tile_crs


def convert_points(df, data_crs: str, tile_crs: str):
    """Points in the tiles' coordinate system (a copy), so they sit on the basemap."""
    from uniondash.render.coords import gcj02_to_wgs84, wgs84_to_gcj02

    fn = gcj02_to_wgs84 if (data_crs, tile_crs) == ("GCJ-02", "WGS-84") else wgs84_to_gcj02
    lon, lat = fn(df.lon.to_numpy(), df.lat.to_numpy())
    return df.assign(lon=lon, lat=lat)


def convert_shapes(shapes, data_crs: str, tile_crs: str):
    """Boundary polygons in the tiles' coordinate system (a copy)."""
    from uniondash.render.coords import gcj02_to_wgs84, wgs84_to_gcj02

    fn = gcj02_to_wgs84 if (data_crs, tile_crs) == ("GCJ-02", "WGS-84") else wgs84_to_gcj02

    def ring(coords):
        import numpy as np

        arr = np.asarray(coords, dtype=float)
        x, y = fn(arr[:, 0], arr[:, 1])
        return np.column_stack([x, y]).round(6).tolist()

    def convert(g):
        geom = json.loads(g)
        if geom["type"] == "Polygon":
            geom["coordinates"] = [ring(r) for r in geom["coordinates"]]
        else:
            geom["coordinates"] = [[ring(r) for r in poly] for poly in geom["coordinates"]]
        return json.dumps(geom)

    return shapes.assign(geojson=[convert(g) for g in shapes.geojson])


DISPLAY_TOLERANCE_DEG = 0.006  # ~600 m: invisible at the zoom a whole province or city is shown


def display_shapes(shapes, tolerance: float = DISPLAY_TOLERANCE_DEG):
    """Lighter polygons for drawing: coverage-simplified (neighbours keep shared edges) and
    rounded to 4 decimals (~10 m). Several times fewer vertices for the browser to draw."""
    import shapely

    geoms = shapely.from_geojson(list(shapes.geojson))
    simple = shapely.coverage_simplify(geoms, tolerance)
    out = [
        json.dumps(json.loads(shapely.to_geojson(shapely.set_precision(g, 1e-4))), separators=(",", ":"))
        for g in simple
    ]
    return shapes.assign(geojson=out)
