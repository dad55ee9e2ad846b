"""Maps: fitted to their size without cropping, named places (written by the basemap: Chinese from
the browser's fonts, Latin from glyphs sent inline),
and a legend saying what each colour and size means."""

from __future__ import annotations

import base64
import json
import math
import re
from urllib.parse import unquote

import pandas as pd
import pytest

from uniondash.render import legends
from uniondash.render import station_layers as sl
from uniondash.render.area_maps import coverage_legend
from uniondash.render.labels import declutter, labelled_units, name_labels
from uniondash.render.maps import outlines
from uniondash.render.palette import STATION_KIND_COLOURS

# A tall, narrow county (about 0.5° wide, 1.6° high), like Wuhan's outline: cropped by the old view.
TALL = '{"type":"Polygon","coordinates":[[[114.0,30.0],[114.5,30.0],[114.5,31.6],[114.0,31.6],[114.0,30.0]]]}'


def pixel_box(view, west, south, east, north):
    """Half-width and half-height in px of the bounds around the view's centre (Web Mercator, 512-px tiles)."""
    world = 512 * 2 ** view["zoom"]
    merc = lambda lat: math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))  # noqa: E731
    half_w = max(abs(east - view["longitude"]), abs(west - view["longitude"])) * world / 360
    half_h = max(abs(merc(north) - merc(view["latitude"])), abs(merc(south) - merc(view["latitude"])))
    return half_w, half_h * world / (2 * math.pi)


def stations_deck(labels=None, names_on_top: bool = False) -> dict:
    shapes = pd.DataFrame({"adcode": ["990101"], "geojson": [TALL]})
    frame = sl.Frame(shapes, shapes, (outlines(shapes, "county"),), "light", "", labels, names_on_top)
    return json.loads(sl.assemble([], frame).to_json())


def test_stations_map_shows_a_tall_scope_whole_at_its_size():
    view = stations_deck()["initialViewState"]
    half_w, half_h = pixel_box(view, 114.0, 30.0, 114.5, 31.6)
    assert half_h <= 360 / 2  # the map is 360 px high on the page (app_pages/stations.py)
    assert half_w <= 600 / 2
    assert half_h > 0.8 * 360 / 2  # and fills it: not zoomed out needlessly


def test_labels_name_cities_for_the_province_and_counties_for_a_city(fixture_wh):
    regions = fixture_wh.run("regions", as_of="2023-12-31")
    assert list(labelled_units(regions, ("990101", "990102")).name) == ["甲一区", "甲二县"]
    many = pd.concat([regions[regions.level != "county"], *[regions[regions.level == "county"]] * 8])  # 24 counties
    assert set(labelled_units(many, tuple(many.adcode)).name) == {"甲市", "乙市"}


def style_of(deck: dict) -> dict:
    """The MapLibre style a deck carries as a data: URL."""
    url = deck["mapStyle"]
    assert url.startswith("data:application/json;charset=utf-8,")
    return json.loads(unquote(url.split(",", 1)[1]))


def read_pbf(data: bytes) -> list[tuple[int, int, bytes | int]]:
    """The top-level fields of a protobuf message: (number, wire type, bytes or int)."""

    def varint(i):
        n = shift = 0
        while True:
            b = data[i]
            n |= (b & 0x7F) << shift
            i, shift = i + 1, shift + 7
            if not b & 0x80:
                return n, i

    out, i = [], 0
    while i < len(data):
        key, i = varint(i)
        if key & 7 == 0:
            value, i = varint(i)
        else:
            size, i = varint(i)
            value, i = data[i : i + size], i + size
        out.append((key >> 3, key & 7, value))
    return out


def glyphs_of(style: dict) -> dict[int, dict]:
    """The glyphs (id → fields by number) of the style's inline glyph file."""
    url = style["glyphs"]
    assert url.startswith("data:application/x-protobuf;font={fontstack};range={range};base64,")
    (stack,) = [v for n, _w, v in read_pbf(base64.b64decode(url.rsplit(",", 1)[1])) if n == 1]
    fields = read_pbf(stack)
    assert [v for n, _w, v in fields if n == 2] == [b"0-255"]
    glyphs = {}
    for n, _w, v in fields:
        if n == 3:
            g = {num: val for num, _wt, val in read_pbf(v)}
            glyphs[g[1]] = g
    return glyphs


WUHAN = pd.DataFrame(
    {
        "name": ["江汉区", "江岸区", "黄陂区"],
        "lon": [114.27, 114.30, 114.37],
        "lat": [30.60, 30.60, 30.87],
        "population": [647_932, 965_260, 1_151_772],
    }
)


def test_names_are_written_by_the_basemap_most_populous_first():
    deck = stations_deck(WUHAN)
    assert not [lyr for lyr in deck["layers"] if lyr["@@type"] == "TextLayer"]  # no deck.gl font atlas
    style = style_of(deck)
    names = next(lyr for lyr in style["layers"] if lyr["id"] == "names")
    assert names["type"] == "symbol"
    assert names["layout"]["symbol-sort-key"] == ["id"]  # colliding names: the lowest id is kept
    # each name by its point's id, most populous first; the points carry nothing but geometry
    assert names["layout"]["text-field"] == ["match", ["id"], 0, "黄陂区", 1, "江岸区", 2, "江汉区", ""]
    features = style["sources"]["names"]["data"]["features"]
    assert [(f["id"], f["properties"]) for f in features] == [(0, {}), (1, {}), (2, {})]
    assert features[0]["geometry"]["coordinates"] == [114.37, 30.87]
    assert style["layers"][-1]["id"] == "names"  # over the boundary lines
    assert glyphs_of(style) == {}  # Chinese names: every character drawn from the browser's own fonts


def test_names_over_deck_layers_are_a_text_layer_with_its_chinese_characters_and_a_local_font():
    units = pd.DataFrame({"name": ["恩施土家族苗族自治州", "武汉市"], "lon": [109.5, 114.3], "lat": [30.3, 30.6]})
    layer = json.loads(json.dumps(name_labels(units), default=lambda o: o.__dict__))
    assert layer["character_set"] == "".join(sorted(set("恩施土家族苗族自治州武汉市")))  # default: ASCII only
    assert layer["font_family"].startswith('"Noto Sans CJK SC"')  # no "@@=" expression, no web font
    deck = stations_deck(units.assign(population=[3_456_136, 12_326_518]), names_on_top=True)
    names = next(lyr for lyr in deck["layers"] if lyr["@@type"] == "TextLayer")
    assert set(names["characterSet"]) >= set("武汉市")
    assert "@@=" not in names["fontFamily"]
    assert "names" not in style_of(deck)["sources"]  # written once


def test_overlapping_names_over_deck_layers_keep_the_most_populous():
    import pydeck as pdk

    view = pdk.ViewState(longitude=114.3, latitude=30.7, zoom=8)  # 0.03° apart: ~11 px, names ~40 px wide
    assert list(declutter(WUHAN, view).name) == ["江岸区", "黄陂区"]
    assert len(declutter(WUHAN, pdk.ViewState(longitude=114.3, latitude=30.7, zoom=12))) == 3


def test_latin_names_get_their_glyphs_inline():
    style = style_of(stations_deck(WUHAN.assign(name=["Jianghan", "Jiang'an", "Huangpi"])))
    glyphs = glyphs_of(style)
    assert sorted(glyphs) == sorted({ord(c) for c in "JianghanJiang'anHuangpi"})
    for g in glyphs.values():  # a 3 px border around each bitmap, as MapLibre reads them
        assert len(g[2]) == (g[3] + 6) * (g[4] + 6)
    ell = glyphs[ord("i")]
    width, height, bitmap = ell[3], ell[4], ell[2]
    bottom_stem = (height + 6 - 6) * (width + 6) + 3 + width // 2  # the stem's middle, 3 px above its foot
    assert bitmap[bottom_stem] > 192  # inside the stroke: past the edge value 192
    assert bitmap[0] < 64  # the bitmap's corner, 3 px or more outside the glyph: far from the edge


def test_coverage_counties_are_filled_by_the_basemap_and_picked_by_deck():
    from uniondash.render.area_maps import coverage_deck

    other = TALL.replace("114.0", "115.0").replace("114.5", "115.5")
    shapes = pd.DataFrame({"adcode": ["990101", "990102"], "geojson": [TALL, other]})
    values = {"990101": 0.5, "990102": 0.9}
    deck = json.loads(
        coverage_deck(shapes, shapes.iloc[:0], values, {"990101": "甲一区"}, ("990101",), True, "zh", "light").to_json()
    )
    style = style_of(deck)
    fill = style["sources"]["fill"]["data"]["features"]
    # only the county in scope is filled (0.5 is the lowest value: the scale's lightest blue, at
    # 210/255), by its id; the other is in the same data for its outline, transparent; the data
    # carry geometry only (a restricted session's basemap holds no other county's figure)
    assert [(f["id"], f["properties"]) for f in fill] == [(0, {}), (1, {})]
    paint = style["layers"][1]["paint"]["fill-color"]
    assert paint == ["match", ["id"], 0, "rgba(222,235,247,0.82)", "rgba(0,0,0,0)"]
    assert [lyr["id"] for lyr in style["layers"]] == ["background", "fill", "fill-lines", "lines0"]  # lines over it
    assert style["layers"][2]["source"] == "fill"  # the counties' outlines from the same data, not sent twice
    (pick,) = deck["layers"]
    assert pick["getFillColor"] == [0, 0, 0, 0]  # transparent: there for the tooltip and the click
    assert pick["pickable"] is True
    assert [f["properties"] for f in pick["data"]["features"]] == [
        {"adcode": "990101", "name": "甲一区", "label": "50.0%"}
    ]


def test_stations_legend_names_each_kind_in_its_map_colour():
    html = legends.legend_html(legends.stations_items("points", ["outdoor_rest", "mental_care"], False, None, "zh"))
    assert "户外劳动者服务站点" in html
    assert "心灵护航加油站" in html
    assert "爱心母婴室" not in html  # filtered out: not on the map, not in the legend
    assert STATION_KIND_COLOURS["outdoor_rest"] in html
    cells = legends.legend_html(legends.stations_items("points", ["outdoor_rest"], True, None, "en"))
    assert "Dot size = stations in the grid cell" in cells


def test_overlays_and_choropleth_legends():
    html = legends.legend_html(legends.overlay_items(True, True, 2.5, False, "zh"))
    for words in ("新增", "关闭", "未覆盖", "2.5 公里"):
        assert words in html
    choropleth = coverage_legend({"a": 0.612, "b": 0.873, "c": float("nan")}, "工会组建率", True, "light", "zh")
    assert "工会组建率" in choropleth
    assert "61.2% – 87.3%" in choropleth  # the lowest and highest county, the gap left out
    assert "无数据" in choropleth


def legend_entries(html: str) -> list[tuple[str, str]]:
    """(line style, words) of each entry of a legend's HTML, in order."""
    return re.findall(r"border-top:([^\"]+)\"></span>([^<]+)</span>", html)


@pytest.mark.parametrize(
    ("lang", "theme", "expected"),
    [
        ("zh", "dark", [("2px solid #C8D0D8", "市界"), ("1px solid #5F6B78", "县界")]),
        ("en", "dark", [("2px solid #C8D0D8", "City border"), ("1px solid #5F6B78", "County border")]),
        ("zh", "light", [("2px solid #30363C", "市界"), ("1px solid #8C96A0", "县界")]),
        ("en", "light", [("2px solid #30363C", "City border"), ("1px solid #8C96A0", "County border")]),
    ],
)
def test_legend_strings_exist_in_both_languages(lang, theme, expected):
    """Each boundary is named in the viewer's language (an English string missing would fall back
    to the Chinese one) beside a line of the colour and width the map draws it with."""
    assert legend_entries(legends.legend_html(legends.outline_items(theme, lang))) == expected


def test_the_pick_layer_is_simplified_to_two_pixels_at_the_first_view():
    import pydeck as pdk

    from uniondash.render.area_maps import pick_shapes

    # a round county of 200 vertices, radius 0.5°
    step = 2 * math.pi / 200
    ring = [[114 + 0.5 * math.cos(step * i), 30 + 0.5 * math.sin(step * i)] for i in range(200)]
    polygon = json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]})
    shapes = pd.DataFrame({"adcode": ["990101"], "geojson": [polygon]})
    province = pick_shapes(shapes, pdk.ViewState(longitude=114, latitude=30, zoom=6))  # 2 px = 0.022°
    vertices = len(json.loads(province.geojson.iloc[0])["coordinates"][0])
    assert 10 < vertices < 60  # a circle of radius 0.5° within 0.022°: a few dozen vertices, not 201
    city = pick_shapes(shapes, pdk.ViewState(longitude=114, latitude=30, zoom=9))  # 2 px = 0.0027°
    assert city is shapes  # below the drawn outlines' own simplification: left as they are


def square(x0: int, x1: int) -> str:
    return json.dumps({"type": "Polygon", "coordinates": [[[x0, 0], [x1, 0], [x1, 1], [x0, 1], [x0, 0]]]})


def test_borders_are_drawn_once_and_not_under_the_larger_units_borders():
    """Three counties side by side (x 0–1, 1–2, 2–3), the first two one city (x 0–2), the third
    another (x 2–3). Their outlines are 12 units long; their borders, each stretch once, 10 (the
    rectangle's 8 and the borders at x = 1 and x = 2). Under the cities' borders (the rectangle
    and x = 2), only the border inside the first city is left: x = 1, from y 0 to 1."""
    counties = pd.DataFrame({"adcode": ["1", "2", "3"], "geojson": [square(0, 1), square(1, 2), square(2, 3)]})
    cities = pd.DataFrame({"adcode": ["A", "B"], "geojson": [square(0, 2), square(2, 3)]})

    def length(outline) -> float:
        return sum(
            math.dist(a, b)
            for g in outline.geojson
            for part in [json.loads(g)["coordinates"]]
            for a, b in zip(part, part[1:])
        )

    assert length(outlines(counties, "county")) == pytest.approx(10)
    assert length(outlines(cities, "city")) == pytest.approx(9)
    inside = outlines(counties, "county", under=cities)
    assert inside.kind == "county"
    assert [sorted(json.loads(g)["coordinates"]) for g in inside.geojson] == [[[1.0, 0.0], [1.0, 1.0]]]
    assert outlines(counties.iloc[:0], "county").geojson == ()
    unreadable = pd.DataFrame({"adcode": ["1", "2"], "geojson": [square(0, 1), '{"type": "Polygon", "coord']})
    assert length(outlines(unreadable, "county")) == pytest.approx(4)  # the square drawn, the broken one left out
