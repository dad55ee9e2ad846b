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


# Kiosk accounts (users.toml `kiosk = true`: an unattended wall screen) open /present only, with
# no exports. The flag lives in the accounts file, not in the session's identity: it is read at
# every run, so marking or unmarking a screen takes effect on its next slide.
KIOSK_PAGES = ("present",)


def is_kiosk(identity) -> bool:
    """Whether a session's identity (uniondash.access.roles.Identity) is a kiosk account's."""
    if getattr(identity, "is_demo", True) or getattr(identity, "source", "") == "demo":
        return False
    from uniondash.access.accounts import load_accounts

    account = load_accounts().users.get(identity.name)
    return bool(account and account.kiosk)


def pages_for_identity(identity) -> tuple[str, ...]:
    """The url_paths this identity may open: a kiosk's /present only, else its role's pages. The
    router (dashboard.py) should build its menu and refusals from this rather than pages_for(role)."""
    from uniondash.access.roles import pages_for

    return KIOSK_PAGES if is_kiosk(identity) else pages_for(identity.role)
