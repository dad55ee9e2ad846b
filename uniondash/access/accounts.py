"""Local accounts: a TOML file named by UNIONDASH_USERS (default users.toml at the project root,
git-ignored; users.example.toml is committed), passwords hashed with argon2.

    [settings]
    idle_minutes = 30                  # sessions expire after this idle time
    name_roles = ["leader", "admin"]   # roles that see (and may search) people's names
    sso_claim = "email"                # the st.user claim that keys an SSO account
    role_claim = ""                    # optional: a token claim naming the role instead
    scope_claim = ""                   # optional: a token claim listing a planner's adcodes

    [users."zhang.wei"]
    role = "planner"                   # leader | planner | filler | admin
    scope = ["420106"]                 # planner and filler: required; leader and admin: none
    email = "zhang.wei@example.org"    # optional: an address (briefings, round reminders)
    kiosk = false                      # optional: an unattended big-screen account
    password = "$argon2id$..."         # absent: a single-sign-on account only

Saving writes back every key it read, also keys this version does not know (a user's, the
settings' or the file's own), so that a newer file survives an older command.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from uniondash.access.roles import DEFAULT_NAME_ROLES, ROLES, SCOPED_ROLES, is_scoped_role
from uniondash.access.state import state_url
from uniondash.config import ADCODE_RE, ROOT
from uniondash.errors import UserFacingError

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")
# An ASCII address: a local part of the usual characters, a domain of two or more labels.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_RE = re.compile(rf"^[A-Za-z0-9.!#$%&'*+/=?^_`{{|}}~-]{{1,64}}@{_LABEL}(?:\.{_LABEL})+$")
MAX_EMAIL = 254
USER_KEYS = ("role", "scope", "email", "kiosk", "password")  # the keys of a [users.NAME] this version reads
SETTINGS_KEYS = ("idle_minutes", "name_roles", "sso_claim", "role_claim", "scope_claim")
MIN_PASSWORD = 8
_HASHER = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check, so the
# response time does not tell which user names exist.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class AccountError(UserFacingError):
    pass


@dataclass(frozen=True)
class Account:
    """One [users.NAME] entry. extra: the entry's keys this version does not know, written back
    as read (not part of the hash)."""

    name: str
    role: str
    scope: tuple[str, ...] = ()
    password_hash: str = ""
    email: str = ""  # "" = none
    kiosk: bool = False  # an unattended big-screen account: stored and listed, nothing more yet
    extra: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass
class Accounts:
    path: Path
    users: dict[str, Account] = field(default_factory=dict)
    idle_minutes: float = 30.0
    name_roles: tuple[str, ...] = DEFAULT_NAME_ROLES
    sso_claim: str = "email"
    role_claim: str = ""  # a token claim naming the role (optional; accounts file entries win)
    scope_claim: str = ""  # a token claim listing a planner's adcodes
    settings_extra: dict[str, Any] = field(default_factory=dict)  # [settings] keys not in SETTINGS_KEYS
    extra: dict[str, Any] = field(default_factory=dict)  # the file's keys other than settings and users
    # The file's idle_minutes when UNIONDASH_IDLE_MINUTES overrode it: saving writes this one back.
    file_idle_minutes: float | None = None
    # The users as read (accounts in PostgreSQL): saving writes only what changed since, so two
    # `users add` on two nodes at once both stay. None: saving replaces every user.
    loaded: dict[str, Account] | None = field(default=None, repr=False, compare=False)

    @property
    def folder(self) -> Path:
        return self.path.parent

    def verify(self, name: str, password: str) -> Account | None:
        """The account when the password matches; None otherwise (same work either way)."""
        account = self.users.get(name)
        stored = account.password_hash if account and account.password_hash else _DUMMY_HASH
        try:
            _HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        return account if account and account.password_hash else None


def accounts_path() -> Path:
    return Path(os.environ.get("UNIONDASH_USERS") or ROOT / "users.toml").resolve()


def validate_name(name: str) -> str:
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        raise AccountError(
            f"用户名 '{name}' 无效：1–64 个字母、数字或 _ . @ + -。"
            f" / Invalid user name '{name}': 1-64 letters, digits or _ . @ + -."
        )
    return name


def validate_email(email: str) -> str:
    """An address (or "" for none); anything else is refused naming the field."""
    if email == "":
        return email
    if not isinstance(email, str) or len(email) > MAX_EMAIL or not EMAIL_RE.fullmatch(email):
        raise AccountError(
            f"email 字段无效：'{str(email)[:80]}' 不是电子邮件地址（例如 li@example.org）。"
            f" / Invalid email field: '{str(email)[:80]}' is not an e-mail address (e.g. li@example.org)."
        )
    return email


def validate_account(name: str, role: str, scope: tuple[str, ...], email: str = "", kiosk: bool = False) -> None:
    validate_name(name)
    if role not in ROLES:
        raise AccountError(
            f"role 字段无效：角色 '{role}' 应为 {'|'.join(ROLES)}。 / Invalid role '{role}': must be {'|'.join(ROLES)}."
        )
    bad = [a for a in scope if not ADCODE_RE.match(a)]
    if bad:
        raise AccountError(f"范围中的区划代码无效：{bad}（应为 6 位数字）。/ Invalid scope adcodes {bad}.")
    scoped = "|".join(SCOPED_ROLES)
    if is_scoped_role(role) and not scope:
        raise AccountError(
            f"{role} {name} 需要至少一个 --scope 区划代码（{scoped} 只看所分配的市县）。"
            f" / A {role} needs at least one --scope adcode ({scoped} read only their assigned units)."
        )
    if not is_scoped_role(role) and scope:
        raise AccountError(
            f"只有 {scoped} 有范围；{role} 可查看全部。"
            f" / Only {scoped} accounts have a scope; {role} accounts read everything."
        )
    validate_email(email)
    if not isinstance(kiosk, bool):
        raise AccountError(f"kiosk 字段应为 true 或 false：{kiosk!r:.40}。/ The kiosk field must be true or false.")


def load_accounts(path: Path | None = None) -> Accounts:
    """The accounts file; a missing file means no accounts (demo mode). A malformed one fails.
    With UNIONDASH_STATE_URL set, the accounts in the database instead (uniondash.access.accounts_db;
    `path` still names the folder of secret.key)."""
    path = path or accounts_path()
    if state_url():
        from uniondash.access.accounts_db import load_from_database

        return load_from_database(path)
    return load_accounts_file(path)


def load_accounts_file(path: Path) -> Accounts:
    if not path.exists():
        return Accounts(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AccountError(f"账号文件 {path} 无法读取：{exc} / The accounts file cannot be read.") from exc
    return accounts_from_raw(path, raw)


def accounts_from_raw(path: Path, raw: dict[str, Any], where: str = "") -> Accounts:
    """Accounts from the file's tables as tomllib reads them ({settings, users, …}); errors name `where`."""
    where = where or str(path)
    settings, entries = raw.get("settings", {}), raw.get("users", {})
    if not isinstance(settings, dict) or not isinstance(entries, dict):
        raise AccountError(
            f"账号文件 {where}：[settings] 和 [users] 应为表。/ {where}: [settings] and [users] must be tables."
        )
    users = {}
    for name, entry in entries.items():
        try:
            users[name] = _account(name, entry)
        except AccountError as exc:
            raise AccountError(f"{where}: [users.{name}] {exc}") from exc
    file_idle = float(settings.get("idle_minutes", 30))
    env_idle = os.environ.get("UNIONDASH_IDLE_MINUTES")
    return Accounts(
        path,
        users,
        float(env_idle) if env_idle else file_idle,
        tuple(settings.get("name_roles", DEFAULT_NAME_ROLES)),
        str(settings.get("sso_claim", "email")),
        str(settings.get("role_claim", "")),
        str(settings.get("scope_claim", "")),
        {k: v for k, v in settings.items() if k not in SETTINGS_KEYS},
        {k: v for k, v in raw.items() if k not in ("settings", "users")},
        file_idle if env_idle else None,
        dict(users),
    )


def _account(name: str, entry: Any) -> Account:
    """One [users.NAME] table, validated field by field (each error names its field)."""
    if not isinstance(entry, dict):
        raise AccountError("应为一个表（role、scope、…）。/ must be a table (role, scope, ...).")
    scope, email, password = entry.get("scope", []), entry.get("email", ""), entry.get("password", "")
    if not isinstance(scope, list):
        raise AccountError(f"scope 字段应为区划代码列表：{scope!r:.40}。/ The scope field must be a list of adcodes.")
    if not isinstance(email, str):
        raise AccountError(f"email 字段应为字符串：{email!r:.40}。/ The email field must be a string.")
    if not isinstance(password, str):
        raise AccountError("password 字段应为字符串。/ The password field must be a string.")
    scope = tuple(str(a) for a in scope)
    role, kiosk = entry.get("role", ""), entry.get("kiosk", False)
    validate_account(name, role, scope, email, kiosk)
    extra = {k: v for k, v in entry.items() if k not in USER_KEYS}
    return Account(name, role, scope, password, email, kiosk, extra)


def _toml_string(text: str) -> str:
    # A JSON string is a TOML basic string, but for DEL, which TOML wants escaped.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _toml_string(key)


def toml_value(value: Any) -> str:
    """Any value tomllib reads, as TOML on one line (tables inline), so that it reads back equal."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_toml_key(str(k))} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _pairs(table: dict[str, Any]) -> list[str]:
    return [f"{_toml_key(k)} = {toml_value(v)}" for k, v in table.items()]


def save_accounts(accounts: Accounts) -> None:
    """Write the file beside itself and rename it into place (mode 600: it holds hashes). Every
    key that was read is written back, known or not. With UNIONDASH_STATE_URL set, write the
    changed accounts to the database instead."""
    if state_url():
        from uniondash.access.accounts_db import save_to_database

        save_to_database(accounts)
        return
    idle = accounts.file_idle_minutes if accounts.file_idle_minutes is not None else accounts.idle_minutes
    top_tables = {k: v for k, v in accounts.extra.items() if isinstance(v, dict)}
    lines = [
        "# Local accounts of the union dashboard: python -m uniondash users add|list|set|remove|passwd.",
        *_pairs({k: v for k, v in accounts.extra.items() if k not in top_tables}),
        "[settings]",
        f"idle_minutes = {idle:g}",
        "name_roles = [" + ", ".join(_toml_string(r) for r in accounts.name_roles) + "]",
        f"sso_claim = {_toml_string(accounts.sso_claim)}",
        f"role_claim = {_toml_string(accounts.role_claim)}",
        f"scope_claim = {_toml_string(accounts.scope_claim)}",
        *_pairs(accounts.settings_extra),
    ]
    for name in sorted(accounts.users):
        lines += ["", f"[users.{_toml_string(name)}]", *_pairs(account_entry(accounts.users[name]))]
    for key, table in top_tables.items():
        lines += ["", f"[{_toml_key(key)}]", *_pairs(table)]
    accounts.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = accounts.path.with_name(accounts.path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, accounts.path)


def account_entry(a: Account) -> dict[str, Any]:
    """One account as its [users.NAME] table: the keys this version writes, then the unknown ones."""
    entry: dict[str, Any] = {"role": a.role, "scope": list(a.scope)}
    if a.email:
        entry["email"] = a.email
    if a.kiosk:
        entry["kiosk"] = True
    if a.password_hash:
        entry["password"] = a.password_hash
    return entry | {k: v for k, v in a.extra.items() if k not in USER_KEYS}


def settings_table(accounts: Accounts) -> dict[str, Any]:
    idle = accounts.file_idle_minutes if accounts.file_idle_minutes is not None else accounts.idle_minutes
    return {
        "idle_minutes": idle,
        "name_roles": list(accounts.name_roles),
        "sso_claim": accounts.sso_claim,
        "role_claim": accounts.role_claim,
        "scope_claim": accounts.scope_claim,
        **accounts.settings_extra,
    }


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符。/ The password needs at least {MIN_PASSWORD} characters.")
    return _HASHER.hash(password)
