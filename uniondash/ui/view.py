"""Streamlit glue: the cached warehouse, cached named queries, and the shared view state.

The DuckDB connection lives in st.cache_resource; query results in st.cache_data keyed by
small hashable arguments (query name, data fingerprint, parameters). Nothing runs at import.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd
import streamlit as st

from uniondash.access.data_scope import DataScope, SessionAccess, default_selection
from uniondash.analysis.medals import mask_results
from uniondash.analysis.overview import unit_wide
from uniondash.config import Settings, load_settings
from uniondash.data.warehouse import Warehouse
from uniondash.metrics.kpis import compute_kpis, load_catalogue
from uniondash.metrics.measures import scope_measures
from uniondash.metrics.scope import RegionIndex, Scope, resolve_scope

FILTER_KEYS = ("snapshot", "compare", "city", "county", "lang")


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


def run_query(name: str, snapshots_dir: str, fingerprint: str, **params) -> pd.DataFrame:
    """A named query for this session: restricted to its data scope, names masked unless shown."""
    access = session_access()
    return _run_query(name, snapshots_dir, fingerprint, access.data_scope, access.names_shown, **params)


@st.cache_data(show_spinner=False, max_entries=1024)
def _run_query(
    name: str, snapshots_dir: str, fingerprint: str, scope: DataScope | None, names_shown: bool, **params
) -> pd.DataFrame:
    """A named query restricted to a data scope (None = the whole region), with people's names
    masked unless they may be shown. Both are part of the cache key."""
    return scoped_query(name, snapshots_dir, fingerprint, scope, names_shown, **params)


def scoped_query(
    name: str, snapshots_dir: str, fingerprint: str, scope: DataScope | None, names_shown: bool, **params
) -> pd.DataFrame:
    """The one way a page's data is read: restricted to the data scope, names masked unless shown."""
    result = get_warehouse(snapshots_dir, fingerprint).run(name, scope=scope, **params)
    if not names_shown and {"winner_name", "winner_type"} <= set(result.columns):
        result = mask_results(result)
    return result


@dataclass(frozen=True)
class View:
    """What every page needs: settings, language, snapshots and the scope chosen in the filters."""

    settings: Settings
    lang: str
    fingerprint: str
    as_ofs: tuple[str, ...]
    snapshot: str
    compare: str | None
    scope: Scope
    is_demo: bool
    access: DataScope | None = None  # the session's data scope (a planner's units); None = everything
    names_shown: bool = False  # people's names may be shown (and searched) for this session

    @property
    def snapshots_dir(self) -> str:
        return str(self.settings.snapshots_dir)

    @cached_property
    def cache_key(self) -> str:
        """Every field, as text, once per rerun: what a cache keyed by the view hashes (VIEW_HASH).
        Streamlit's own hashing of a dataclass converts it (settings and all) on every call."""
        return repr(self)

    def query(self, name: str, **params) -> pd.DataFrame:
        return _run_query(name, self.snapshots_dir, self.fingerprint, self.access, self.names_shown, **params)

    def regions(self, as_of: str | None = None) -> pd.DataFrame:
        return self.query("regions", as_of=as_of or self.snapshot)

    def names(self) -> dict[str, str]:
        """adcode → name of the snapshot's units the session may read (asked several times a
        rerun: a small dict from the cache instead of the regions frame each time)."""
        return region_names_cached(self.snapshots_dir, self.fingerprint, self.snapshot, self.access)

    def unit_measures(self) -> pd.DataFrame:
        """Per-unit measures for every snapshot (one cached query serves every scope)."""
        return self.query("unit_measures", as_ofs=self.as_ofs)

    def shapes(self, level: str) -> pd.DataFrame:
        """Boundaries of one level, lightened for drawing (uniondash.maps.display_shapes)."""
        return display_shapes_cached(self.snapshots_dir, self.fingerprint, self.snapshot, level, self.access)

    def unit_wide(self, as_of: str) -> pd.DataFrame:
        """One snapshot's per-unit measures, one column per measure (for county rankings)."""
        return unit_wide_cached(self.snapshots_dir, self.fingerprint, self.as_ofs, as_of, self.access)

    def county_rank(self, county: str) -> dict[str, tuple[int | None, int]]:
        """A county's rank among all the region's counties (a named exception for planners)."""
        if self.access is not None and not self.access.allows(county):
            raise PermissionError(f"county {county} is outside this session's scope")
        return county_rank(self.snapshots_dir, self.fingerprint, self.as_ofs, self.snapshot, county)

    def kpis(self) -> pd.DataFrame:
        """KPI values (as_of, code, value) for the scope at every snapshot."""
        return scope_kpis(self.snapshots_dir, self.fingerprint, self.as_ofs, self.scope.units, self.access)

    def region_only(self) -> frozenset[str]:
        """KPIs that exist for the region as a whole only (a county or city has none by nature)."""
        return region_only_cached(self.snapshots_dir, self.fingerprint, self.as_ofs, self.scope.region_adcode)

    def export_query(self, name: str, **params) -> pd.DataFrame:
        """A named query for an export, not cached: every row in scope, once, when a button is clicked
        (the session's data scope and name masking apply as to every query)."""
        return scoped_query(name, self.snapshots_dir, self.fingerprint, self.access, self.names_shown, **params)


def _view_key(view: View) -> str:
    return view.cache_key


VIEW_HASH = {View: _view_key}  # hash_funcs of every cache that takes a View


@st.cache_data(show_spinner=False, max_entries=64)
def region_index(snapshots_dir: str, fingerprint: str, as_of: str, access: DataScope | None) -> RegionIndex:
    """The snapshot's units the session may read, as lookups for the filters and the scope (asked
    on every rerun); access (a planner's data scope, None = everything) is part of the key."""
    return RegionIndex.from_regions(_run_query("regions", snapshots_dir, fingerprint, access, False, as_of=as_of))


@st.cache_data(show_spinner=False, max_entries=64)
def region_names_cached(snapshots_dir: str, fingerprint: str, as_of: str, access: DataScope | None) -> dict[str, str]:
    regions = _run_query("regions", snapshots_dir, fingerprint, access, False, as_of=as_of)
    return dict(zip(regions.adcode, regions.name))


@st.cache_data(show_spinner=False, max_entries=256)
def scope_kpis(
    snapshots_dir: str, fingerprint: str, as_ofs: tuple[str, ...], units: tuple[str, ...], access: DataScope | None
) -> pd.DataFrame:
    per_unit = _run_query("unit_measures", snapshots_dir, fingerprint, access, False, as_ofs=as_ofs)
    return compute_kpis(scope_measures(per_unit, units), load_catalogue())


@st.cache_data(show_spinner=False, max_entries=16)
def region_only_cached(
    snapshots_dir: str, fingerprint: str, as_ofs: tuple[str, ...], region_adcode: str
) -> frozenset[str]:
    """KPI codes with data at the region's own code alone (catalogue metadata, not figures: read
    region-wide whatever the session's scope, so the answer is the same for everyone)."""
    from uniondash.analysis.overview import region_only_codes

    per_unit = _run_query("unit_measures", snapshots_dir, fingerprint, None, False, as_ofs=as_ofs)
    return region_only_codes(per_unit, load_catalogue().kpis, region_adcode)


@st.cache_data(show_spinner=False, max_entries=16)
def display_shapes_cached(
    snapshots_dir: str, fingerprint: str, as_of: str, level: str, access: DataScope | None
) -> pd.DataFrame:
    from uniondash.render.maps import display_shapes

    return display_shapes(
        _run_query("region_shapes", snapshots_dir, fingerprint, access, False, as_of=as_of, level=level)
    )


@st.cache_data(show_spinner=False, max_entries=64)
def unit_wide_cached(
    snapshots_dir: str, fingerprint: str, as_ofs: tuple[str, ...], as_of: str, access: DataScope | None
) -> pd.DataFrame:
    return unit_wide(_run_query("unit_measures", snapshots_dir, fingerprint, access, False, as_ofs=as_ofs), as_of)


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
    access: DataScope | None,
) -> tuple[str, ...]:
    """KPIs that counties can be ranked by in this scope: a direction, and a value somewhere."""
    from uniondash.analysis.overview import county_values

    wide = unit_wide_cached(snapshots_dir, fingerprint, as_ofs, as_of, access)
    return tuple(
        k.code
        for k in load_catalogue().kpis
        if k.direction != "none" and not county_values(wide, k, counties).isna().all()
    )


def station_index_cached(snapshots_dir: str, fingerprint: str, params: dict):
    return _station_index(snapshots_dir, fingerprint, params, session_access().data_scope)


@st.cache_resource(show_spinner="正在建立空间索引 / Building the spatial index …", max_entries=16)
def _station_index(snapshots_dir: str, fingerprint: str, params: dict, access: DataScope | None):
    """k-d tree over open stations passing the filters (any county the session may read), for
    the gap analysis."""
    from uniondash.analysis.gaps import station_index
    from uniondash.analysis.stations import open_anywhere

    counties = _all_counties(snapshots_dir, fingerprint, params["as_of"], access)
    xy = _run_query("stations_xy", snapshots_dir, fingerprint, access, False, filters=open_anywhere(params, counties))
    lat0 = float(xy.lat.mean()) if len(xy) else 30.0
    return station_index(xy, lat0)


def _all_counties(snapshots_dir: str, fingerprint: str, as_of: str, access: DataScope | None) -> tuple[str, ...]:
    regions = _run_query("regions", snapshots_dir, fingerprint, access, False, as_of=as_of)
    return tuple(regions.loc[regions.level == "county", "adcode"])


def previous_as_of(as_ofs: tuple[str, ...], snapshot: str) -> str | None:
    earlier = [a for a in as_ofs if a < snapshot]
    return earlier[-1] if earlier else None


def current_view() -> View:
    """Build the view from the shared filter widgets (keys in FILTER_KEYS) set by dashboard.py,
    within the session's data scope: a planner's filters never reach beyond their units."""
    settings = load_settings()
    ss = st.session_state
    access = session_access()
    fingerprint = ss["_fingerprint"]
    wh = get_warehouse(str(settings.snapshots_dir), fingerprint)
    as_ofs = tuple(wh.as_ofs)
    snapshot = ss.get("snapshot") or as_ofs[-1]
    compare = ss.get("compare")
    if compare in (None, "auto") or compare not in as_ofs or compare >= snapshot:
        compare = previous_as_of(as_ofs, snapshot)
    index = region_index(str(settings.snapshots_dir), fingerprint, snapshot, access.data_scope)
    region_adcode = wh.snapshot(snapshot).manifest.get("region_adcode", settings.region_adcode)
    cities, counties = tuple(ss.get("city") or ()), tuple(ss.get("county") or ())
    if access.data_scope is not None:
        cities = tuple(c for c in cities if access.data_scope.allows(c))
        counties = tuple(c for c in counties if access.data_scope.allows(c))
        if not cities and not counties:
            cities, counties = default_selection(access.data_scope, index.cities)
    scope = resolve_scope(index, region_adcode, cities, counties)
    return View(
        settings,
        ss.get("lang") or "zh",
        fingerprint,
        as_ofs,
        snapshot,
        compare,
        scope,
        wh.snapshot(snapshot).is_demo,
        access.data_scope,
        access.names_shown,
    )


def region_units(snapshots_dir: str, fingerprint: str, as_of: str) -> pd.DataFrame:
    """Every unit of the region, whatever the session's scope: for the sign-in gate to resolve a
    planner's assignment and to tell a link's other county from a mistyped code. Not for display."""
    return _run_query("regions", snapshots_dir, fingerprint, None, False, as_of=as_of)


@st.cache_data(show_spinner=False, max_entries=64)
def county_rank(
    snapshots_dir: str, fingerprint: str, as_ofs: tuple[str, ...], as_of: str, county: str
) -> dict[str, tuple[int | None, int]]:
    """The named exception county_rank (uniondash.access.data_scope.REGION_WIDE_COMPARISONS): one
    county's rank among all counties per KPI, computed from the whole region, only the rank out."""
    from uniondash.analysis.profile import own_ranks, profile_rows
    from uniondash.metrics.kpis import load_catalogue

    per_unit = _run_query("unit_measures", snapshots_dir, fingerprint, None, False, as_ofs=as_ofs)
    regions = _run_query("regions", snapshots_dir, fingerprint, None, False, as_of=as_of)
    targets = _run_query("targets", snapshots_dir, fingerprint, None, False, as_of=as_of)
    return own_ranks(profile_rows(per_unit, load_catalogue(), regions, county, as_of, as_ofs, targets))
