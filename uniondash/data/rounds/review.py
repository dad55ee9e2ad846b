"""What a unit's submission changes against the newest snapshot: rows added, closed (left out) or
removed, and changed with the changed cells; and the unit's KPIs before → after, evaluated by the
KPI catalogue (uniondash.metrics) from the same counts the dashboard sums."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    return frame[list(cols)].astype(str).agg(" / ".join, axis=1) if len(frame) else pd.Series([], dtype=str)


def _same(a, b) -> bool:
    if (a is None or (not isinstance(a, str) and pd.isna(a))) and (
        b is None or (not isinstance(b, str) and pd.isna(b))
    ):
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


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
    old = before.assign(_key=bkey.to_numpy()).set_index("_key")
    cells, unchanged = [], 0
    for key, (_, row) in zip(skey, known.iterrows()):
        if key not in old.index:
            continue
        prior = old.loc[key]
        diff = [c for c in names if not _same(prior[c], row[c])]
        unchanged += not diff
        for c in diff:
            cells.append({"key": key, "column": c, "before": prior[c], "after": row[c], "row": int(row["_row"])})
    changed = pd.DataFrame(cells, columns=["key", "column", "before", "after", "row"])
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
