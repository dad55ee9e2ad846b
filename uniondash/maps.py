"""Map builders: pydeck decks that need no internet.

No tile basemap: the style is a single background layer (no sources, glyphs or sprites), so
the browser requests nothing; city and county boundaries drawn as layers complete the map.
Pure functions: data in, a deck out.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import pydeck as pdk

BACKGROUND = {"light": "#EEF1F4", "dark": "#15191E"}


def offline_style(theme: str = "light") -> str:
    """A MapLibre style with no sources, as a data: URL (the chart takes a style URL string).

    Without a style of its own, Streamlit's map loads a CARTO basemap from the internet."""
    style = {"version": 8, "sources": {}, "layers": [
        {"id": "background", "type": "background", "paint": {"background-color": BACKGROUND[theme]}}]}
    return "data:application/json;charset=utf-8," + quote(json.dumps(style, separators=(",", ":")))


def offline_deck(layers: list, view_state: pdk.ViewState, tooltip=None, theme: str = "light") -> pdk.Deck:
    deck = pdk.Deck(layers=layers, initial_view_state=view_state, map_provider=None, map_style=None,
                    tooltip=tooltip if tooltip is not None else False)
    deck.map_style = offline_style(theme)  # pydeck would rewrite a style it does not know; set it directly
    return deck
