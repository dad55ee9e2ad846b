"""Data checks (queries/checks/*.sql): each returns the rows that break one rule of the contract.

One rule per file, stated in SQL, shared by the tests (fixture and demo build), the importer
(before anything is written) and the snapshot reader (the cheap ones, when a snapshot is opened).
Every table is seen as a view with a `_row` column: the row's number as a spreadsheet shows it
(header = row 1, first data row = row 2), from the import file or the parquet file's order. Every
check returns `table_name, _row, column_name, value` and the fields its `expected_*` header
names; the allowed lists and the key columns come from uniondash/data/schema.py and the KPI
catalogue as bound parameters.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from uniondash.config import QUERIES_DIR
from uniondash.data import schema
from uniondash.data.schema import TABLES
from uniondash.data.sql_files import connect, param_names, parse_header, sql_literal

CHECKS_DIR = QUERIES_DIR / "checks"
COSTS = ("cheap", "full", "catalogue")
RESULT_COLUMNS = ["check", "table_name", "_row", "column_name", "value", "expected_zh", "expected_en"]
OPEN_PROBLEMS_SHOWN = 3
# A station this close to its county's border counts as inside: coordinates kept to 6 decimals
# (0.1 m) round a point on the border line to either side (2 of 870,000 demo stations at scale 100).
BORDER_TOLERANCE_KM = 0.01


@dataclass(frozen=True)
class Check:
    name: str
    title: str
    description: str
    cost: str  # cheap: run when a snapshot is opened too; full: on import and in tests; catalogue: tests
    expected_zh: str
    expected_en: str
    sql: str
    params: tuple[str, ...]


@cache
def load_checks(checks_dir: Path = CHECKS_DIR) -> tuple[Check, ...]:
    out = []
    for path in sorted(checks_dir.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        header = parse_header(sql)
        if header.get("cost") not in COSTS:
            raise ValueError(f"{path.name}: header 'cost' must be one of {COSTS}")
        params = param_names(sql)
        out.append(
            Check(
                path.stem,
                header.get("title", ""),
                header.get("description", ""),
                header["cost"],
                header.get("expected_zh", ""),
                header.get("expected_en", ""),
                sql,
                params,
            )
        )
    return tuple(out)


def attach(con: duckdb.DuckDBPyConnection, tables: dict[str, Path | pa.Table | pd.DataFrame]) -> None:
    """One view per contract table: a parquet file (rows numbered by file order) or a frame that
    carries its own `_row` (the importer's spreadsheet row numbers)."""
    for name in TABLES:  # table names from the contract's allow-list only
        source = tables[name]
        if isinstance(source, Path):
            # View DDL takes no parameters: the path comes from a verified manifest, quoted as a literal.
            con.execute(
                f"create or replace view {name} as select * exclude (file_row_number), file_row_number + 2 as _row "  # noqa: S608
                f"from read_parquet({sql_literal(str(source))}, file_row_number = true)"
            )
        else:
            columns = source.columns if isinstance(source, pd.DataFrame) else source.column_names
            if "_row" not in columns:
                n = len(source) if isinstance(source, pd.DataFrame) else source.num_rows
                rows = pa.array(np.arange(2, n + 2, dtype=np.int64))
                source = (
                    source.assign(_row=rows.to_numpy())
                    if isinstance(source, pd.DataFrame)
                    else source.append_column("_row", rows)
                )
            con.register(name, source)  # a view of the frame itself: no SQL text at all


def region_prefix(adcode: str) -> str:
    """The significant digits of a region's code: 420000 → 42, 420500 → 4205."""
    if adcode.endswith("0000"):
        return adcode[:2]
    if adcode.endswith("00"):
        return adcode[:4]
    return adcode


def primary_keys() -> dict[str, list[str]]:
    """Each table's key columns (schema.PRIMARY_KEYS), bound for the duplicate-keys check, which
    picks them by name: in the table's column order, as DuckDB's *columns() returns them, so that
    the joined value reads in the order its label names the columns."""
    out = {}
    for table, key in schema.PRIMARY_KEYS.items():
        names = TABLES[table].names
        unknown = [c for c in key if c not in names]
        if unknown:
            raise ValueError(f"PRIMARY_KEYS[{table!r}] names columns the table lacks: {unknown}")
        out[table] = [c for c in names if c in key]
    return out


def snapshot_params(as_of: str, region: str) -> dict:
    from uniondash.metrics.kpis import load_catalogue

    catalogue = load_catalogue()
    accepted = schema.ACCEPTED_VALUES
    return {
        "as_of": as_of,
        "region": region,
        "region_prefix": region_prefix(region),
        "region_levels": list(accepted[("regions", "level")]),
        "station_kinds": list(accepted[("stations", "kind")]),
        "station_statuses": list(accepted[("stations", "status")]),
        "host_types": list(accepted[("stations", "host_type")]),
        "worker_groups": list(accepted[("nef_membership", "worker_group")]),
        "competition_series": list(accepted[("competitions", "series")]),
        "competition_levels": list(accepted[("competitions", "level")]),
        "winner_types": list(accepted[("competition_results", "winner_type")]),
        "demand_kinds": list(accepted[("demand_points", "kind")]),
        "kpi_codes": sorted(k.code for k in catalogue.kpis),
        "primary_keys": primary_keys(),
        "border_tolerance_km": BORDER_TOLERANCE_KM,
    }


def _county_outside_km(con: duckdb.DuckDBPyConnection):
    """county_outside_km(adcode, lon, lat): 0 inside the county's polygon, else the distance to its
    border in km (local equirectangular projection: error under 0.5% across a county), null for
    a county without a usable shape."""
    import shapely

    shapes = con.execute("select adcode, geojson from region_shapes where level = 'county'").df()
    geoms: dict[str, tuple] = {}
    for adcode, text in zip(shapes.adcode, shapes.geojson):
        try:
            geom = shapely.from_geojson(text)
        except (shapely.errors.GEOSException, TypeError, ValueError):
            continue  # an unreadable shape is the shapes check's finding, not a station's
        if geom is None or geom.is_empty:
            continue
        kx = 111.320 * math.cos(math.radians(geom.centroid.y))
        ky = 110.574
        border = shapely.transform(geom.boundary, lambda c, kx=kx, ky=ky: c * np.array([kx, ky]))
        shapely.prepare(geom)
        geoms[adcode] = (geom, border, kx, ky)

    # DuckDB calls the function from several threads at once, and shapely lets go of the GIL inside
    # contains_xy and distance: two threads in one prepared GEOS geometry corrupted the heap (the
    # scale-100 import aborted at this check 3 times in 4: "double free or corruption", "malloc():
    # unaligned tcache chunk detected"). One call at a time.
    lock = threading.Lock()

    def fn(adcode: pa.Array, lon: pa.Array, lat: pa.Array) -> pa.Array:
        with lock:
            return outside_km(adcode, lon, lat)

    def outside_km(adcode: pa.Array, lon: pa.Array, lat: pa.Array) -> pa.Array:
        codes = np.asarray(adcode.to_pylist(), dtype=object)
        x = lon.to_numpy(zero_copy_only=False).astype(float)
        y = lat.to_numpy(zero_copy_only=False).astype(float)
        out = np.full(len(codes), np.nan)
        for code in pd.unique(codes):
            found = geoms.get(code)
            if found is None:
                continue
            geom, border, kx, ky = found
            idx = np.flatnonzero(codes == code)
            inside = shapely.contains_xy(geom, x[idx], y[idx])
            dist = np.zeros(len(idx))
            if not inside.all():
                out_idx = ~inside
                points = shapely.points(x[idx][out_idx] * kx, y[idx][out_idx] * ky)
                dist[out_idx] = shapely.distance(border, points)
            out[idx] = dist
        return pa.array(out, mask=np.isnan(out))

    con.create_function(
        "county_outside_km", fn, ["VARCHAR", "DOUBLE", "DOUBLE"], "DOUBLE", type="arrow", null_handling="special"
    )


def run_checks(
    con: duckdb.DuckDBPyConnection, params: dict, costs: tuple[str, ...] = ("cheap", "full")
) -> pd.DataFrame:
    """Every check of the given costs on the attached tables; one row per violation, with the
    expectation filled in both languages."""
    frames = []
    for check in load_checks():
        if check.cost not in costs:
            continue
        if check.name == "station_in_county":
            _county_outside_km(con)
        found = con.execute(check.sql, {p: params[p] for p in check.params}).df()
        frames.append(explain(check, found))
    if not frames:
        return pd.DataFrame(columns=RESULT_COLUMNS)
    return pd.concat(frames, ignore_index=True)


def explain(check: Check, found: pd.DataFrame) -> pd.DataFrame:
    """The check's rows with their expectation written out (placeholders from the row's fields)."""
    rows = found.to_dict("records")
    out = pd.DataFrame(
        {
            "check": check.name,
            "table_name": found.get("table_name", pd.Series(dtype=str)),
            "_row": found.get("_row", pd.Series(dtype="Int64")),
            "column_name": found.get("column_name", pd.Series(dtype=str)),
            "value": found.get("value", pd.Series(dtype=str)),
            "expected_zh": [check.expected_zh.format_map(_Fields(r)) for r in rows],
            "expected_en": [check.expected_en.format_map(_Fields(r)) for r in rows],
        }
    )
    extras = [c for c in found.columns if c not in out.columns]
    return pd.concat([out, found[extras]], axis=1) if extras else out


class _Fields(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def snapshot_violations(snapshot, costs: tuple[str, ...] = ("cheap",), region: str | None = None) -> pd.DataFrame:
    """The checks of the given costs on one snapshot's parquet files."""
    con = connect()
    try:
        attach(con, {name: snapshot.table_path(name) for name in TABLES})
        region = region or snapshot.manifest.get("region_adcode") or _configured_region()
        return run_checks(con, snapshot_params(snapshot.as_of, region), costs)
    finally:
        con.close()


def _configured_region() -> str:
    from uniondash.config import load_settings

    return load_settings().region_adcode


def open_problems(snapshot) -> list[str]:
    """The cheap checks when a snapshot is opened, as the reasons to refuse it (first few named).

    Called after the checksums verified, so the files are the ones the manifest names: the answer
    is remembered by their sha256 (about 0.3 s a snapshot at scale 100, saved on every reopen)."""
    tables = snapshot.manifest.get("tables", {})
    key = (str(snapshot.path), tuple(sorted((t, e.get("sha256")) for t, e in tables.items())), snapshot.as_of)
    if key not in _OPENED:
        if len(_OPENED) > 256:
            _OPENED.clear()
        _OPENED[key] = _open_problems(snapshot)
    return list(_OPENED[key])


_OPENED: dict[tuple, tuple[str, ...]] = {}


def _open_problems(snapshot) -> tuple[str, ...]:
    try:
        found = snapshot_violations(snapshot, ("cheap",))
    except duckdb.Error as exc:  # an unreadable or mistyped parquet file
        return (f"数据无法读取：{exc} / data unreadable",)
    if found.empty:
        return ()
    shown = [
        f"{r['table_name']} 第 {r['_row']} 行 {r['column_name']} = {r['value']!r}：应为 {r['expected_zh']}"
        f" / {r['table_name']} row {r['_row']} {r['column_name']}: expected {r['expected_en']}"
        for r in found.head(OPEN_PROBLEMS_SHOWN).to_dict("records")
    ]
    more = len(found) - OPEN_PROBLEMS_SHOWN
    suffix = [f"另有 {more} 处 / {more} more"] if more > 0 else []
    return ("数据检查未通过 / data checks failed: " + "; ".join(shown + suffix),)


def catalogue_refs(catalogue) -> list[dict]:
    return [
        {"kpi_code": k.code, "field": field, "measure": measure}
        for k in catalogue.kpis
        for field, measure in (("numerator", k.numerator), ("denominator", k.denominator))
        if measure
    ]


def catalogue_violations(warehouse, catalogue=None) -> pd.DataFrame:
    """KPI numerators and denominators that the measure layer does not produce on this data."""
    from uniondash.metrics.kpis import load_catalogue
    from uniondash.metrics.measures import scope_measures

    catalogue = catalogue or load_catalogue()
    per_unit = warehouse.run("unit_measures", as_ofs=tuple(warehouse.as_ofs))
    produced = scope_measures(per_unit, per_unit.adcode.unique())
    con = connect()
    try:
        con.register("measures", pd.DataFrame({"measure": sorted(produced.measure.unique())}))
        check = next(c for c in load_checks() if c.cost == "catalogue")
        found = con.execute(check.sql, {"refs": catalogue_refs(catalogue)}).df()
        return explain(check, found)
    finally:
        con.close()
