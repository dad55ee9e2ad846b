"""The round trip: the demo snapshot exported as filled-in templates and imported again gives the
same tables (under a new date) and the same result from every named query."""

from __future__ import annotations

import dataclasses
import shutil

import pandas as pd
import pyarrow.parquet as pq
import pytest

from uniondash.config import load_settings
from uniondash.data.importer import expand, export_snapshot, import_files
from uniondash.data.schema import TABLES
from uniondash.data.snapshots import list_snapshots
from uniondash.data.warehouse import Warehouse, all_queries

LATEST, EARLIER, NEW = "2023-12-31", "2022-12-31", "2024-12-31"
NO_STATION_FILTER = {
    "kinds": [],
    "statuses": [],
    "hosts": [],
    "water": False,
    "microwave": False,
    "seating": False,
    "first_aid": False,
    "toilet": False,
    "charging": False,
    "aircon": False,
    "only_24h": False,
    "min_star": 0,
    "opened_year": 0,
}


def params_for(query, regions: pd.DataFrame) -> dict:
    counties = sorted(regions.loc[regions.level == "county", "adcode"])
    values = {
        "as_of": LATEST,
        "as_ofs": [EARLIER, LATEST],
        "compare": EARLIER,
        "counties": counties,
        "units": sorted(regions.adcode.unique()),
        "adcode": counties[0],
        "level": "county",
        "year": 0,
        "search": "",
        "search_names": True,
        "max_rows": 100_000,
        "cell_deg": 0.05,
        **NO_STATION_FILTER,
    }
    values.update({name: {**NO_STATION_FILTER, "as_of": LATEST, "counties": counties} for name in ("filters", "f")})
    unknown = [p for p in query.params if p not in values]
    if unknown:
        pytest.fail(f"{query.name}.sql takes {unknown}: give them a value in params_for")
    return {p: values[p] for p in query.params}


def export(demo_dir, as_of, out):
    snap = next(s for s in list_snapshots(demo_dir / "snapshots") if s.as_of == as_of)
    return export_snapshot(snap, out)


@pytest.fixture(scope="module")
def exported(demo_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    for as_of in (EARLIER, LATEST):
        export(demo_dir, as_of, root / as_of)
    return root


def test_imported_under_a_new_date_the_tables_are_identical(demo_dir, exported, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "snapshots", data / "snapshots")
    settings = dataclasses.replace(load_settings(), data_dir=data, region_adcode="420000")
    result = import_files(expand([exported / LATEST]), NEW, settings)
    assert result.ok, [p.line() for p in result.problems[:20]]
    assert result.carried == {}  # every table came from the files
    snaps = {s.as_of: s for s in list_snapshots(data / "snapshots")}
    assert snaps[NEW].ok
    for table in TABLES:
        old = pq.read_table(snaps[LATEST].table_path(table))
        new = pq.read_table(snaps[NEW].table_path(table))
        assert new.schema == old.schema, table
        assert new.equals(old), f"{table} differs after the round trip"


def test_every_named_query_gives_identical_results(demo_wh, exported, tmp_path):
    """Both snapshots a query compares (2022, 2023) round-tripped into an empty data folder."""
    data = tmp_path / "data"
    settings = dataclasses.replace(load_settings(), data_dir=data, region_adcode="420000")
    for as_of in (EARLIER, LATEST):
        result = import_files(expand([exported / as_of]), as_of, settings)
        assert result.ok, [p.line() for p in result.problems[:20]]
    again = Warehouse(data / "snapshots")
    assert again.as_ofs == [EARLIER, LATEST]
    regions = demo_wh.run("regions", as_of=LATEST)
    queries = all_queries()
    assert len(queries) > 15
    for query in queries:
        params = params_for(query, regions)
        before = demo_wh.run(query.name, **params)
        after = again.run(query.name, **params)
        pd.testing.assert_frame_equal(after, before, check_exact=True, obj=query.name)
