"""What a slide says, independent of where it is drawn: /present draws it with Streamlit, the
briefing export writes the same objects to PPTX and PDF, so the screen and the file never differ.

The privacy guard lives here too: every count a slide shows goes through count_text (under 5 is
"<5"), and slides carry no personal names at all (only units, places and honour types)."""

from __future__ import annotations

from dataclasses import dataclass, field

import plotly.graph_objects as go

SMALL = 5  # counts under this are suppressed on shared screens (docs/architecture.md, Privacy and security rules)


def count_text(n: float | int | None, lang: str = "zh") -> str:
    """A count as shown on a slide: thousands separated, anything under SMALL as '<5'."""
    from uniondash.text import fmt

    if n is None:
        return "—"
    if n < SMALL:
        return f"<{SMALL}"
    return fmt.number(n, lang)


@dataclass(frozen=True)
class Tile:
    """A big number: label, value, one line of detail; tone good | bad | neutral."""

    label: str
    value: str
    detail: str = ""
    tone: str = "neutral"


@dataclass(frozen=True)
class Slide:
    kind: str
    title: str
    tiles: tuple[Tile, ...] = ()
    bullets: tuple[str, ...] = ()
    figure: go.Figure | None = None
    caption: str = ""  # what the figure shows, with units
    notes: tuple[str, ...] = ()  # privacy and method notes, shown small
    meta: dict = field(default_factory=dict)  # org, snapshot, scope, demo: the footer of every page
    # Side-by-side lists, (heading, lines) each, drawn instead of the bullets where given (本期变化:
    # rises | declines; a county in focus: strengths | gaps); bullets keep every line for the notes.
    columns: tuple[tuple[str, tuple[str, ...]], ...] = ()


def footer_text(meta: dict, labels: dict[str, str]) -> str:
    """One line for the foot of every slide and page: org · snapshot · scope · compare · demo."""
    parts = [meta.get("org", ""), f"{labels['snapshot']} {meta.get('snapshot', '')}", meta.get("scope", "")]
    if meta.get("filters"):
        parts.append(meta["filters"])
    if meta.get("demo"):
        parts.append(labels["demo"])
    return " · ".join(p for p in parts if p)
