"""The 催报 list: the units still missing (not started or returned) as an XLSX and as a message
to copy into the office's chat or e-mail."""

from __future__ import annotations

import io

import pandas as pd

from uniondash.data.rounds.model import Round
from uniondash.text.i18n import t

MISSING = ("not_started", "returned")


def missing(board: pd.DataFrame) -> pd.DataFrame:
    return board[board.state.isin(MISSING)].reset_index(drop=True)


def reminder_frame(board: pd.DataFrame, lang: str) -> pd.DataFrame:
    late = missing(board)
    return pd.DataFrame(
        {
            t("rounds.col_city", lang): late.city_name,
            t("rounds.col_unit", lang): late.unit,
            t("rounds.col_name", lang): late.name,
            t("rounds.col_state", lang): [t(f"rounds.state.{s}", lang) for s in late.state],
            t("rounds.col_overdue", lang): [t("rounds.overdue", lang) if o else "" for o in late.overdue],
            t("rounds.col_reason", lang): late.reason,
        }
    )


def reminder_xlsx(board: pd.DataFrame, rnd: Round, lang: str) -> bytes:
    """Text is written as text: no cell becomes a formula or a link."""
    import xlsxwriter

    frame = reminder_frame(board, lang)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7"})
    sheet = book.add_worksheet(t("rounds.remind_sheet", lang)[:31])
    sheet.write(0, 0, t("rounds.remind_title", lang, id=rnd.id, due=rnd.due, n=len(frame)), head)
    for j, name in enumerate(frame.columns):
        sheet.write(2, j, name, head)
        sheet.set_column(j, j, 16)
    for i, row in enumerate(frame.itertuples(index=False), start=3):
        for j, value in enumerate(row):
            sheet.write_string(i, j, str(value))
    book.close()
    return buffer.getvalue()


def reminder_message(board: pd.DataFrame, rnd: Round, lang: str) -> str:
    late = missing(board)
    if late.empty:
        return t("rounds.remind_none", lang, id=rnd.id)
    sep = "、" if lang == "zh" else ", "
    # a county-level unit the province governs directly (仙桃市) is its own "city": named once
    names = sep.join(
        n if n == c else (f"{c}{n}" if lang == "zh" else f"{n} ({c})") for c, n in zip(late.city_name, late.name)
    )
    return t("rounds.remind_message", lang, id=rnd.id, due=rnd.due, n=len(late), names=names)
