"""Who a session is, decided from verified sources only (no Streamlit here, so it is unit-tested):
a demo identity when no account is configured, an account's identity after a password or a
session cookie, an SSO identity from the accounts file (or configured claims)."""

from __future__ import annotations

import os

import pandas as pd

from uniondash.access.accounts import Account, Accounts
from uniondash.access.data_scope import SessionAccess, planner_scope
from uniondash.access.network import is_loopback, is_public_deployment
from uniondash.access.roles import ROLES, Identity, reads_as


def show_names_env() -> bool:
    return os.environ.get("UNIONDASH_SHOW_NAMES") == "1"


def demo_identity(address: str) -> Identity:
    """No accounts: admin for a loopback client of a server not deployed to the network;
    read-only (viewer: no /data, names masked) for everyone else."""
    if is_loopback(address) and not is_public_deployment():
        return Identity("demo", "admin", "demo", sees_names=show_names_env())
    return Identity("demo", "viewer", "demo", sees_names=show_names_env())


def account_identity(account: Account, accounts: Accounts, source: str, session_id: str = "") -> Identity:
    # A filler sees what a planner sees: names when planners do (or when named itself).
    sees = show_names_env() or account.role in accounts.name_roles or reads_as(account.role) in accounts.name_roles
    return Identity(account.name, account.role, source, account.scope, sees, session_id)


def sso_account(accounts: Accounts, user: dict) -> Account | None:
    """The account of a signed-in SSO user: keyed by the configured claim (email by default) or
    the subject; or, when the deployment names role (and scope) claims, taken from the token."""
    for key in (user.get(accounts.sso_claim), user.get("email"), user.get("sub")):
        if key and str(key) in accounts.users:
            return accounts.users[str(key)]
    if accounts.role_claim and user.get(accounts.role_claim) in ROLES:
        scope = user.get(accounts.scope_claim, []) if accounts.scope_claim else []
        scope = tuple(str(a) for a in (scope.split() if isinstance(scope, str) else scope))
        return Account(str(user.get(accounts.sso_claim) or user.get("sub")), user[accounts.role_claim], scope)
    return None


def access_for(identity: Identity, regions: pd.DataFrame) -> SessionAccess:
    """The data scope (a planner's units, from the regions table) and whether names show."""
    scope = planner_scope(regions, identity.scope) if identity.is_scoped else None
    return SessionAccess(identity, scope, identity.sees_names)
