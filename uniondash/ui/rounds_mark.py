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


CARRIED_NAMED = 10  # an export's header names at most this many carried counties, then how many


def carried_export_note(snapshot: Snapshot, units, names: dict[str, str], lang: str) -> str | None:
    """For an export's header block: which of the export's counties a round carried, and from
    which snapshot ("沿用 2023-12-31：甲二县、乙一县"), or None when none was (or no round made
    the snapshot)."""
    marks = carried_units(snapshot)
    carried = [u for u in units if u in marks]
    if not carried:
        return None
    froms = sorted({f for u in carried for f in marks[u].values()})
    sep = "、" if lang == "zh" else ", "
    listed = sep.join(names.get(u, u) for u in carried[:CARRIED_NAMED])
    if len(carried) > CARRIED_NAMED:  # a round most counties missed: the first names and how many
        listed += t("rounds.carried_more", lang, n=len(carried))
    return t("rounds.carried_export", lang, as_of="、".join(froms), units=listed)
