"""Who may see what: accounts, roles, sessions, rate limits, the audit log and data scopes. No Streamlit."""

from uniondash.access.roles import ROLES, Identity, may_open, pages_for

__all__ = ["ROLES", "Identity", "may_open", "pages_for"]
