"""The east-Asian typeface a briefing names: the PPTX's <a:ea> (and Latin) font, first in the PDF's
font list. Recipients open PPTX files on Windows and WPS, which have 微软雅黑 and not the Noto CJK
the server draws with, so that is the default; uniondash.toml [briefing] east_asian_font (or
UNIONDASH_BRIEFING_FONT) names another. PDF and PNG are drawn on the server, where fontconfig
falls back to Noto Sans CJK SC (fonts-noto-cjk) when the named face is absent: no tofu either way."""

from __future__ import annotations

import os
import re
import tomllib

from uniondash.config import CONFIG_FILE
from uniondash.errors import UserFacingError

ENV = "UNIONDASH_BRIEFING_FONT"
DEFAULT = "微软雅黑"
SERVER_FALLBACK = "Noto Sans CJK SC"  # what fonts-noto-cjk installs: the PDF's and PNG's actual glyphs
# A font family name: letters (any script), digits, spaces and - _ . only, so that it is safe
# inside the PDF's CSS and the PPTX's XML attribute alike.
NAME_RE = re.compile(r"^[\w .\-]{1,64}$")


def east_asian_font() -> str:
    name = os.environ.get(ENV, "").strip()
    if not name and CONFIG_FILE.exists():
        name = str(
            tomllib.loads(CONFIG_FILE.read_text(encoding="utf-8")).get("briefing", {}).get("east_asian_font", "")
        )
    name = name.strip() or DEFAULT
    if not NAME_RE.match(name):
        raise UserFacingError(
            f"简报字体名称无效：{name[:64]!r}（uniondash.toml [briefing] east_asian_font 或 {ENV}）。"
            f" / Invalid briefing typeface {name[:64]!r} ([briefing] east_asian_font or {ENV})."
        )
    return name


def css_font_list() -> str:
    """The PDF's font-family: the configured face, then the server's Noto CJK."""
    return f'"{east_asian_font()}", "{SERVER_FALLBACK}", sans-serif'
