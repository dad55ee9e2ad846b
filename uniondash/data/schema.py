"""The data contract (data/README.md): every snapshot table, its columns and their types.

Used by the demo generator and the importer to write parquet with exact types, and by
data/README.md's test to keep the documentation in step with the code.
"""

from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = 1

STATION_KINDS = ("outdoor_rest", "nursing_room", "mental_care")
STATION_STATUSES = ("open", "suspended", "closed")
HOST_TYPES = ("union", "enterprise", "bank", "fuel_station", "community", "government", "retail", "other")
FACILITIES = ("has_water", "has_microwave", "has_seating", "has_first_aid", "has_toilet", "has_charging", "has_aircon")
WORKER_GROUPS = ("truck_driver", "ride_hailing", "courier", "food_delivery")
COMPETITION_SERIES = ("labour_skill", "skills_contest", "ankang_cup", "five_small")
COMPETITION_LEVELS = ("region", "city", "county", "enterprise")
WINNER_TYPES = ("person", "team", "unit")
REGION_LEVELS = ("province", "city", "county")
DEMAND_KINDS = ("delivery_hub", "logistics_park", "transport_hub", "construction_site", "market")

TABLES: dict[str, pa.Schema] = {
    "regions": pa.schema(
        [
            ("adcode", pa.string()),
            ("name", pa.string()),
            ("level", pa.string()),
            ("parent_adcode", pa.string()),
            ("kind", pa.string()),
            ("lon", pa.float64()),
            ("lat", pa.float64()),
            ("area_km2", pa.float64()),
            ("population", pa.int64()),
            ("employees", pa.int64()),
        ]
    ),
    "region_shapes": pa.schema([("adcode", pa.string()), ("level", pa.string()), ("geojson", pa.string())]),
    "coverage": pa.schema(
        [
            ("adcode", pa.string()),
            ("legal_units", pa.int64()),
            ("legal_units_unionised", pa.int64()),
            ("grassroots_unions", pa.int64()),
            ("employees", pa.int64()),
            ("members", pa.int64()),
            ("migrant_workers", pa.int64()),
            ("migrant_members", pa.int64()),
        ]
    ),
    "nef_membership": pa.schema(
        [
            ("adcode", pa.string()),
            ("worker_group", pa.string()),
            ("workers", pa.int64()),
            ("members", pa.int64()),
        ]
    ),
    "stations": pa.schema(
        [
            ("station_id", pa.string()),
            ("name", pa.string()),
            ("kind", pa.string()),
            ("adcode", pa.string()),
            ("address", pa.string()),
            ("lon", pa.float64()),
            ("lat", pa.float64()),
            ("host_type", pa.string()),
            ("opened_on", pa.date32()),
            ("status", pa.string()),
            ("is_24h", pa.bool_()),
            *[(f, pa.bool_()) for f in FACILITIES],
            ("star", pa.int8()),
            ("monthly_visits", pa.int32()),
        ]
    ),
    "competitions": pa.schema(
        [
            ("competition_id", pa.string()),
            ("series", pa.string()),
            ("name", pa.string()),
            ("year", pa.int16()),
            ("level", pa.string()),
            ("trade", pa.string()),
            ("participants", pa.int32()),
            ("adcode", pa.string()),
        ]
    ),
    "competition_results": pa.schema(
        [
            ("result_id", pa.string()),
            ("competition_id", pa.string()),
            ("award_tier", pa.string()),
            ("winner_type", pa.string()),
            ("winner_name", pa.string()),
            ("employer", pa.string()),
            ("adcode", pa.string()),
            ("honour", pa.string()),
            ("benefit_10k_yuan", pa.float64()),
        ]
    ),
    "indicators": pa.schema(
        [
            ("kpi_code", pa.string()),
            ("adcode", pa.string()),
            ("year", pa.int16()),
            ("value", pa.float64()),
        ]
    ),
    "targets": pa.schema(
        [
            ("kpi_code", pa.string()),
            ("adcode", pa.string()),
            ("year", pa.int16()),
            ("target", pa.float64()),
        ]
    ),
    # Extension beyond the original contract (data/README.md, demand_points): where outdoor workers
    # gather (logistics and delivery hot spots), the demand layer for the stations page's service-gap analysis.
    "demand_points": pa.schema(
        [
            ("point_id", pa.string()),
            ("adcode", pa.string()),
            ("kind", pa.string()),
            ("lon", pa.float64()),
            ("lat", pa.float64()),
            ("workers", pa.int32()),
        ]
    ),
}

# Keys that must be unique in each table (data tests and import validation).
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "regions": ("adcode", "level"),
    "region_shapes": ("adcode", "level"),
    "coverage": ("adcode",),
    "nef_membership": ("adcode", "worker_group"),
    "stations": ("station_id",),
    "competitions": ("competition_id",),
    "competition_results": ("result_id",),
    "indicators": ("kpi_code", "adcode", "year"),
    "targets": ("kpi_code", "adcode", "year"),
    "demand_points": ("point_id",),
}

ACCEPTED_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("regions", "level"): REGION_LEVELS,
    ("stations", "kind"): STATION_KINDS,
    ("stations", "status"): STATION_STATUSES,
    ("stations", "host_type"): HOST_TYPES,
    ("nef_membership", "worker_group"): WORKER_GROUPS,
    ("competitions", "series"): COMPETITION_SERIES,
    ("competitions", "level"): COMPETITION_LEVELS,
    ("competition_results", "winner_type"): WINNER_TYPES,
    ("region_shapes", "level"): REGION_LEVELS,
    ("demand_points", "kind"): DEMAND_KINDS,
}
