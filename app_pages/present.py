"""Presentation mode (/present): a deck of slides for a shared screen, in the big-screen style;
the slides are built in uniondash.ui.present."""

from __future__ import annotations

from uniondash.ui.present.page import present
from uniondash.ui.view import current_view

present(current_view())
