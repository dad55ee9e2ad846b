"""Stations: filters against hand counts, grid totals, the gap analysis on a known layout,
coordinate conversion, and URL parameters."""

from __future__ import annotations

import numpy as np
import pytest

from uniondash.analysis.gaps import best_new_sites, station_index, uncovered, uncovered_by_county
from uniondash.analysis.stations import supply_values, tooltips
from uniondash.render.coords import gcj02_to_wgs84, wgs84_to_gcj02
from uniondash.ui.stations.filters import PARAMS, filter_params
from uniondash.ui.urlstate import seed_page, write_page

COUNTIES = ("990101", "990102", "990201")
DEFAULTS = {p.key: p.default for p in PARAMS}


def params(**state):
    return filter_params({**DEFAULTS, **state}, COUNTIES, "2023-12-31")


def count(wh, **state) -> int:
    return int(wh.run("stations_count", filters=params(**state)).stations.iloc[0])


def test_filters_against_hand_counts(fixture_wh):
    assert count(fixture_wh) == 5  # open + suspended: S1 S2 S4 S5 S6
    assert count(fixture_wh, status=[]) == 6  # every status
    assert count(fixture_wh, status=["open"], kind=["outdoor_rest"]) == 3  # S1 S5 S6
    assert count(fixture_wh, h24=True) == 1  # S1
    assert count(fixture_wh, opened=2023) == 2  # S5 S6
    assert count(fixture_wh, host=["bank"]) == 0
    assert count(fixture_wh, star=4) == 0  # every fixture station has 3 stars
    pts = fixture_wh.run("stations_points", filters=params(kind=["mental_care"]))
    assert list(pts.station_id) == ["S4"]


def test_grid_totals_equal_point_totals(demo_wh):
    regions = demo_wh.run("regions", as_of="2023-12-31")
    counties = tuple(regions.loc[regions.level == "county", "adcode"])
    p = filter_params({**DEFAULTS, "kind": ["outdoor_rest"]}, counties, "2023-12-31")
    points = demo_wh.run("stations_points", filters=p)
    for cell in (0.01, 0.05, 0.2):
        grid = demo_wh.run("stations_grid", cell_deg=cell, filters=p)
        assert grid.stations.sum() == len(points) == grid.outdoor_rest.sum()
    supply = demo_wh.run("stations_supply_by_county", filters=p)
    assert supply.stations.sum() == len(points)


def test_supply_measures(fixture_wh):
    supply = fixture_wh.run("stations_supply_by_county", filters=params())
    per10k = supply_values(supply, "per_10k_workers")
    # 甲一区: S1, S2 of 300 outdoor workers (100 couriers + 200 food delivery) → 2 / 300 × 10,000
    assert per10k["990101"] == pytest.approx(2 / 300 * 10_000)
    share = supply_values(supply, "share_24h")
    assert share["990101"] == pytest.approx(0.5)
    assert share["990102"] == 0.0
    visits = supply_values(supply, "visits_per_station")
    assert visits["990101"] == pytest.approx(75.0)  # (100 + 50) / 2 open stations


def test_gap_analysis_on_a_known_layout(fixture_wh):
    xy = fixture_wh.run("stations_xy", filters={**params(), "statuses": ("open",)})
    assert len(xy) == 4  # open: S1 S2 S5 S6
    index = station_index(xy, 30.5)
    demand = fixture_wh.run("demand_points", as_of="2023-12-31", counties=COUNTIES)
    scored = uncovered(demand, index, 2.0).set_index("point_id")
    assert scored.covered.to_dict() == {"D1": True, "D2": False, "D3": False, "D4": False}
    assert scored.nearest_km["D1"] == pytest.approx(0.0, abs=1e-6)
    assert scored.nearest_km["D2"] == pytest.approx(0.055 * 111.32 * np.cos(np.radians(30.5)), rel=1e-6)
    by_county = uncovered_by_county(scored.reset_index())
    assert list(zip(by_county.adcode, by_county.uncovered_workers)) == [("990201", 60), ("990101", 30)]
    sites = best_new_sites(scored.reset_index(), 2.0, 5, 30.5)
    # First pick covers D3 and D4 together (60 workers), then D2 (30); then nothing is left.
    assert list(sites.covered_workers) == [60, 30]
    assert list(sites.adcode) == ["990201", "990101"]


def test_tooltips_are_plain_text(fixture_wh):
    pts = fixture_wh.run("stations_points", filters=params())
    tips = tooltips(pts, "zh").set_index(pts.station_id)
    assert tips.tip["S1"].startswith("<img src=x onerror=alert(1)>\n")  # shown as text by a text tooltip
    assert "24h" in tips.tip["S1"]
    assert "爱心驿站·工会·24h" in tips.tip["S1"]
    names_only = tooltips(pts, "zh", full=False).set_index(pts.station_id)
    assert names_only.tip["S2"] == "甲一区母婴室"


def test_gcj02_round_trip_and_offset():
    lon, lat = np.array([114.3055, 111.29]), np.array([30.5928, 30.69])
    glon, glat = wgs84_to_gcj02(lon, lat)
    offset_m = np.hypot((glon - lon) * 96_000, (glat - lat) * 110_574)
    assert ((offset_m > 100) & (offset_m < 800)).all()  # GCJ-02 shifts by a few hundred metres
    back = gcj02_to_wgs84(glon, glat)
    assert np.allclose(back, (lon, lat), atol=1e-7)
    assert wgs84_to_gcj02(np.array([2.35]), np.array([48.85]))[0][0] == 2.35  # outside China: unchanged


class Params(dict):
    def get_all(self, key):
        v = super().get(key, [])
        return v if isinstance(v, list) else [v]


def test_page_parameters_round_trip():
    state = {}
    url = Params(kind=["nursing_room", "bogus"], h24="1", star="9", gap_km="3.5", layer="nope", q="驿站")
    seed_page(state, url, PARAMS, "stations")
    assert state["kind"] == ["nursing_room"]
    assert state["h24"] is True
    assert state["star"] == 0  # 9 stars cannot be honoured: ignored (named in the notice), not clamped
    assert state["gap_km"] == 3.5
    assert state["layer"] == "points"
    assert state["q"] == "驿站"
    assert state["_url_ignored"] == [("kind", "bogus"), ("star", "9"), ("layer", "nope")]
    out = Params()
    write_page(out, state, PARAMS)
    assert out == {"kind": ["nursing_room"], "h24": "1", "gap_km": "3.5", "q": "驿站"}


def test_offline_style_draws_boundaries_without_requests():
    """The basemap style is self-contained: a data: URL holding the boundary lines, no URLs."""
    import json
    from urllib.parse import unquote

    from uniondash.render.maps import Outline, offline_style

    square = '{"type":"Polygon","coordinates":[[[114.0,30.0],[114.1,30.0],[114.1,30.1],[114.0,30.0]]]}'
    other = '{"type":"Polygon","coordinates":[[[114.1,30.0],[114.2,30.0],[114.2,30.1],[114.1,30.0]]]}'
    url = offline_style("dark", "", (Outline("county", (square, other)), Outline("city", (square,))))
    prefix = "data:application/json;charset=utf-8,"
    assert url.startswith(prefix)
    assert "#" not in url
    assert " " not in url
    style = json.loads(unquote(url[len(prefix) :]))
    assert [layer["id"] for layer in style["layers"]] == ["background", "lines0", "lines1"]
    assert style["layers"][0]["paint"]["background-color"] == "#15191E"  # dark theme
    counties = style["sources"]["lines0"]["data"]["features"]
    assert [f["geometry"]["coordinates"][0][1] for f in counties] == [[114.1, 30.0], [114.2, 30.0]]
    assert len(style["sources"]["lines1"]["data"]["features"]) == 1
    assert "http" not in url  # no tiles, glyphs or sprites: nothing to fetch


def test_grid_counts_by_cell():
    import pandas as pd

    from uniondash.analysis.stations import grid_counts

    points = pd.DataFrame({"lon": [114.001, 114.004, 114.012], "lat": [30.001, 30.009, 30.001]})
    cells = grid_counts(points, 0.01).sort_values("lon").reset_index(drop=True)
    assert list(cells.stations) == [2, 1]
    assert cells.lon.tolist() == pytest.approx([114.005, 114.015])
    assert cells.lat.tolist() == pytest.approx([30.005, 30.005])


def _station_frame_row_by_row(rows, names, lang):
    """The station list as it was built before it was vectorised: one row at a time."""
    import pandas as pd

    from uniondash.data.schema import FACILITIES
    from uniondash.text.i18n import t

    sep = t("export.sep", lang)
    return pd.DataFrame(
        {
            t("col.station", lang): rows.name,
            t("col.county", lang): rows.adcode.map(names),
            t("col.kind", lang): [t(f"kind.{k}", lang) for k in rows.kind],
            t("col.status", lang): [t(f"status.{s}", lang) for s in rows.status],
            t("col.host", lang): [t(f"host.{h}", lang) for h in rows.host_type],
            t("col.address", lang): rows.address,
            t("col.h24", lang): [t("export.yes", lang) if v else t("export.no", lang) for v in rows.is_24h],
            t("col.facilities", lang): [
                sep.join(t(f"facility.{f}", lang) for f in FACILITIES if r[f])
                for r in rows[list(FACILITIES)].to_dict("records")
            ],
            t("col.star", lang): rows.star,
            t("col.visits", lang): rows.monthly_visits,
            t("col.opened_on", lang): pd.to_datetime(rows.opened_on).dt.date,
        }
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_station_frame_words_each_row_as_row_by_row(demo_wh, lang):
    """The station list's words come by lookup per distinct value (a rerun's cost): the same frame,
    dtypes included, as putting each row into words, for every row of the demo and for none."""
    import pandas as pd

    from uniondash.ui.stations.tabs import station_frame

    regions = demo_wh.run("regions", as_of="2023-12-31")
    names = dict(zip(regions.adcode, regions.name))
    counties = tuple(regions[regions.level == "county"].adcode)
    every = filter_params({**DEFAULTS, "status": []}, counties, "2023-12-31")
    rows = demo_wh.run("stations_table", filters=every, search="", max_rows=100_000)
    assert len(rows) > 1000
    for part in (rows, rows.iloc[:0]):
        frame, formats = station_frame(part, names, lang)
        pd.testing.assert_frame_equal(frame, _station_frame_row_by_row(part, names, lang), check_exact=True)
        assert set(formats) <= set(frame.columns)
