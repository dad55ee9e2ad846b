"""The station-in-county check's shapely function is entered by one DuckDB thread at a time: shapely
lets go of the GIL inside contains_xy, and two threads in one prepared GEOS geometry corrupted the
heap (the scale-100 stations import aborted at this check 3 times in 4)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd

from uniondash.data import checks
from uniondash.data.sql_files import connect

SQUARE = '{"type":"Polygon","coordinates":[[[114.0,30.0],[115.0,30.0],[115.0,31.0],[114.0,31.0],[114.0,30.0]]]}'


def test_the_shapely_function_is_never_entered_twice_at_once(monkeypatch):
    import shapely

    real = shapely.contains_xy
    inside, most = [0], [0]
    guard = threading.Lock()

    def watched(geom, x, y):
        with guard:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.002)  # lets go of the GIL, as GEOS does: another DuckDB thread could enter now
        try:
            return real(geom, x, y)
        finally:
            with guard:
                inside[0] -= 1

    monkeypatch.setattr(shapely, "contains_xy", watched)
    n = 400_000  # many of DuckDB's 2,048-row vectors, scanned by several threads
    rng = np.random.default_rng(1)
    stations = pd.DataFrame(
        {"adcode": "990101", "lon": 114.0 + rng.random(n) * 1.2, "lat": 30.0 + rng.random(n)}
    )  # a sixth outside to the east: their distances are computed too
    con = connect()
    con.execute("set threads = 4")
    con.register("region_shapes", pd.DataFrame({"adcode": ["990101"], "level": ["county"], "geojson": [SQUARE]}))
    con.register("stations", stations)
    checks._county_outside_km(con)
    got = con.execute(
        "select count(*) filter (where d = 0), count(*) filter (where d > 0), max(d) "
        "from (select county_outside_km(adcode, lon, lat) as d from stations)"
    ).fetchone()
    assert most[0] == 1
    east = int((stations.lon > 115.0).sum())
    assert got[:2] == (n - east, east)  # inside: 0 km; outside: their distance
    # at most 0.2° east of the border, in km at the square's centre (30.5° N): 19.18 km
    assert 19.0 < got[2] <= 0.2 * 111.320 * np.cos(np.radians(30.5)) + 1e-9
