"""The shared view state: what every page needs (settings, language, snapshots, the scope chosen
in the filters, the session's data scope) as one frozen View, built from the filter widgets.
Every read a View makes goes through uniondash.ui.reads."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd
import streamlit as st

from uniondash.access.data_scope import DataScope, default_selection
from uniondash.config import Settings, load_settings
from uniondash.metrics.scope import Scope, resolve_scope
from uniondash.ui.reads import (
    cached_query,
    county_rank,
    display_shapes_cached,
    get_warehouse,
    region_index,
    region_names_cached,
    region_only_cached,
    scope_kpis,
    session_access,
    uncached_query,
    unit_wide_cached,
)

FILTER_KEYS = ("snapshot", "compare", "city", "county", "lang")


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
    data_scope: DataScope | None = None  # the session's data scope (a planner's units); None = everything
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
        return cached_query(name, self.snapshots_dir, self.fingerprint, self.data_scope, self.names_shown, **params)

    def regions(self, as_of: str | None = None) -> pd.DataFrame:
        return self.query("regions", as_of=as_of or self.snapshot)

    def names(self) -> dict[str, str]:
        """adcode → name of the snapshot's units the session may read (asked several times a
        rerun: a small dict from the cache instead of the regions frame each time)."""
        return region_names_cached(self.snapshots_dir, self.fingerprint, self.snapshot, self.data_scope)

    def unit_measures(self) -> pd.DataFrame:
        """Per-unit measures for every snapshot (one cached query serves every scope)."""
        return self.query("unit_measures", as_ofs=self.as_ofs)

    def shapes(self, level: str) -> pd.DataFrame:
        """Boundaries of one level, lightened for drawing (uniondash.maps.display_shapes)."""
        return display_shapes_cached(self.snapshots_dir, self.fingerprint, self.snapshot, level, self.data_scope)

    def unit_wide(self, as_of: str) -> pd.DataFrame:
        """One snapshot's per-unit measures, one column per measure (for county rankings)."""
        return unit_wide_cached(self.snapshots_dir, self.fingerprint, self.as_ofs, as_of, self.data_scope)

    def county_rank(self, county: str) -> dict[str, tuple[int | None, int]]:
        """A county's rank among all the region's counties (a named exception for planners)."""
        if self.data_scope is not None and not self.data_scope.allows(county):
            raise PermissionError(f"county {county} is outside this session's scope")
        return county_rank(self.snapshots_dir, self.fingerprint, self.as_ofs, self.snapshot, county)

    def kpis(self) -> pd.DataFrame:
        """KPI values (as_of, code, value) for the scope at every snapshot."""
        return scope_kpis(self.snapshots_dir, self.fingerprint, self.as_ofs, self.scope.units, self.data_scope)

    def region_only(self) -> frozenset[str]:
        """KPIs that exist for the region as a whole only (a county or city has none by nature)."""
        return region_only_cached(self.snapshots_dir, self.fingerprint, self.as_ofs, self.scope.region_adcode)

    def export_query(self, name: str, **params) -> pd.DataFrame:
        """A named query for an export, not cached: every row in scope, once, when a button is clicked
        (the session's data scope and name masking apply as to every query)."""
        return uncached_query(name, self.snapshots_dir, self.fingerprint, self.data_scope, self.names_shown, **params)


def _view_key(view: View) -> str:
    return view.cache_key


VIEW_HASH = {View: _view_key}  # hash_funcs of every cache that takes a View


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
