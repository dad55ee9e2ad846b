"""A unit's KPIs before → after its submission: the named query unit_measures run over the newest
snapshot and over the same snapshot with the unit's rows replaced, its counts summed for the unit
(uniondash.metrics.measures) and each catalogue KPI evaluated from the sums
(uniondash.metrics.kpis.compute_kpis, the one place a rate is formed)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from uniondash.config import QUERIES_DIR
from uniondash.data.schema import TABLES
from uniondash.data.snapshots import Snapshot
from uniondash.data.sql_files import connect, sql_literal
from uniondash.data.warehouse import load_query
from uniondash.metrics.kpis import compute_kpis, load_catalogue
from uniondash.metrics.measures import scope_measures

# Tables whose every row belongs to one county (its adcode): a unit's measures read only its own
# rows there, so the views hold only those (the review stays fast on the whole region).
PER_UNIT = ("coverage", "nef_membership", "stations", "demand_points")


def _view(con, table: str, base: Snapshot, unit: str, frame: pd.DataFrame | None) -> None:
    """One table as the warehouse shows it (with as_of); a frame given replaces the snapshot's.
    View DDL takes no bound parameters: the view's name is only ever a contract table's (checked
    here), and the values are written as escaped literals (sql_literal)."""
    if table not in TABLES:
        raise ValueError(f"not a table of the contract: {table!r}")
    if frame is not None:
        arrow = pa.Table.from_pandas(frame[TABLES[table].names], schema=TABLES[table], preserve_index=False)
        arrow = arrow.add_column(0, "as_of", pa.array([pd.Timestamp(base.as_of).date()] * arrow.num_rows, pa.date32()))
        con.register(f"_{table}", arrow)
        con.execute(f"create or replace view {table} as select * from _{table}")  # noqa: S608
        return
    # view DDL takes no parameters: the path comes from a verified manifest, as a literal
    where = f" where adcode = {sql_literal(unit)}" if table in PER_UNIT else ""
    con.execute(
        f"create or replace view {table} as select cast({sql_literal(base.as_of)} as date) as as_of, *"  # noqa: S608
        f" from read_parquet({sql_literal(str(base.table_path(table)))}){where}"
    )


def kpis_before_after(base: Snapshot, unit: str, replaced: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per catalogue KPI that has a value for the unit: code, name_zh, name_en, unit_zh,
    unit_en, percent, before, after."""
    catalogue = load_catalogue()
    query = load_query("unit_measures")
    values = {}
    con = connect()
    try:
        for table in TABLES:
            _view(con, table, base, unit, None)
        for macro in sorted((QUERIES_DIR / "macros").glob("*.sql")):
            con.execute(macro.read_text(encoding="utf-8"))
        for side in ("before", "after"):
            if side == "after":
                for table, frame in replaced.items():
                    _view(con, table, base, unit, frame[frame.adcode == unit])
            measures = scope_measures(con.execute(query.sql, {"as_ofs": [base.as_of]}).df(), [unit])
            kpis = compute_kpis(measures, catalogue)
            values[side] = dict(zip(kpis.code, kpis.value))
    finally:
        con.close()
    rows = []
    for k in catalogue.kpis:
        before, after = values["before"].get(k.code), values["after"].get(k.code)
        if _none(before) and _none(after):
            continue
        rows.append(
            {
                "code": k.code,
                "name_zh": k.name_zh,
                "name_en": k.name_en,
                "unit_zh": k.unit_zh,
                "unit_en": k.unit_en,
                "percent": k.is_percent,
                "before": None if _none(before) else float(before),
                "after": None if _none(after) else float(after),
            }
        )
    return pd.DataFrame(
        rows, columns=["code", "name_zh", "name_en", "unit_zh", "unit_en", "percent", "before", "after"]
    )


def _none(x) -> bool:
    return x is None or (isinstance(x, float) and pd.isna(x))
