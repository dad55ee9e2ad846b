"""What the round commands print: the status board (a table, or CSV) and a review."""

from __future__ import annotations

import csv
import sys

import pandas as pd

from uniondash.data.rounds.model import Round, RoundStore
from uniondash.data.rounds.ops import STATUS_COLUMNS, city_totals
from uniondash.data.rounds.review import review as make_review
from uniondash.text.i18n import t


def status(board: pd.DataFrame, rnd: Round, csv: bool = False, lang: str = "zh") -> None:
    if csv:
        _csv(board)
        return
    print(t("rounds.cli_round", lang, id=rnd.id, due=rnd.due, tables=",".join(rnd.tables)))
    shown = board[list(STATUS_COLUMNS)].copy()
    shown["overdue"] = shown.overdue.map({True: "overdue", False: ""})
    print(shown.to_string(index=False))
    print()
    print(city_totals(board).to_string(index=False))


def status_header() -> None:
    csv.writer(sys.stdout, lineterminator="\n").writerow(STATUS_COLUMNS)


def _csv(board: pd.DataFrame) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(STATUS_COLUMNS)
    for row in board[list(STATUS_COLUMNS)].itertuples(index=False):
        writer.writerow(["true" if v is True else "false" if v is False else v for v in row])


def review(store: RoundStore, unit: str, lang: str = "zh") -> None:
    from uniondash.data.rounds.kpis import kpis_before_after

    rv = make_review(store, unit)
    print(t("rounds.cli_review", lang, unit=unit, version=rv.version, by=rv.by, at=rv.at, state=rv.state))
    for table, ch in rv.tables.items():
        print(
            t(
                "rounds.cli_changes",
                lang,
                table=table,
                added=len(ch.added),
                removed=len(ch.removed),
                changed=len(ch.changed),
            )
        )
        for row in ch.added.itertuples(index=False):
            print("  + " + " | ".join(str(v) for v in row[:4]))
        for row in ch.removed.itertuples(index=False):
            print("  - " + " | ".join(str(v) for v in row[:4]))
        for c in ch.changed.itertuples(index=False):
            print(f"  ~ {c.key} {c.column}: {c.before} → {c.after}")
    kpis = kpis_before_after(store.base(store.current()), unit, rv.after)
    for k in kpis.itertuples(index=False):
        name = k.name_en if lang == "en" else k.name_zh
        print(f"  {name}: {_num(k.before, k.percent)} → {_num(k.after, k.percent)}")


def _num(x, percent: bool) -> str:
    if x is None or pd.isna(x):
        return "—"
    return f"{x * 100:.1f}%" if percent else f"{x:,.2f}".rstrip("0").rstrip(".")
