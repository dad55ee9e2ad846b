"""Latin glyphs for the basemap's place names, made here: no font server and no internet.

MapLibre draws text only with a `glyphs` source, signed-distance-field bitmaps in its protobuf
format, one file per range of 256 code points. Chinese characters it draws itself from the
browser's own fonts (its "local ideographs"), so only the Latin letters of English names are
needed: the glyphs of the committed table latin_glyphs.json (made from Noto Sans CJK SC, the
product's font, by `python -m uniondash.render.glyphs FONT`), packed for the characters the names
use, and inlined in the map's style as a data: URL.
"""

from __future__ import annotations

import base64
import functools
import json
import sys
from pathlib import Path

TABLE = Path(__file__).with_name("latin_glyphs.json")
SIZE_PX, BUFFER_PX, RADIUS_PX, CUTOFF = 24, 3, 8, 0.25  # MapLibre's glyph conventions
FONT_NAME = "Noto Sans Regular"  # the name the style's text-font asks for; any name works inline
CHARS = range(32, 256)  # Basic Latin and Latin-1: every character an English name here uses


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(number: int, value) -> bytes:
    """One protobuf field: an unsigned varint (int) or a length-delimited one (bytes, str)."""
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _zigzag(n: int) -> int:
    return (n << 1) ^ (n >> 31)


def _glyph(code: int, g: dict) -> bytes:
    body = _field(1, code)
    if g["bitmap"]:
        body += _field(2, base64.b64decode(g["bitmap"]))
    body += _field(3, g["width"]) + _field(4, g["height"])
    body += _field(5, _zigzag(g["left"])) + _field(6, _zigzag(g["top"])) + _field(7, g["advance"])
    return body


@functools.cache
def _table() -> dict[int, dict]:
    return {int(k): v for k, v in json.loads(TABLE.read_text(encoding="utf-8")).items()}


def pbf(text: str, first: int = 0) -> bytes:
    """The glyph file of range first–first+255 holding the characters of `text` in it."""
    table = _table()
    codes = sorted({ord(c) for c in text if first <= ord(c) < first + 256 and ord(c) in table})
    stack = _field(1, FONT_NAME) + _field(2, f"{first}-{first + 255}")
    for code in codes:
        stack += _field(3, _glyph(code, table[code]))
    return _field(1, stack)


@functools.lru_cache(maxsize=64)
def glyphs_url(text: str) -> str:
    """A style's `glyphs` for names made of `text`'s characters: every range MapLibre asks for gets
    this one file ({fontstack} and {range}, which the style must name, sit in the data: URL's
    parameters, which a browser ignores). Only Latin is asked for: Chinese is drawn locally."""
    data = base64.b64encode(pbf(text)).decode()
    return "data:application/x-protobuf;font={fontstack};range={range};base64," + data


def make_table(font_path: str, index: int = 0) -> dict[int, dict]:
    """Each character's signed distance field at 24 px with a 3 px border, as MapLibre's glyph
    tools make them (value 255 − 255 × (distance / 8 + 0.25), the edge at 192), and its metrics:
    left bearing, top (above the baseline, less the font's ascender), advance."""
    import numpy as np
    from PIL import ImageFont
    from scipy.ndimage import distance_transform_edt

    font = ImageFont.truetype(font_path, SIZE_PX, index=index)
    table = {}
    for code in CHARS:
        ch = chr(code)
        if not ch.isprintable():
            continue
        mask, (left, top) = font.getmask2(ch, mode="L")
        w, h = mask.size
        advance = round(font.getlength(ch))
        if w == 0 or h == 0:
            table[code] = {"width": 0, "height": 0, "left": 0, "top": -top, "advance": advance, "bitmap": ""}
            continue
        alpha = np.zeros((h + 2 * BUFFER_PX, w + 2 * BUFFER_PX))
        alpha[BUFFER_PX : BUFFER_PX + h, BUFFER_PX : BUFFER_PX + w] = np.asarray(mask, dtype=float).reshape(h, w) / 255
        inside = alpha > 0.5
        dist = distance_transform_edt(~inside) - distance_transform_edt(inside)
        edge = (alpha > 0) & (alpha < 1)
        dist[edge] = 0.5 - alpha[edge]  # partly covered pixels: their coverage says how far in
        sdf = np.clip(np.round(255 - 255 * (dist / RADIUS_PX + CUTOFF)), 0, 255).astype(np.uint8)
        table[code] = {
            "width": w,
            "height": h,
            "left": left,
            "top": -top,
            "advance": advance,
            "bitmap": base64.b64encode(sdf.tobytes()).decode(),
        }
    return table


if __name__ == "__main__":  # python -m uniondash.render.glyphs /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc 2
    made = make_table(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    TABLE.write_text(json.dumps({str(k): v for k, v in made.items()}, separators=(",", ":")), encoding="utf-8")
    print(f"{len(made)} glyphs → {TABLE}")
