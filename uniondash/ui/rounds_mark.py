"""The 沿用 mark: a county whose rows a round carried from an older snapshot (it submitted
nothing that was accepted) says so where its figures show: "沿用 2023-12-31"."""

from __future__ import annotations

from uniondash.data.rounds import carried_units
from uniondash.data.rounds.checking import table_label
from uniondash.data.snapshots import Snapshot
from uniondash.text.i18n import t


def carried_note(snapshot: Snapshot, unit: str, lang: str) -> str | None:
    """ "沿用 2023-12-31" (with the tables when only some were carried), or None."""
    marks = carried_units(snapshot).get(unit)
    if not marks:
        return None
    tables = (snapshot.manifest.get("round") or {}).get("tables") or []
    froms = sorted(set(marks.values()))
    text = t("rounds.carried", lang, as_of="、".join(froms))
    if set(marks) != set(tables):
        sep = "、" if lang == "zh" else ", "
        text += t("rounds.carried_tables", lang, tables=sep.join(table_label(tb, lang) for tb in marks))
    return text
