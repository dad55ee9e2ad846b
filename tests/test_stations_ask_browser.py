"""Real browser (system Chromium) on the demo build: a planner opens the 服务缺口 tab of 夷陵区's
stations page and the gaps are there at once (no switch to find elsewhere): the map's uncovered
points and suggested sites, the counties with uncovered demand and the sites named by their
nearest open station's address and distance, every grid as tall as its rows (no blank rows), the
method in plain words. The expected figures are worked out from the snapshot with the analysis
functions, apart from the page."""

from __future__ import annotations

import pytest
from browser import deck_specs, exceptions, external_requests, record_frames, wait_until_drawn

from uniondash.analysis.gaps import best_new_sites, nearest_stations, station_index, uncovered, uncovered_by_county
from uniondash.analysis.stations import open_anywhere
from uniondash.ui.stations.filters import PARAMS, filter_params

pytestmark = pytest.mark.browser

AS_OF = "2023-12-31"
COUNTY = "420506"  # 夷陵区: about half its outdoor workers more than 2 km from an open station
ROW_PX = 35  # the grid's row (and header) height


def expected_gaps(wh):
    """Uncovered workers of 夷陵区 and its five suggested sites at 2 km, from the snapshot: open
    stations of every kind in every county (a neighbour's station covers too), its demand points."""
    regions = wh.run("regions", as_of=AS_OF)
    counties = tuple(regions.loc[regions.level == "county", "adcode"])
    defaults = {p.key: p.default for p in PARAMS}
    stations = wh.run("stations_points", filters=open_anywhere(filter_params(defaults, counties, AS_OF), counties))
    index = station_index(stations, float(stations.lat.mean()))
    demand = wh.run("demand_points", as_of=AS_OF, counties=(COUNTY,))
    scored = uncovered(demand, index, 2.0)
    sites = nearest_stations(best_new_sites(scored, 2.0, 5, index.lat0), stations, index.lat0)
    return uncovered_by_county(scored), sites


def grid_rows(grid) -> list[list[str]]:
    """The cells of a data grid as its accessible table holds them (every row, ten or fewer)."""
    rows = []
    for row in grid.query_selector_all('[role="row"]'):
        cells = [c.inner_text() for c in row.query_selector_all('[role="gridcell"]')]
        if cells:
            rows.append(cells)
    return rows


def test_opening_the_gap_tab_shows_the_gaps(server, chromium, demo_wh, artifacts):
    by_county, sites = expected_gaps(demo_wh)
    (county,) = by_county.itertuples()
    assert county.uncovered_workers > 0
    assert len(sites) == 5
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    frames = record_frames(page)
    page.goto(f"{server}/stations?county={COUNTY}")
    wait_until_drawn(page)
    assert "gaps=1" not in page.url
    assert page.get_by_text("显示服务缺口").count() == 0  # no separate switch any more
    page.get_by_role("tab", name="服务缺口").click()
    page.wait_for_selector('[data-testid="stDataFrame"]')
    wait_until_drawn(page)
    assert exceptions(page) == []
    assert "gaps=1" in page.url  # the tab is in the link: a copied link reopens it
    tab = page.locator('[role="tabpanel"]')
    text = tab.inner_text()
    assert "↑" not in text
    assert "怎么算" in text
    for term in ("贪心", "k-d", "最大覆盖"):
        assert term not in text
    share = county.uncovered_workers / county.workers
    assert f"{county.uncovered_workers:,} 人（{share * 100:.1f}%）在 2 公里内没有开放站点" in text
    grids = page.query_selector_all('[data-testid="stDataFrame"]')
    assert len(grids) == 2
    counties_grid, sites_grid = (grid_rows(g) for g in grids)
    ((name, workers, percent),) = counties_grid  # the grid's accessible cells hold the raw values
    assert (name, int(workers)) == ("夷陵区", county.uncovered_workers)
    assert float(percent) == pytest.approx(county.uncovered_share * 100)
    want = [
        [str(s.rank), "夷陵区", f"距 {s.near_address} {s.near_km:.1f} 公里", str(s.covered_workers), s.near_name]
        for s in sites.itertuples()
    ]
    assert [row[:4] + row[5:6] for row in sites_grid] == want  # (the fifth: the kind of place)
    for grid, n in zip(grids, (1, 5)):  # as tall as the header and the rows: not one blank row
        assert grid.bounding_box()["height"] <= (n + 1) * ROW_PX + 4
    # the map drawn after the click carries the uncovered points and the five sites where they are
    spec = deck_specs(frames)[-1]
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert {"uncovered", "sites", "site-labels"} <= set(layers)
    assert [(d["lon"], d["lat"]) for d in layers["sites"]["data"]] == list(zip(sites.lon, sites.lat))
    assert external_requests(requests) == []
    page.get_by_role("tab", name="服务缺口").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "stations-gaps-tab-1280.png"), full_page=True)
    page.get_by_role("tab", name="站点列表").click()  # another tab turns the gaps off
    page.wait_for_function("() => !location.search.includes('gaps=1')")
    wait_until_drawn(page)
    assert exceptions(page) == []
    page.close()
