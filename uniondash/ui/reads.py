"""Every data read of a session: the cached warehouse, named queries through the one gateway
(uniondash.data.warehouse.Warehouse.run applies the data scope and name masking), and the few
region-wide reads, each registered by name in uniondash.access.data_scope.REGION_WIDE_READS.

The DuckDB connection lives in st.cache_resource; query results in st.cache_data keyed by
small hashable arguments (query name, data fingerprint, data scope, parameters). Nothing runs at import.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import streamlit as st

from uniondash.access.data_scope import REGION_WIDE_READS, DataScope, SessionAccess
from uniondash.analysis.overview import unit_wide
from uniondash.data.warehouse import Warehouse
from uniondash.metrics.kpis import compute_kpis, load_catalogue
from uniondash.metrics.measures import scope_measures
from uniondash.metrics.scope import RegionIndex


def data_fingerprint(snapshots_dir: Path) -> str:
    """Changes whenever any file of any snapshot folder is added, removed or rewritten (name, size
    and mtime of every file), so an altered parquet file is verified again before it is served.
    Hidden folders (writers' `.tmp-…` work in progress) do not count until renamed into place.
    A digest of that listing: every cached query is keyed by it, and Streamlit hashed the listing
    itself (a tuple of ~60 tuples) in 0.7 ms, some 30 times a rerun; the digest in 0.01 ms."""
    if not snapshots_dir.is_dir():
        return ""
    out = []
    for folder in sorted(snapshots_dir.iterdir()):
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        files = []
        for f in sorted(folder.iterdir()):
            try:
                st_ = f.stat()
            except OSError:  # removed while we looked: the next run sees the new state
                continue
            files.append((f.name, st_.st_size, st_.st_mtime_ns))
        out.append((folder.name, tuple(files)))
    return hashlib.sha256(repr(out).encode()).hexdigest() if out else ""


@st.cache_resource(show_spinner="正在打开数据 / Opening data …")
def get_warehouse(snapshots_dir: str, fingerprint: str) -> Warehouse:
    return Warehouse(Path(snapshots_dir))


ACCESS_KEY = "_access"  # set by the sign-in gate (uniondash.ui.signin) from a verified identity


class AccessRequired(RuntimeError):
    """Data was asked for before the sign-in gate decided who this session is."""


def session_access() -> SessionAccess:
    """This session's identity and data scope. Never from the URL or a widget: a widget cannot
    hold a SessionAccess, and without one no data is read (no silent fallback to everything)."""
    access = st.session_state.get(ACCESS_KEY)
    if not isinstance(access, SessionAccess):
        raise AccessRequired("no signed-in identity in this session: dashboard.py's gate must run first")
    return access


@st.cache_data(show_spinner=False, max_entries=1024)
def cached_query(
    name: str, snapshots_dir: str, fingerprint: str, data_scope: DataScope | None, names_shown: bool, **params
) -> pd.DataFrame:
    """A named query through the gateway for a data scope (None = the whole region) and name rule;
    both are part of the cache key."""
    return get_warehouse(snapshots_dir, fingerprint).run(name, data_scope=data_scope, names_shown=names_shown, **params)


def uncached_query(
    name: str, snapshots_dir: str, fingerprint: str, data_scope: DataScope | None, names_shown: bool, **params
) -> pd.DataFrame:
    """The same read, not cached: an export's every row in scope, once, when its button is clicked."""
    return get_warehouse(snapshots_dir, fingerprint).run(name, data_scope=data_scope, names_shown=names_shown, **params)


def region_wide(read: str, name: str, snapshots_dir: str, fingerprint: str, **params) -> pd.DataFrame:
    """A read over the whole region whatever the session's scope, names masked: only for a read
    registered in REGION_WIDE_READS, whose caller hands on nothing but what the registry says."""
    if read not in REGION_WIDE_READS:
        raise PermissionError(f"{read!r} is not a registered region-wide read (uniondash/access/data_scope.py)")
    return cached_query(name, snapshots_dir, fingerprint, None, False, **params)


@st.cache_data(show_spinner=False, max_entries=64)
def region_index(snapshots_dir: str, fingerprint: str, as_of: str, data_scope: DataScope | None) -> RegionIndex:
    """The snapshot's units the session may read, as lookups for the filters and the scope (asked
    on every rerun); data_scope (a planner's units, None = everything) is part of the key."""
    return RegionIndex.from_regions(cached_query("regions", snapshots_dir, fingerprint, data_scope, False, as_of=as_of))


@st.cache_data(show_spinner=False, max_entries=64)
def region_names_cached(
    snapshots_dir: str, fingerprint: str, as_of: str, data_scope: DataScope | None
) -> dict[str, str]:
    regions = cached_query("regions", snapshots_dir, fingerprint, data_scope, False, as_of=as_of)
    return dict(zip(regions.adcode, regions.name))


@st.cache_data(show_spinner=False, max_entries=256)
def scope_kpis(
    snapshots_dir: str, fingerprint: str, as_ofs: tuple[str, ...], units: tuple[str, ...], data_scope: DataScope | None
) -> pd.DataFrame:
    per_unit = cached_query("unit_measures", snapshots_dir, fingerprint, data_scope, False, as_ofs=as_ofs)
    return compute_kpis(scope_measures(per_unit, units), load_catalogue())


@st.cache_data(show_spinner=False, max_entries=16)
def region_only_cached(
    snapshots_dir: str, fingerprint: str, as_ofs: tuple[str, ...], region_adcode: str
) -> frozenset[str]:
    """KPI codes with data at the region's own code alone (catalogue metadata, not figures: read
    region-wide whatever the session's scope, so the answer is the same for everyone)."""
    from uniondash.analysis.overview import region_only_codes

    per_unit = region_wide("region_only_kpis", "unit_measures", snapshots_dir, fingerprint, as_ofs=as_ofs)
    return region_only_codes(per_unit, load_catalogue().kpis, region_adcode)


@st.cache_data(show_spinner=False, max_entries=16)
def display_shapes_cached(
    snapshots_dir: str, fingerprint: str, as_of: str, level: str, data_scope: DataScope | None
) -> pd.DataFrame:
    from uniondash.render.maps import display_shapes

    return display_shapes(
        cached_query("region_shapes", snapshots_dir, fingerprint, data_scope, False, as_of=as_of, level=level)
    )


@st.cache_data(show_spinner=False, max_entries=64)
def unit_wide_cached(
    snapshots_dir: str, fingerprint: str, as_ofs: tuple[str, ...], as_of: str, data_scope: DataScope | None
) -> pd.DataFrame:
    return unit_wide(cached_query("unit_measures", snapshots_dir, fingerprint, data_scope, False, as_ofs=as_ofs), as_of)


def rankable_codes(
    snapshots_dir: str, fingerprint: str, as_ofs: tuple[str, ...], as_of: str, counties: tuple[str, ...]
) -> tuple[str, ...]:
    return _rankable_codes(snapshots_dir, fingerprint, as_ofs, as_of, counties, session_access().data_scope)


@st.cache_data(show_spinner=False, max_entries=256)
def _rankable_codes(
    snapshots_dir: str,
    fingerprint: str,
    as_ofs: tuple[str, ...],
    as_of: str,
    counties: tuple[str, ...],
    data_scope: DataScope | None,
) -> tuple[str, ...]:
    """KPIs that counties can be ranked by in this scope: a direction, and a value somewhere."""
    from uniondash.analysis.overview import county_values

    wide = unit_wide_cached(snapshots_dir, fingerprint, as_ofs, as_of, data_scope)
    return tuple(
        k.code
        for k in load_catalogue().kpis
        if k.direction != "none" and not county_values(wide, k, counties).isna().all()
    )


def station_index_cached(snapshots_dir: str, fingerprint: str, params: dict):
    return _station_index(snapshots_dir, fingerprint, params, session_access().data_scope)


@st.cache_resource(show_spinner="正在建立空间索引 / Building the spatial index …", max_entries=16)
def _station_index(snapshots_dir: str, fingerprint: str, params: dict, data_scope: DataScope | None):
    """k-d tree over open stations passing the filters (any county the session may read), for
    the gap analysis."""
    from uniondash.analysis.gaps import station_index
    from uniondash.analysis.stations import open_anywhere

    counties = _all_counties(snapshots_dir, fingerprint, params["as_of"], data_scope)
    xy = cached_query(
        "stations_xy", snapshots_dir, fingerprint, data_scope, False, filters=open_anywhere(params, counties)
    )
    lat0 = float(xy.lat.mean()) if len(xy) else 30.0
    return station_index(xy, lat0)


def _all_counties(snapshots_dir: str, fingerprint: str, as_of: str, data_scope: DataScope | None) -> tuple[str, ...]:
    regions = cached_query("regions", snapshots_dir, fingerprint, data_scope, False, as_of=as_of)
    return tuple(regions.loc[regions.level == "county", "adcode"])


def region_units(snapshots_dir: str, fingerprint: str, as_of: str) -> pd.DataFrame:
    """Every unit of the region, whatever the session's scope: for the sign-in gate to resolve a
    planner's assignment and to tell a link's other county from a mistyped code. Not for display."""
    return region_wide("sign_in_units", "regions", snapshots_dir, fingerprint, as_of=as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def county_rank(
    snapshots_dir: str, fingerprint: str, as_ofs: tuple[str, ...], as_of: str, county: str
) -> dict[str, tuple[int | None, int]]:
    """The named exception county_rank (uniondash.access.data_scope.REGION_WIDE_READS): one
    county's rank among all counties per KPI, computed from the whole region, only the rank out."""
    from uniondash.analysis.profile import own_ranks, profile_rows
    from uniondash.metrics.kpis import load_catalogue

    per_unit = region_wide("county_rank", "unit_measures", snapshots_dir, fingerprint, as_ofs=as_ofs)
    regions = region_wide("county_rank", "regions", snapshots_dir, fingerprint, as_of=as_of)
    targets = region_wide("county_rank", "targets", snapshots_dir, fingerprint, as_of=as_of)
    return own_ranks(profile_rows(per_unit, load_catalogue(), regions, county, as_of, as_ofs, targets))
