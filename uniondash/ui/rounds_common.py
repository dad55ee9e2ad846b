"""What the round panels of /data share: the data folder's rounds, the region, the board in the
user's language and a problem list."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from uniondash import clock
from uniondash.data import rounds as R
from uniondash.data.importer import to_frame
from uniondash.data.rounds.checking import table_label
from uniondash.text.i18n import t
from uniondash.ui.parts import md_escape


def store_for(settings) -> R.RoundStore:
    return R.RoundStore(settings.data_dir, settings.timezone)


def region_of(store: R.RoundStore, settings) -> str:
    return store.base().manifest.get("region_adcode") or settings.region_adcode


def round_caption(rnd: R.Round, lang: str) -> None:
    tables = "、".join(table_label(tb, lang) for tb in rnd.tables)
    st.caption(
        t("rounds.ui_round", lang, id=rnd.id, due=rnd.due, tables=tables)
        + (f" · {md_escape(rnd.note)}" if rnd.note else "")
    )


def local_times(stamps: pd.Series) -> pd.Series:
    """Stored UTC instants ("2024-07-08T03:00:00+00:00") as the region's wall time ("2024-07-08 11:00");
    empty where there is none."""
    parsed = pd.to_datetime(stamps.replace("", None), utc=True, errors="coerce")
    return parsed.dt.tz_convert(clock.REGION_TZ).dt.strftime("%Y-%m-%d %H:%M").fillna("")


def board_frame(board: pd.DataFrame, lang: str, with_reason: bool = True) -> pd.DataFrame:
    """The status board with headers and states in the user's language; overdue marked."""
    out = pd.DataFrame(
        {
            t("rounds.col_city", lang): board.city_name,
            t("rounds.col_unit", lang): board.unit,
            t("rounds.col_name", lang): board.name,
            t("rounds.col_state", lang): [t(f"rounds.state.{s}", lang) for s in board.state],
            t("rounds.col_overdue", lang): [t("rounds.overdue", lang) if o else "" for o in board.overdue],
            t("rounds.col_submitted_at", lang): local_times(board.submitted_at),
            t("rounds.col_by", lang): board.by,
            t("rounds.col_rows", lang): board.rows,
        }
    )
    if with_reason:
        out[t("rounds.col_reason", lang)] = board.reason
    if board.carried.astype(bool).any():  # published: the units whose rows were carried say so
        out[t("rounds.col_carried", lang)] = [t("rounds.carried", lang, as_of=c) if c else "" for c in board.carried]
    return out


def totals_frame(board: pd.DataFrame, lang: str) -> pd.DataFrame:
    totals = R.city_totals(board)
    return pd.DataFrame(
        {
            t("rounds.col_city", lang): totals.city_name,
            t("rounds.col_units", lang): totals.units,
            **{t(f"rounds.state.{s}", lang): totals[s] for s in R.STATES},
            t("rounds.overdue_of", lang): totals.overdue,
        }
    )


SHOWN_LINES = 10  # problems also written out as lines (the table draws on a canvas: not read aloud, not copied)


def show_problems(problems, lang: str, key: str) -> None:
    st.error(t("rounds.ui_refused", lang, n=len(problems)), icon=":material/error:")
    st.markdown("\n".join(f"- {md_escape(p.line(lang))}" for p in problems[:SHOWN_LINES]))
    st.dataframe(to_frame(problems, lang), hide_index=True, width="stretch", key=key, placeholder="—")
