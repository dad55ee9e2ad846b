"""Roles and the pages each may open (docs/architecture.md, Privacy and security rules).

leader reads everything; planner reads only the cities or counties assigned (enforced in the
query layer, uniondash.access.data_scope); filler is a planner (the same scope, required, and the
same pages and data everywhere) who may also submit data in collection rounds (may_submit); admin
is leader plus import (/data) and user management. "viewer" is no account's role: it is the
read-only demo mode served to a network with no accounts configured (no /data, names masked).

Code that asks "does this session read like a planner?" asks is_scoped_role(role) or
Identity.is_scoped, never role == "planner", so that fillers follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("leader", "planner", "filler", "admin")
# Roles that read only their assigned cities or counties; an account of one needs a scope, any
# other account must not have one.
SCOPED_ROLES = ("planner", "filler")
# Roles that may submit data in a collection round.
SUBMIT_ROLES = ("filler",)
# The read pages every role may open, by url_path ("" is the overview at /).
READ_PAGES = ("", "stations", "competitions", "coverage", "county", "present")
ADMIN_PAGES = ("data", "briefings")  # imports and rounds; the scheduled briefings' subscriptions
PRODUCT_PAGES = READ_PAGES + ADMIN_PAGES
# /data for the roles in a collection round: a filler's 本期填报 (their own units), a leader's
# read-only status board; imports, review and publish stay the admin's (app_pages/data.py).
ROUND_PAGE_ROLES = ("filler", "leader")
DEFAULT_NAME_ROLES = ("leader", "admin")


@dataclass(frozen=True)
class Identity:
    """Who this session is: set by the sign-in gate from a verified source, never from the URL.

    source: "local" (accounts file and password), "sso" (st.login), "demo" (no accounts).
    scope: the adcodes (cities or counties) a planner or filler may read; empty for other roles."""

    name: str
    role: str  # leader | planner | filler | admin | viewer (demo served to a network)
    source: str
    scope: tuple[str, ...] = ()
    sees_names: bool = False
    session_id: str = field(default="", compare=False, repr=False)

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"

    @property
    def is_scoped(self) -> bool:
        return is_scoped_role(self.role)

    @property
    def may_submit(self) -> bool:
        return may_submit(self)


def is_scoped_role(role: str) -> bool:
    """A role that reads only its assigned units (planner, filler) and whose account needs a scope."""
    return role in SCOPED_ROLES


def reads_as(role: str) -> str:
    """The role whose reading rules apply: a filler reads as a planner, every other role as itself."""
    return "planner" if role == "filler" else role


def may_submit(who: Identity | str) -> bool:
    """Whether an identity (or a role) may submit data in a collection round: fillers only. A demo
    identity never may (it is no account)."""
    if isinstance(who, Identity):
        return not who.is_demo and who.role in SUBMIT_ROLES
    return who in SUBMIT_ROLES


def pages_for(role: str) -> tuple[str, ...]:
    """The url_paths a role may open, in the menu and by URL alike.

    /briefings: admin only. /data: admin (imports and rounds; demo mode on loopback acts as admin,
    so it counts as admin), and filler and leader for a collection round (本期填报; the board,
    read-only); never planner or the network demo's viewer."""
    if role == "admin":
        return PRODUCT_PAGES
    if role in ROUND_PAGE_ROLES:
        return (*READ_PAGES, "data")
    if role in ("planner", "viewer"):
        return READ_PAGES
    return ()


def may_open(role: str, url_path: str) -> bool:
    return url_path in pages_for(role)
