"""The data checks (queries/checks/*.sql): silent on the fixture and on a demo build, and each one
finds the rows that break its rule in hand-made frames; a misspelt KPI numerator fails."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from uniondash.data import checks
from uniondash.data.schema import PRIMARY_KEYS, TABLES
from uniondash.data.snapshots import list_snapshots
from uniondash.metrics.kpis import load_catalogue


def test_every_check_is_documented():
    found = checks.load_checks()
    assert {c.name for c in found} >= {
        "unique_keys",
        "accepted_values",
        "members_within_employees",
        "unionised_within_legal_units",
        "adcode_known",
        "station_in_county",
        "kpi_measures_exist",
    }
    for c in found:
        for part in ("title", "description", "expected_zh", "expected_en"):
            assert getattr(c, part), f"{c.name}.sql lacks a {part}"
        header = c.sql.split("\nwith")[0]
        for p in c.params:
            assert p in header, f"{c.name}.sql uses ${p} but its header does not document it"


def test_unique_keys_covers_every_table_of_the_contract():
    """Each table is read once, with its own key from the bound PRIMARY_KEYS (none copied here)."""
    sql = next(c for c in checks.load_checks() if c.name == "unique_keys").sql
    cells = sql.split("key_cells as (")[1].split("\n),")[0]
    read = {}
    for part in cells.split("union all"):
        table = re.search(r"\bfrom (\w+)", part).group(1)
        read[table] = set(re.findall(r"\$primary_keys\.(\w+)", part))
    assert read == {table: {table} for table in PRIMARY_KEYS}
    bound = checks.snapshot_params("2023-12-31", "990000")["primary_keys"]
    assert {t: set(k) for t, k in bound.items()} == {t: set(k) for t, k in PRIMARY_KEYS.items()}


def test_no_check_fails_on_the_fixture(fixture_dir):
    for snap in list_snapshots(fixture_dir / "snapshots"):
        found = checks.snapshot_violations(snap, ("cheap", "full"))
        assert found.empty, found.to_string()


def test_no_check_fails_on_a_demo_build(demo_dir):
    for snap in list_snapshots(demo_dir / "snapshots"):
        assert snap.ok, snap.problems
        found = checks.snapshot_violations(snap, ("cheap", "full"))
        assert found.empty, found.head().to_string()


def test_every_kpi_measure_exists_on_a_demo_build(demo_wh):
    assert checks.catalogue_violations(demo_wh).empty


def test_the_fixture_lacks_only_indicator_measures(fixture_wh):
    """The fixture holds three indicators of the catalogue's many: every other measure exists."""
    missing = checks.catalogue_violations(fixture_wh)
    assert not missing.empty
    assert missing.value.str.startswith("ind_").all(), missing.value.tolist()


def test_a_misspelt_numerator_fails(demo_wh):
    catalogue = load_catalogue()
    kpis = tuple(
        dataclasses.replace(k, numerator="stations_registred") if k.code == "stations_registered" else k
        for k in catalogue.kpis
    )
    found = checks.catalogue_violations(demo_wh, dataclasses.replace(catalogue, kpis=kpis))
    assert found[["kpi_code", "column_name", "value"]].values.tolist() == [
        ["stations_registered", "numerator", "stations_registred"]
    ]


def frames(snapshot) -> dict[str, pd.DataFrame]:
    return {t: pq.read_table(snapshot.table_path(t)).to_pandas() for t in TABLES}


def violations(tables: dict[str, pd.DataFrame], as_of="2023-12-31", region="990000") -> pd.DataFrame:
    con = checks.connect()
    checks.attach(con, tables)
    return checks.run_checks(con, checks.snapshot_params(as_of, region))


@pytest.fixture
def tables(fixture_dir):
    return frames(list_snapshots(fixture_dir / "snapshots")[-1])


def found(v: pd.DataFrame, check: str) -> list[tuple]:
    sub = v[v.check == check]
    return list(zip(sub.table_name, sub._row, sub.column_name, sub.value))


def test_unique_keys_names_every_occurrence(tables):
    tables["stations"].loc[3, "station_id"] = "S1"  # rows 2 and 5 (header = row 1)
    tables["nef_membership"].loc[1, "worker_group"] = "courier"  # 990101 courier twice: rows 2 and 3
    v = violations(tables)
    assert found(v, "unique_keys") == [
        ("nef_membership", 2, "adcode, worker_group", "990101 / courier"),
        ("nef_membership", 3, "adcode, worker_group", "990101 / courier"),
        ("stations", 2, "station_id", "S1"),
        ("stations", 5, "station_id", "S1"),
    ]
    assert "第 5 行" in v[v.check == "unique_keys"].expected_zh.iloc[2]


def other(value):
    """A value of the same kind that differs from this one (a null stays null)."""
    if isinstance(value, bool | np.bool_):
        return not value
    if isinstance(value, int | float | np.integer | np.floating):
        return value if pd.isna(value) else value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=1)
    return value


@pytest.mark.parametrize("table", sorted(PRIMARY_KEYS))
def test_unique_keys_keys_each_table_on_exactly_its_contract_key(tables, table):
    """Two rows with the contract's key in common are found even when every other column differs,
    and a row that differs from them in one key column only is not: a key column missing from
    the check, or one too many, fails here whatever the label says."""
    key = PRIMARY_KEYS[table]
    rows = pd.concat([tables[table].iloc[[0]]] * (2 + len(key)), ignore_index=True)
    for column in rows.columns.difference(key):  # row 3: the same key, every other column different
        rows.loc[1, column] = other(rows.loc[0, column])
    for i, column in enumerate(key, start=2):  # rows 4…: one key column different each
        rows.loc[i, column] = other(rows.loc[0, column])
    tables[table] = rows
    columns = [c for c in TABLES[table].names if c in key]  # *columns() gives them in the table's order
    value = " / ".join(str(rows.loc[0, c]) for c in columns)
    assert found(violations(tables), "unique_keys") == [
        (table, 2, ", ".join(columns), value),
        (table, 3, ", ".join(columns), value),
    ]


def test_accepted_values_lists_the_accepted_ones(tables):
    tables["stations"].loc[0, "kind"] = "evil_kind"
    tables["targets"].loc[0, "kpi_code"] = "no_such_kpi"
    v = violations(tables)
    assert found(v, "accepted_values") == [
        ("stations", 2, "kind", "evil_kind"),
        ("targets", 2, "kpi_code", "no_such_kpi"),
    ]
    assert "outdoor_rest, nursing_room, mental_care" in v.expected_zh.iloc[0]


def test_members_within_employees_and_unionised_within_legal_units(tables):
    tables["coverage"].loc[0, "members"] = 1001  # 甲一区: 1,000 employees
    tables["coverage"].loc[1, "legal_units_unionised"] = 51  # 甲二县: 50 legal units
    tables["nef_membership"].loc[0, "members"] = 101  # 100 couriers
    v = violations(tables)
    assert found(v, "members_within_employees") == [
        ("coverage", 2, "members", "1001"),
        ("nef_membership", 2, "members", "101"),
    ]
    assert found(v, "unionised_within_legal_units") == [("coverage", 3, "legal_units_unionised", "51")]
    assert "employees（1000）" in v[v.check == "members_within_employees"].expected_zh.iloc[0]


def test_adcodes_known_at_the_right_level(tables):
    tables["stations"].loc[0, "adcode"] = "990100"  # a city, not a county
    tables["competitions"].loc[0, "adcode"] = "123456"
    tables["regions"].loc[5, "adcode"] = "420101"  # outside region 990000
    v = violations(tables)
    got = found(v, "adcode_known")
    assert ("stations", 2, "adcode", "990100") in got
    assert ("competitions", 2, "adcode", "123456") in got
    assert ("regions", 7, "adcode", "420101") in got


def test_station_outside_its_county_with_the_distance(tables):
    tables["stations"].loc[4, "lon"] = 114.7  # S5 in 乙一县 (114.4–114.6): 0.1° east of the border
    v = violations(tables)
    row = v[v.check == "station_in_county"]
    assert row[["_row", "value"]].values.tolist() == [[6, "114.7, 30.2"]]
    assert row.distance_km.iloc[0] == pytest.approx(0.1 * 111.32 * 0.8649, rel=0.01)  # cos(30.1°…30.3°)


def test_dates_after_the_snapshot(tables):
    tables["stations"].loc[0, "opened_on"] = pd.Timestamp("2024-01-01").date()
    v = violations(tables)
    assert found(v, "dates_after_as_of") == [("stations", 2, "opened_on", "2024-01-01")]


def test_an_unknown_kind_is_refused_when_the_snapshot_is_opened(tmp_path):
    """The stations page would crash on it (KeyError: 'kind.evil_kind'): the snapshot is refused."""
    from fixtures import build_fixture

    from uniondash.data.snapshot_writer import write_table
    from uniondash.data.snapshots import sha256_file
    from uniondash.data.warehouse import Warehouse

    snaps = build_fixture(tmp_path)
    folder = snaps / "2023-12-31"
    df = pq.read_table(folder / "stations.parquet").to_pandas()
    df.loc[0, "kind"] = "evil_kind"
    write_table(df, TABLES["stations"], folder / "stations.parquet")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["stations"]["sha256"] = sha256_file(folder / "stations.parquet")  # checksums agree
    (folder / "manifest.json").write_text(json.dumps(manifest))
    wh = Warehouse(snaps)
    assert wh.as_ofs == ["2022-12-31"]
    reason = wh.refused[0].problems[0]
    assert "evil_kind" in reason
    assert "stations" in reason
    assert "outdoor_rest" in reason
