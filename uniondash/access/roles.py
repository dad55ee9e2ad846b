"""Roles and the pages each may open (DESIGN.md section 7).

leader reads everything; planner reads only the cities or counties assigned (enforced in the
query layer, uniondash.access.data_scope); admin is leader plus import (/data) and user management.
"viewer" is no account's role: it is the read-only demo mode served to a network with no
accounts configured (no /data, names masked).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("leader", "planner", "admin")
# The read pages every role may open, by url_path ("" is the overview at /).
READ_PAGES = ("", "stations", "competitions", "coverage", "county", "present")
ADMIN_PAGES = ("data",)
PRODUCT_PAGES = READ_PAGES + ADMIN_PAGES
DEFAULT_NAME_ROLES = ("leader", "admin")


@dataclass(frozen=True)
class Identity:
    """Who this session is: set by the sign-in gate from a verified source, never from the URL.

    source: "local" (accounts file and password), "sso" (st.login), "demo" (no accounts).
    scope: the adcodes (cities or counties) a planner may read; empty for other roles."""

    name: str
    role: str  # leader | planner | admin | viewer (demo served to a network)
    source: str
    scope: tuple[str, ...] = ()
    sees_names: bool = False
    session_id: str = field(default="", compare=False, repr=False)

    @property
    def is_demo(self) -> bool:
        return self.source == "demo"

    @property
    def is_scoped(self) -> bool:
        return self.role == "planner"


def pages_for(role: str) -> tuple[str, ...]:
    """The url_paths a role may open, in the menu and by URL alike.

    data page: admin only (demo mode on loopback acts as admin, so it counts as admin)."""
    if role == "admin":
        return PRODUCT_PAGES
    if role in ("leader", "planner", "viewer"):
        return READ_PAGES
    return ()


def may_open(role: str, url_path: str) -> bool:
    return url_path in pages_for(role)
