"""The demo generator on a real build: report calibration, invariants, determinism."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from uniondash.demo import build_demo
from uniondash.metrics.kpis import compute_kpis, load_catalogue
from uniondash.metrics.measures import scope_measures

# The figures quoted by the source report (area, figure, value, unit, quote), kept with the tests.
REPORT_FIGURES = Path(__file__).resolve().parent / "data" / "report_figures.csv"
LATEST = "2023-12-31"


def latest_kpis(wh) -> dict[str, float]:
    regions = wh.run("regions", as_of=LATEST)
    df = scope_measures(wh.run("unit_measures", as_ofs=(LATEST,)), regions.adcode.unique())
    kpis = compute_kpis(df, load_catalogue())
    return dict(zip(kpis.code, kpis.value))


def report_rows():
    with REPORT_FIGURES.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_report_figure_has_a_kpi_and_is_reproduced(demo_wh):
    catalogue = {k.report_figure: k for k in load_catalogue().kpis if k.report_figure}
    values = latest_kpis(demo_wh)
    rows = report_rows()
    assert len(rows) == 22  # every figure the report quotes, none lost from the file
    for row in rows:
        kpi = catalogue.get(row["figure"])
        assert kpi, f"no KPI in the catalogue reproduces the report figure {row['figure']!r}"
        got, want = values[kpi.code], float(row["value"])
        if "多" in row["unit"]:  # "8200多家": a count from 8,200 to 8,299
            assert want <= got < want + 100, (kpi.code, got)
        elif "以上" in row["unit"]:  # "80％以上"
            assert got >= want, (kpi.code, got)
        elif want >= 10_000:  # "240万": rounds to the quoted number of 万
            assert round(got / 10_000) == round(want / 10_000), (kpi.code, got)
        else:
            assert got == want, (kpi.code, got)


def test_geography_counts(demo_wh):
    regions = demo_wh.run("regions", as_of=LATEST)
    assert (regions.level == "city").sum() == 17
    assert (regions.level == "county").sum() == 103
    both = set(regions.loc[regions.level == "city", "adcode"]) & set(regions.loc[regions.level == "county", "adcode"])
    assert both == {"429004", "429005", "429006", "429021"}
    hubei = regions[regions.level == "province"].iloc[0]
    assert 180_000 < hubei.area_km2 < 190_000  # Hubei: about 185,900 km²


def test_counts_add_up_and_members_within_employees(demo_wh):
    con = demo_wh.con
    bad = con.execute("""
        select count(*) from coverage
        where members > employees or migrant_members > migrant_workers
           or legal_units_unionised > legal_units or grassroots_unions > legal_units_unionised
    """).fetchone()[0]
    assert bad == 0
    assert con.execute("select count(*) from nef_membership where members > workers").fetchone()[0] == 0
    # city population = sum of its counties, for every snapshot
    mismatch = con.execute("""
        select count(*) from regions c
        join (select as_of, parent_adcode, sum(population) as pop from regions where level = 'county'
              group by all) k on k.as_of = c.as_of and k.parent_adcode = c.adcode
        where c.level = 'city' and c.population <> k.pop
    """).fetchone()[0]
    assert mismatch == 0


def test_rates_rise_over_five_years_at_county_paces(demo_wh):
    df = demo_wh.con.execute("""
        select adcode, as_of, legal_units_unionised / legal_units as rate from coverage order by adcode, as_of
    """).df()
    wide = df.pivot(index="adcode", columns="as_of", values="rate")
    gains = wide.iloc[:, -1] - wide.iloc[:, 0]
    assert (gains > 0).mean() > 0.95
    assert gains.std() > 0.02  # county-specific paces, not one curve for all


def test_urban_districts_denser_than_mountain_counties(demo_wh):
    r = demo_wh.run("regions", as_of=LATEST)
    counties = r[r.level == "county"].assign(density=lambda d: d.population / d.area_km2)
    assert counties[counties.kind == "区"].density.median() > 3 * counties[counties.kind == "自治县"].density.median()


def test_stations_inside_their_county_and_clustered(demo_wh):
    shapes = demo_wh.con.execute(
        "select adcode, geojson from region_shapes where as_of = ? and level = 'county'", [LATEST]
    ).df()
    stations = demo_wh.con.execute("select adcode, lon, lat from stations where as_of = ?", [LATEST]).df()
    geoms = {a: shapely.from_geojson(g) for a, g in zip(shapes.adcode, shapes.geojson)}
    outside = 0
    for adcode, grp in stations.groupby("adcode"):
        outside += int((~shapely.contains_xy(geoms[adcode], grp.lon.to_numpy(), grp.lat.to_numpy())).sum())
    assert outside == 0
    # Clustered, not uniform: in a large county, the densest 10% of a 10×10 grid holds most stations.
    big = stations[stations.adcode == "420506"]  # 夷陵区, ~3,400 km²
    h, _, _ = np.histogram2d(big.lon, big.lat, bins=10)
    top = np.sort(h.ravel())[::-1][:10].sum()
    assert top / h.sum() > 0.5


def test_station_ids_persist_with_openings_and_closures(demo_wh):
    con = demo_wh.con
    diff = con.execute("""
        select
          count(*) filter (where a.station_id is null) as opened,
          count(*) filter (where b.status = 'closed' and a.status <> 'closed') as closed,
          count(*) filter (where a.station_id is not null and a.name <> b.name) as renamed
        from (select * from stations where as_of = '2023-12-31') b
        left join (select * from stations where as_of = '2022-12-31') a using (station_id)
    """).fetchone()
    opened, closed, renamed = diff
    assert opened > 500
    assert closed > 50
    assert renamed == 0


def test_competition_winners_spread_by_county_size(demo_wh):
    df = demo_wh.con.execute("""
        select c.adcode, c.employees, count(r.result_id) as awards
        from (select * from coverage where as_of = '2023-12-31') c
        left join (select * from competition_results where as_of = '2023-12-31') r using (adcode)
        group by all
    """).df()
    assert df.awards.corr(df.employees, method="spearman") > 0.6  # rank: bigger counties win more


def test_same_seed_gives_identical_parquet(tmp_path, demo_dir):
    build_demo(tmp_path, "420000", show_progress=False)
    for as_of in ("2019-12-31", LATEST):
        a = json.loads((demo_dir / "snapshots" / as_of / "manifest.json").read_text())["tables"]
        b = json.loads((tmp_path / "snapshots" / as_of / "manifest.json").read_text())["tables"]
        assert {k: v["sha256"] for k, v in a.items()} == {k: v["sha256"] for k, v in b.items()}
    # the demo round too: every file (states, submissions, audit lines) byte for byte
    mine = {p.relative_to(demo_dir): p.read_bytes() for p in sorted((demo_dir / "rounds").rglob("*")) if p.is_file()}
    again = {p.relative_to(tmp_path): p.read_bytes() for p in sorted((tmp_path / "rounds").rglob("*")) if p.is_file()}
    assert len(mine) == 18  # round.json, 4 unit states, 4 locks, 4 versions of 2 tables, the audit lines
    assert mine == again


def test_another_seed_differs(tmp_path, demo_dir):
    build_demo(tmp_path, "420000", seed=7, show_progress=False)
    a = json.loads((demo_dir / "snapshots" / LATEST / "manifest.json").read_text())["tables"]
    b = json.loads((tmp_path / "snapshots" / LATEST / "manifest.json").read_text())["tables"]
    assert a["stations"]["sha256"] != b["stations"]["sha256"]


def test_a_city_region_works_by_one_setting(tmp_path):
    from uniondash.data.warehouse import Warehouse

    build_demo(tmp_path, "420500", show_progress=False)
    wh = Warehouse(tmp_path / "snapshots")
    r = wh.run("regions", as_of=LATEST)
    assert list(r.level.value_counts().sort_index().items()) == [("city", 1), ("county", 13)]
    assert 8200 <= latest_kpis(wh)["stations_registered"] < 8300


CENSUS = Path(__file__).resolve().parents[1] / "uniondash" / "demo" / "census" / "420000.csv"


def test_default_region_cities_match_the_2020_census(demo_wh):
    """The 2020 snapshot's city populations within 1 % of the 7th census (武汉市 12,326,518)."""
    with CENSUS.open(encoding="utf-8") as fh:
        census = {r["adcode"]: int(r["population_2020"]) for r in csv.DictReader(fh)}
    regions = demo_wh.run("regions", as_of="2020-12-31")
    cities = regions[regions.level == "city"].set_index("adcode").population
    assert set(cities.index) == set(census)
    for adcode, want in census.items():
        assert abs(cities[adcode] / want - 1) < 0.01, (adcode, int(cities[adcode]), want)
    province = regions[regions.level == "province"].population.iloc[0]
    assert abs(province / sum(census.values()) - 1) < 0.01  # 57.75 million


def test_other_years_move_by_plausible_growth(demo_wh):
    df = demo_wh.con.execute(
        "select adcode, as_of, population, employees from regions where level = 'city' order by adcode, as_of"
    ).df()
    pop = df.pivot(index="adcode", columns="as_of", values="population")
    yearly = pop.pct_change(axis=1).iloc[:, 1:]
    assert yearly.abs().max().max() < 0.02  # no city jumps more than 2 % a year
    # employees keep a plausible share of residents in every city and year
    share = df.employees / df.population
    assert share.between(0.2, 0.45).all(), share.describe()


def test_a_region_without_census_keeps_the_model():
    from uniondash.demo.people import calibration_factors, city_census

    assert city_census("420500") is None
    with pytest.raises(ValueError, match="420200"):
        calibration_factors(np.array(["420100", "420200"]), np.array([1.0, 2.0]), {"420100": 5})
    factors = calibration_factors(
        np.array(["420100", "420100", "429004"]), np.array([1.0, 3.0, 2.0]), {"420100": 8, "429004": 1}
    )
    assert factors.tolist() == [2.0, 2.0, 0.5]


def test_demo_round_is_open_with_submissions_a_return_and_overdue_units(demo_dir, monkeypatch):
    """Round 2024-06-30 due 2024-07-15: 江岸区 accepted, 江汉区 and 硚口区 submitted, 汉阳区
    returned, the other 99 counties not started: overdue after the due date, not before."""
    from uniondash.data import rounds as R

    store = R.RoundStore(demo_dir)
    monkeypatch.setenv("UNIONDASH_NOW", "2024-07-10T12:00:00+08:00")
    board = R.status(store).set_index("unit")
    assert store.current().id == "2024-06-30"
    assert board.state[["420102", "420103", "420104", "420105"]].tolist() == [
        "accepted",
        "submitted",
        "submitted",
        "returned",
    ]
    assert (board.state == "not_started").sum() == 99
    assert board.reason["420105"].startswith("会员人数与上年差异较大")
    assert not board.overdue.any()
    monkeypatch.setenv("UNIONDASH_NOW", "2024-07-16T09:00:00+08:00")
    late = R.status(store).set_index("unit").overdue
    assert late.sum() == 100  # 99 not started and the returned one
    assert not late[["420102", "420103", "420104"]].any()
    changed = R.review(store, "420103").tables["stations"].changed
    assert changed.column.tolist() == ["name"]
    assert changed.after.iloc[0] == changed.before.iloc[0] + "（迁址）"
