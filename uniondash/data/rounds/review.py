"""What a unit's submission changes against the newest snapshot: rows added, closed (left out) or
removed, and changed with the changed cells; and the unit's KPIs before → after, evaluated by the
KPI catalogue (uniondash.metrics) from the same counts the dashboard sums."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from uniondash.data.rounds.merge import KEYS, left_out
from uniondash.data.rounds.model import RoundError, RoundStore, bilingual
from uniondash.data.schema import TABLES


@dataclass
class TableChanges:
    table: str
    added: pd.DataFrame  # submitted rows with no match in the snapshot
    removed: pd.DataFrame  # the snapshot's rows the submission leaves out (stations: closed, not deleted)
    changed: pd.DataFrame  # one row per changed cell: key, column, before, after, row (the upload's)
    unchanged: int = 0


@dataclass
class Review:
    unit: str
    version: str
    state: str
    by: str
    at: str
    tables: dict[str, TableChanges] = field(default_factory=dict)
    before: dict[str, pd.DataFrame] = field(default_factory=dict)  # the unit's rows in the snapshot
    after: dict[str, pd.DataFrame] = field(default_factory=dict)  # the unit's rows once accepted


def _key(frame: pd.DataFrame, table: str) -> pd.Series:
    cols = KEYS[table]
    if not len(frame):
        return pd.Series([], dtype=object)
    key = frame[cols[0]].astype(str)
    for col in cols[1:]:
        key = key + " / " + frame[col].astype(str)
    return key.reset_index(drop=True)


def _differs(a, b) -> np.ndarray:
    """Cell by cell: not equal, two missing values counting as equal."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    both_missing = pd.isna(a) & pd.isna(b)
    return ~(both_missing | (a == b))


def table_changes(table: str, before: pd.DataFrame, submitted: pd.DataFrame) -> TableChanges:
    names = TABLES[table].names
    if table == "stations":
        new = submitted[submitted.station_id.isna()]
        known = submitted[submitted.station_id.notna()]
    else:
        new, known = submitted.iloc[0:0], submitted
    bkey, skey = _key(before, table), _key(known, table)
    added = pd.concat([new, known[~skey.isin(set(bkey)).to_numpy()]], ignore_index=True)
    removed = before[~bkey.isin(set(skey)).to_numpy()]
    if table == "stations":
        removed = left_out(before, set(before.adcode), known)
    old = before.assign(_key=bkey.to_numpy()).drop_duplicates("_key").set_index("_key")
    now = known.assign(_key=skey.to_numpy()).drop_duplicates("_key").set_index("_key")
    common = now.index[now.index.isin(old.index)]
    cells = []
    any_diff = np.zeros(len(common), dtype=bool)
    for col in names:
        before_values, after_values = old.loc[common, col].to_numpy(), now.loc[common, col].to_numpy()
        diff = _differs(before_values, after_values)
        any_diff |= diff
        rows = now.loc[common, "_row"].to_numpy()
        for i in np.flatnonzero(diff):
            cells.append(
                {
                    "key": common[i],
                    "column": col,
                    "before": before_values[i],
                    "after": after_values[i],
                    "row": int(rows[i]),
                }
            )
    order = {k: i for i, k in enumerate(common)}
    cells.sort(key=lambda c: (order[c["key"]], names.index(c["column"])))
    changed = pd.DataFrame(cells, columns=["key", "column", "before", "after", "row"])
    unchanged = int((~any_diff).sum())
    return TableChanges(table, added[[*names, "_row"]] if len(added) else added, removed[names], changed, unchanged)


def review(store: RoundStore, unit: str, version: str | None = None) -> Review:
    rnd = store.current()
    state = store.unit(rnd, unit)
    if not state.versions:
        raise RoundError(bilingual(f"单位 {unit} 尚未提交", f"unit {unit} has not submitted"))
    chosen = next((v for v in state.versions if v["version"] == version), None) if version else state.latest
    if chosen is None:
        raise RoundError(bilingual(f"单位 {unit} 没有版本 {version}", f"unit {unit} has no version {version}"))
    base = store.base(rnd)
    submitted = store.version_tables(rnd, unit, chosen["version"])
    out = Review(unit, chosen["version"], state.state, chosen["by"], chosen["at"])
    for table in rnd.tables:
        before = pq.read_table(base.table_path(table), filters=[("adcode", "=", unit)]).to_pandas()
        out.before[table] = before
        if table not in submitted:
            out.after[table] = before
            continue
        rows = submitted[table]
        out.tables[table] = table_changes(table, before, rows)
        after = rows[TABLES[table].names]
        if table == "stations":
            after = pd.concat([after, left_out(before, [unit], rows)[TABLES[table].names]], ignore_index=True)
        out.after[table] = after
    return out
