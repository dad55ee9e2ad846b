"""Click-throughs shared by pages, named for what they do. A widget callback cannot switch pages
itself, so open_county_profile leaves a request that dashboard.py (the router) carries out."""

from __future__ import annotations

from collections.abc import MutableMapping

OPEN_COUNTY_PROFILE = "_open_county_profile"


def narrow_to_county(state: MutableMapping, adcode: str) -> None:
    """Filter every page to one county, staying on this page."""
    state["city"], state["county"] = [], [adcode]


def narrow_to_city(state: MutableMapping, city: str) -> None:
    """Filter every page to one city (its counties all in scope), staying on this page."""
    state["city"], state["county"] = [city], []


def open_county_profile(state: MutableMapping, adcode: str) -> None:
    """Filter to one county and open its profile page (on the next run, by the router)."""
    narrow_to_county(state, adcode)
    state[OPEN_COUNTY_PROFILE] = True


def profile_requested(state: MutableMapping) -> bool:
    """True once after open_county_profile: the router switches to the county page."""
    return bool(state.pop(OPEN_COUNTY_PROFILE, False))
