"""Streamlit glue: the cached warehouse, cached named queries, and the shared view state.

The DuckDB connection lives in st.cache_resource; query results in st.cache_data keyed by
small hashable arguments (query name, data fingerprint, parameters). Nothing runs at import.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from uniondash.analysis.overview import unit_wide
from uniondash.config import Settings, load_settings
from uniondash.data.warehouse import Warehouse
from uniondash.metrics.kpis import compute_kpis, load_catalogue
from uniondash.metrics.measures import scope_measures
from uniondash.metrics.scope import Scope, resolve_scope

FILTER_KEYS = ("snapshot", "compare", "city", "county", "lang")


def data_fingerprint(snapshots_dir: Path) -> tuple:
    """Changes whenever any file of any snapshot folder is added, removed or rewritten (name, size
    and mtime of every file), so an altered parquet file is verified again before it is served.
    Hidden folders (writers' `.tmp-…` work in progress) do not count until renamed into place."""
    if not snapshots_dir.is_dir():
        return ()
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
    return tuple(out)


@st.cache_resource(show_spinner="正在打开数据 / Opening data …")
def get_warehouse(snapshots_dir: str, fingerprint: tuple) -> Warehouse:
    return Warehouse(Path(snapshots_dir))


@st.cache_data(show_spinner=False, max_entries=1024)
def run_query(name: str, snapshots_dir: str, fingerprint: tuple, **params) -> pd.DataFrame:
    return get_warehouse(snapshots_dir, fingerprint).run(name, **params)


@dataclass(frozen=True)
class View:
    """What every page needs: settings, language, snapshots and the scope chosen in the filters."""

    settings: Settings
    lang: str
    fingerprint: tuple
    as_ofs: tuple[str, ...]
    snapshot: str
    compare: str | None
    scope: Scope
    is_demo: bool

    @property
    def snapshots_dir(self) -> str:
        return str(self.settings.snapshots_dir)

    def query(self, name: str, **params) -> pd.DataFrame:
        return run_query(name, self.snapshots_dir, self.fingerprint, **params)

    def regions(self, as_of: str | None = None) -> pd.DataFrame:
        return self.query("regions", as_of=as_of or self.snapshot)

    def unit_measures(self) -> pd.DataFrame:
        """Per-unit measures for every snapshot (one cached query serves every scope)."""
        return self.query("unit_measures", as_ofs=self.as_ofs)

    def shapes(self, level: str) -> pd.DataFrame:
        """Boundaries of one level, lightened for drawing (uniondash.maps.display_shapes)."""
        return display_shapes_cached(self.snapshots_dir, self.fingerprint, self.snapshot, level)

    def unit_wide(self, as_of: str) -> pd.DataFrame:
        """One snapshot's per-unit measures, one column per measure (for county rankings)."""
        return unit_wide_cached(self.snapshots_dir, self.fingerprint, self.as_ofs, as_of)

    def kpis(self) -> pd.DataFrame:
        """KPI values (as_of, code, value) for the scope at every snapshot."""
        return scope_kpis(self.snapshots_dir, self.fingerprint, self.as_ofs, self.scope.units)


@st.cache_data(show_spinner=False, max_entries=256)
def scope_kpis(snapshots_dir: str, fingerprint: tuple, as_ofs: tuple[str, ...], units: tuple[str, ...]) -> pd.DataFrame:
    per_unit = run_query("unit_measures", snapshots_dir, fingerprint, as_ofs=as_ofs)
    return compute_kpis(scope_measures(per_unit, units), load_catalogue())


@st.cache_data(show_spinner=False, max_entries=16)
def display_shapes_cached(snapshots_dir: str, fingerprint: tuple, as_of: str, level: str) -> pd.DataFrame:
    from uniondash.render.maps import display_shapes

    return display_shapes(run_query("region_shapes", snapshots_dir, fingerprint, as_of=as_of, level=level))


@st.cache_data(show_spinner=False, max_entries=64)
def unit_wide_cached(snapshots_dir: str, fingerprint: tuple, as_ofs: tuple[str, ...], as_of: str) -> pd.DataFrame:
    return unit_wide(run_query("unit_measures", snapshots_dir, fingerprint, as_ofs=as_ofs), as_of)


@st.cache_data(show_spinner=False, max_entries=256)
def rankable_codes(
    snapshots_dir: str, fingerprint: tuple, as_ofs: tuple[str, ...], as_of: str, counties: tuple[str, ...]
) -> tuple[str, ...]:
    """KPIs that counties can be ranked by in this scope: a direction, and a value somewhere."""
    from uniondash.analysis.overview import county_values

    wide = unit_wide_cached(snapshots_dir, fingerprint, as_ofs, as_of)
    return tuple(
        k.code
        for k in load_catalogue().kpis
        if k.direction != "none" and not county_values(wide, k, counties).isna().all()
    )


@st.cache_resource(show_spinner="正在建立空间索引 / Building the spatial index …", max_entries=16)
def station_index_cached(snapshots_dir: str, fingerprint: tuple, params: dict):
    """k-d tree over open stations passing the filters (any county), for the gap analysis."""
    from uniondash.analysis.gaps import station_index
    from uniondash.analysis.stations import xy_params

    wide = {**params, "counties": _all_counties(snapshots_dir, fingerprint, params["as_of"])}
    xy = run_query("stations_xy", snapshots_dir, fingerprint, **xy_params(wide))
    lat0 = float(xy.lat.mean()) if len(xy) else 30.0
    return station_index(xy, lat0)


def _all_counties(snapshots_dir: str, fingerprint: tuple, as_of: str) -> tuple[str, ...]:
    regions = run_query("regions", snapshots_dir, fingerprint, as_of=as_of)
    return tuple(regions.loc[regions.level == "county", "adcode"])


def previous_as_of(as_ofs: tuple[str, ...], snapshot: str) -> str | None:
    earlier = [a for a in as_ofs if a < snapshot]
    return earlier[-1] if earlier else None


def current_view() -> View:
    """Build the view from the shared filter widgets (keys in FILTER_KEYS) set by dashboard.py."""
    settings = load_settings()
    ss = st.session_state
    fingerprint = ss["_fingerprint"]
    wh = get_warehouse(str(settings.snapshots_dir), fingerprint)
    as_ofs = tuple(wh.as_ofs)
    snapshot = ss.get("snapshot") or as_ofs[-1]
    compare = ss.get("compare")
    if compare in (None, "auto") or compare not in as_ofs or compare == snapshot:
        compare = previous_as_of(as_ofs, snapshot)
    regions = run_query("regions", str(settings.snapshots_dir), fingerprint, as_of=snapshot)
    region_adcode = wh.snapshot(snapshot).manifest.get("region_adcode", settings.region_adcode)
    scope = resolve_scope(regions, region_adcode, ss.get("city") or (), ss.get("county") or ())
    return View(
        settings, ss.get("lang") or "zh", fingerprint, as_ofs, snapshot, compare, scope, wh.snapshot(snapshot).is_demo
    )
