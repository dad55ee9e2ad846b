"""Themes light, dark and 大屏 ("screen"), kept in the URL (`theme=`), and the product's CSS.

Streamlit has no per-session theme call: its light and dark themes are chosen at page load by the
URL's `embed_options=light_theme|dark_theme`. So the theme lives in our own `theme=` parameter,
and when the page's loaded Streamlit theme differs from it, a small script reloads the page once
with the matching embed option. "screen" is the dark theme plus larger type (SCREEN_CSS) and
the dark chart templates (uniondash.render.palette).

The CSS also fixes contrast (WCAG AA, axe-core colour-contrast): Streamlit's default caption
colour (#828180 on white, 3.88:1) and the selected segmented button (#0072b2 on #dfebf0, 4.26:1).

A headline number is at least twice its label's size in every theme (light and dark: 36 px under
14 px; 大屏: 41.6 px under 18 px). The number is drawn in a <p> inside stMetricValue, so 大屏's
larger body type (`.stApp p`) must not reach it: it once shrank the numbers to their labels' 18 px.

On phones a chart's toolbar (the camera button, always shown on touch screens) sits in a strip of
its own above the chart, and chart titles are set a size smaller: a title ran under the camera.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from urllib.parse import urlencode

import streamlit as st

from uniondash.render.palette import ACTIVE, THEME_COLOURS, THEMES

SEEDED = "_theme_seeded"
EMBED = {"light": "light_theme", "dark": "dark_theme", "screen": "dark_theme"}

BASE_CSS = """
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p,
[data-testid="stWidgetLabel"] [data-testid="stMarkdownContainer"] p small,
[data-testid="stMetricDeltaDescription"] { color: var(--ud-muted) !important; opacity: 1 !important; }
[data-testid="stCaptionContainer"] { opacity: 1 !important; }  /* Streamlit fades captions to 0.6 */
[data-variant="segmented_control"][data-selected="true"],
[data-variant="segmented_control"][data-selected="true"] p { color: var(--ud-active) !important; }
span[data-tag] { background-color: #005A8C !important; }
span[data-tag], span[data-tag] span, span[data-tag] button { color: #FFFFFF !important; }
[data-testid="stMetricLabel"] p, [data-testid="stMetricLabel"] div { color: var(--ud-text) !important; }
"""
SCREEN_CSS = """
[data-testid="stAppViewContainer"] { background: var(--ud-bg) !important; }
.stApp, .stApp p, .stApp li, .stApp label { font-size: 18px; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: 2.6rem !important; }
"""
# The toolbar's strip above a chart on phones: as tall as Plotly's modebar (25 px) and a little air.
MODEBAR_STRIP_PX = 28
PHONE_CSS = f"""
@media (max-width: 640px) {{
  [data-testid="stMainBlockContainer"] {{ padding: 3.2rem 0.8rem 2rem !important; }}
  h1 {{ font-size: 1.6rem !important; }}
  [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {{ font-size: 12px !important; }}
  html, body {{ overflow-x: hidden; }}
  /* the strip is room above the chart's box, not inside it: Streamlit holds the box at the figure's
     height (contain: size), so a strip inside it cut off the figure's last 28 px (the heat table's
     last row) */
  [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"]) {{ padding-top: {MODEBAR_STRIP_PX}px; }}
  [data-testid="stPlotlyChart"] .js-plotly-plot {{ overflow: visible !important; }}
  /* a table's toolbar, always shown on a touch screen, sits in a strip of its own: it covered the
     category labels of the chart above */
  [data-testid="stElementContainer"]:has([data-testid="stDataFrame"]) {{ margin-top: {MODEBAR_STRIP_PX}px; }}
  [data-testid="stPlotlyChart"] .js-plotly-plot .plotly .modebar-container {{ top: -{MODEBAR_STRIP_PX}px !important; }}
  [data-testid="stPlotlyChart"] .js-plotly-plot .gtitle {{ font-size: 14px !important; }}
}}
"""


def seed_theme(state: MutableMapping, params) -> None:
    """Once per session: a valid `theme=` from the URL picks the theme (anything else is ignored)."""
    if state.get(SEEDED):
        return
    value = params.get("theme")
    if value in THEMES:
        state["theme"] = value
    state[SEEDED] = True


def current_theme(default: str | None = None) -> str:
    """The product theme in force: the chosen one, else the default given, else Streamlit's."""
    chosen = st.session_state.get("theme") or default
    if chosen in THEMES:
        return chosen
    try:
        return "dark" if st.context.theme.type == "dark" else "light"
    except AttributeError:
        return "light"


def write_theme(params, state: MutableMapping) -> None:
    chosen = state.get("theme")
    if chosen in THEMES:
        if params.get("theme") != chosen:
            params["theme"] = chosen
    elif "theme" in params:
        del params["theme"]


def _css(theme: str) -> str:
    c = THEME_COLOURS[theme]
    active = ACTIVE["light" if theme == "light" else "dark"]
    variables = (
        f":root {{ --ud-bg: {c['bg']}; --ud-text: {c['text']}; --ud-muted: {c['muted']}; --ud-active: {active}; }}"
    )
    return variables + BASE_CSS + (SCREEN_CSS if theme == "screen" else "") + PHONE_CSS


# sessionStorage key set while a sign-in's cookie hand-over (ui/signin.after_signin) is in flight:
# a theme reload waits for it (up to 5 s), or the reload aborts the request and the page that comes
# back is the sign-in form again (a kiosk signing in on / lands on /present, whose screen theme reloads).
HANDOVER_PENDING = "ud-handover-pending"
HANDOVER_DONE = "ud-handover-done"  # the tag of the last hand-over finished (ui/signin.handover_tag)


def _reload_script(theme: str, query: str, handover: str | None = None) -> str:
    """Reload once with the embed option matching `theme` when the loaded Streamlit theme differs
    (judged by the app's background). sessionStorage stops a loop if the option did not take.
    `query` is the URL's query as the run began: the reloaded page sees what this one was asked
    (values the run is about to drop, with a notice, must reach the run that shows the notice)."""
    want_dark = "true" if theme != "light" else "false"
    return f"""<script>
(() => {{
  // Streamlit's own theme shows in .stApp's background (the product CSS paints the view container
  // above it, never .stApp itself).
  const probe = document.querySelector('.stApp');
  if (!probe) return;
  const m = getComputedStyle(probe).backgroundColor.match(/\\d+/g) || [255, 255, 255];
  const isDark = (+m[0] + +m[1] + +m[2]) < 384;
  if (isDark === {want_dark}) return;
  // one reload per target theme within 8 s (a loop guard): switching back at once still reloads
  const key = 'ud-theme-reload:{theme}', now = Date.now(), last = +(sessionStorage.getItem(key) || 0);
  if (now - last < 8000) return;
  sessionStorage.setItem(key, String(now));
  const u = new URL(window.location.href);
  u.search = {json.dumps(query)};
  u.searchParams.set('theme', '{theme}');
  u.searchParams.set('embed_options', '{EMBED[theme]}');
  // a sign-in's cookie hand-over on this run: wait until the browser has finished it (6 s at most)
  const awaited = {json.dumps(handover or "")}, start = Date.now();
  const go = (tries) => {{
    const since = +(sessionStorage.getItem('{HANDOVER_PENDING}') || 0);
    const busy = since && Date.now() - since < 5000;
    const notYet = awaited && sessionStorage.getItem('{HANDOVER_DONE}') !== awaited && Date.now() - start < 6000;
    if ((busy || notYet) && tries < 80) {{ setTimeout(() => go(tries + 1), 100); return; }}
    window.location.replace(u.toString());
  }};
  go(0);
}})();
</script>"""


SCRIPT_BOX = "ud_theme_script"
SCRIPT_BOX_CSS = f".st-key-{SCRIPT_BOX} {{ display: none !important; }}"


def apply_theme(theme: str, explicit: bool, handover: str | None = None) -> None:
    """The product CSS for the theme; when a theme was asked for, make Streamlit's match it.
    Call it before anything writes to the URL."""
    st.html(f"<style>{_css(theme) + SCRIPT_BOX_CSS}</style>")
    # The reload script sits in a keyed container drawn on every run and hidden by CSS: the page's
    # first element is the same whether or not a script is in it this run (a script appearing on
    # later runs shifted every element below by one place, Streamlit redrew them all and the
    # browser lost the page's scroll position), and it takes no room on the first screen.
    box = st.container(key=SCRIPT_BOX)
    if explicit:
        params = st.query_params
        query = urlencode([(k, v) for k in params for v in params.get_all(k)])
        box.html(_reload_script(theme, query, handover), unsafe_allow_javascript=True)


def theme_control(lang: str) -> None:
    """The sidebar's theme switch (light, dark, 大屏)."""
    from uniondash.text.i18n import t

    st.segmented_control(t("theme.label", lang), THEMES, key="theme", format_func=lambda k: t(f"theme.{k}", lang))
