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


def _measures(base: Snapshot, replaced: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """unit_measures of one snapshot, some of its tables replaced by frames."""
    con = connect()
    try:
        date = pd.Timestamp(base.as_of).date()
        for table in TABLES:  # names from the contract's allow-list; frames registered, paths read
            if table in replaced:
                frame = pa.Table.from_pandas(
                    replaced[table][TABLES[table].names], schema=TABLES[table], preserve_index=False
                )
                frame = frame.add_column(0, "as_of", pa.array([date] * frame.num_rows, type=pa.date32()))
                con.register(f"_{table}", frame)
                con.execute(f"create view {table} as select * from _{table}")  # noqa: S608
            else:  # view DDL takes no parameters: the path comes from a verified manifest, as a literal
                con.execute(
                    f"create view {table} as select cast({sql_literal(base.as_of)} as date) as as_of, *"  # noqa: S608
                    f" from read_parquet({sql_literal(str(base.table_path(table)))})"
                )
        for macro in sorted((QUERIES_DIR / "macros").glob("*.sql")):
            con.execute(macro.read_text(encoding="utf-8"))
        query = load_query("unit_measures")
        return con.execute(query.sql, {"as_ofs": [base.as_of]}).df()
    finally:
        con.close()


def kpis_before_after(base: Snapshot, unit: str, replaced: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per catalogue KPI that has a value for the unit: code, name_zh, name_en, unit_zh,
    unit_en, before, after."""
    catalogue = load_catalogue()
    values = {}
    for side, tables in (("before", {}), ("after", replaced)):
        measures = scope_measures(_measures(base, tables), [unit])
        kpis = compute_kpis(measures, catalogue)
        values[side] = dict(zip(kpis.code, kpis.value))
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
