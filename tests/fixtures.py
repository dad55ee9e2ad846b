"""A tiny hand-made region with two snapshots, and the answers computed by hand.

Region 990000 测试省: city 990100 甲市 (counties 990101 甲一区, 990102 甲二县) and city 990200
乙市 (county 990201 乙一县). Every expected value below is worked out in the comments.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd

from uniondash.data.schema import FACILITIES, TABLES
from uniondash.data.snapshot_writer import write_snapshot

REGION = "990000"
XSS_NAME = "<img src=x onerror=alert(1)>"
# Square counties around their stations: 甲一区 is centred on S1 so that S1 sits mid-map.
SQUARES = {
    "990101": (113.925, 30.525, 114.075, 30.675),
    "990102": (114.075, 30.6, 114.225, 30.75),
    "990201": (114.4, 30.1, 114.6, 30.3),
    "990100": (113.925, 30.525, 114.225, 30.75),
    "990200": (114.4, 30.1, 114.6, 30.3),
    "990000": (113.9, 30.1, 114.6, 30.75),
}


def _square(x0, y0, x1, y1) -> str:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _regions() -> pd.DataFrame:
    rows = [
        ("990000", "测试省", "province", None, "省", 114.0, 30.5, 300.0, 10000, 1500),
        ("990100", "甲市", "city", "990000", "地级市", 114.0, 30.6, 200.0, 8000, 1400),
        ("990200", "乙市", "city", "990000", "地级市", 114.5, 30.2, 100.0, 2000, 100),
        ("990101", "甲一区", "county", "990100", "区", 114.0, 30.6, 50.0, 5000, 1000),
        ("990102", "甲二县", "county", "990100", "县", 114.1, 30.7, 150.0, 3000, 400),
        ("990201", "乙一县", "county", "990200", "县", 114.5, 30.2, 100.0, 2000, 100),
    ]
    return pd.DataFrame(rows, columns=TABLES["regions"].names)


def _shapes() -> pd.DataFrame:
    reg = _regions()
    return pd.DataFrame(
        {"adcode": reg.adcode, "level": reg.level, "geojson": [_square(*SQUARES[a]) for a in reg.adcode]}
    )


def _coverage(year: int) -> pd.DataFrame:
    if year == 2023:
        rows = [
            ("990101", 100, 90, 80, 1000, 900, 200, 150),
            ("990102", 50, 25, 20, 400, 200, 100, 30),
            ("990201", 10, 8, 8, 100, 90, 50, 40),
        ]
    else:
        rows = [
            ("990101", 100, 80, 70, 1000, 800, 200, 100),
            ("990102", 50, 30, 25, 400, 240, 100, 35),
            ("990201", 10, 5, 5, 100, 60, 50, 20),
        ]
    return pd.DataFrame(rows, columns=TABLES["coverage"].names)


def _nef(year: int) -> pd.DataFrame:
    k = 1 if year == 2023 else 0
    rows = [
        ("990101", "courier", 100, 40 if k else 20),
        ("990101", "food_delivery", 200, 50 if k else 30),
        ("990102", "truck_driver", 50, 10),
        ("990201", "ride_hailing", 30, 15 if k else 5),
    ]
    return pd.DataFrame(rows, columns=TABLES["nef_membership"].names)


def _station(sid, name, kind, adcode, status, is_24h, visits, opened, lon=114.0, lat=30.6, host="union"):
    row = dict(
        station_id=sid,
        name=name,
        kind=kind,
        adcode=adcode,
        address=f"{adcode} 测试路 1 号",
        lon=lon,
        lat=lat,
        host_type=host,
        opened_on=dt.date.fromisoformat(opened),
        status=status,
        is_24h=is_24h,
        star=3,
        monthly_visits=visits,
    )
    row.update({f: True for f in FACILITIES})
    return row


def _stations(year: int) -> pd.DataFrame:
    if year == 2023:
        rows = [
            _station("S1", XSS_NAME, "outdoor_rest", "990101", "open", True, 100, "2021-03-01"),
            _station("S2", "甲一区母婴室", "nursing_room", "990101", "open", False, 50, "2021-05-01", 114.03, 30.62),
            _station("S3", "甲一区旧驿站", "outdoor_rest", "990101", "closed", False, 0, "2020-01-01", 113.95, 30.55),
            _station("S4", "甲二县加油站", "mental_care", "990102", "suspended", False, 0, "2022-02-01", 114.15, 30.7),
            _station("S5", "乙一县驿站", "outdoor_rest", "990201", "open", False, 30, "2023-04-01", 114.5, 30.2),
            _station("S6", "甲二县新驿站", "outdoor_rest", "990102", "open", False, 20, "2023-06-01", 114.1, 30.7),
        ]
    else:
        rows = [
            _station("S1", XSS_NAME, "outdoor_rest", "990101", "open", True, 90, "2021-03-01"),
            _station("S2", "甲一区母婴室", "nursing_room", "990101", "open", False, 40, "2021-05-01", 114.03, 30.62),
            _station("S3", "甲一区旧驿站", "outdoor_rest", "990101", "open", False, 10, "2020-01-01", 113.95, 30.55),
            _station("S4", "甲二县加油站", "mental_care", "990102", "open", False, 5, "2022-02-01", 114.15, 30.7),
        ]
    df = pd.DataFrame(rows)
    df["star"] = df.star.astype("Int8")
    return df


def _competitions(year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    comps = [("C3", "ankang_cup", "乙一县安康杯", 2022, "county", None, 10, "990201")]
    results = [("R4", "C3", "一等奖", "unit", "乙一县某厂", "乙一县某厂", "990201", None, None)]
    if year == 2023:
        comps += [
            ("C1", "skills_contest", "全省技能大赛（焊工）", 2023, "region", "焊工", 100, REGION),
            ("C2", "ankang_cup", "甲市安康杯", 2023, "city", None, 40, "990100"),
        ]
        results += [
            ("R1", "C1", "一等奖", "person", "张三", "甲一区机械厂", "990101", "技术能手", None),
            ("R2", "C1", "二等奖", "person", "李四", "乙一县电厂", "990201", "荆楚工匠", None),
            ("R3", "C2", "一等奖", "unit", "甲二县化工厂", "甲二县化工厂", "990102", None, 12.5),
        ]
    return (
        pd.DataFrame(comps, columns=TABLES["competitions"].names),
        pd.DataFrame(results, columns=TABLES["competition_results"].names),
    )


def _indicators(year: int) -> pd.DataFrame:
    rows = [
        ("work_groups", REGION, 2022, 3.0),
        ("court_union_mediation", "990100", 2022, 1.0),
        ("court_union_mediation", "990200", 2022, 0.0),
    ]
    if year == 2023:
        rows += [
            ("work_groups", REGION, 2023, 4.0),
            ("co_creation_pilots", "990101", 2023, 2.0),
            ("co_creation_pilots", "990201", 2023, 1.0),
        ]
        rows += [
            ("court_union_mediation", a, 2023, v)
            for a, v in (("990100", 1.0), ("990200", 1.0), ("990101", 1.0), ("990102", 1.0), ("990201", 0.0))
        ]
    return pd.DataFrame(rows, columns=TABLES["indicators"].names)


def _targets() -> pd.DataFrame:
    rows = [
        ("union_founding_rate", REGION, 2025, 0.9),
        ("stations_registered", REGION, 2025, 8.0),
        ("stations_registered", "990101", 2025, 4.0),
        ("stations_registered", "990102", 2025, 3.0),
        ("stations_registered", "990201", 2025, 1.0),
    ]
    return pd.DataFrame(rows, columns=TABLES["targets"].names)


def _demand() -> pd.DataFrame:
    # D1 sits on S1 (covered); D2 is ~5.3 km east of S2 (uncovered at 2 km); D3 and D4 are 1 km
    # apart in 乙一县, more than 10 km from any station: one new site there covers both.
    rows = [
        ("D1", "990101", "delivery_hub", 114.0, 30.6, 50),
        ("D2", "990101", "market", 114.085, 30.62, 30),
        ("D3", "990201", "logistics_park", 114.45, 30.25, 40),
        ("D4", "990201", "delivery_hub", 114.45, 30.259, 20),
    ]
    return pd.DataFrame(rows, columns=TABLES["demand_points"].names)


def build_fixture(data_dir: Path) -> Path:
    """Write snapshots 2022-12-31 and 2023-12-31 of the hand-made region; return the snapshots dir."""
    snapshots = Path(data_dir) / "snapshots"
    for year in (2022, 2023):
        comps, results = _competitions(year)
        tables = {
            "regions": _regions(),
            "region_shapes": _shapes(),
            "coverage": _coverage(year),
            "nef_membership": _nef(year),
            "stations": _stations(year),
            "competitions": comps,
            "competition_results": results,
            "indicators": _indicators(year),
            "targets": _targets(),
            "demand_points": _demand(),
        }
        write_snapshot(snapshots, f"{year}-12-31", tables, source="demo", extra={"region_adcode": REGION})
    return snapshots
