"""Local accounts: a TOML file named by UNIONDASH_USERS (default users.toml at the project root,
git-ignored; users.example.toml is committed), passwords hashed with argon2.

    [settings]
    idle_minutes = 30                  # sessions expire after this idle time
    name_roles = ["leader", "admin"]   # roles that see (and may search) people's names
    sso_claim = "email"                # the st.user claim that keys an SSO account
    role_claim = ""                    # optional: a token claim naming the role instead
    scope_claim = ""                   # optional: a token claim listing a planner's adcodes

    [users."zhang.wei"]
    role = "planner"
    scope = ["420106"]
    password = "$argon2id$..."         # absent: a single-sign-on account only
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from uniondash.access.roles import DEFAULT_NAME_ROLES, ROLES
from uniondash.config import ADCODE_RE, ROOT
from uniondash.errors import UserFacingError

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,63}$")
MIN_PASSWORD = 8
_HASHER = PasswordHasher()
# Verifying against this when the user does not exist takes as long as a real check, so the
# response time does not tell which user names exist.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class AccountError(UserFacingError):
    pass


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    scope: tuple[str, ...] = ()
    password_hash: str = ""


@dataclass
class Accounts:
    path: Path
    users: dict[str, Account] = field(default_factory=dict)
    idle_minutes: float = 30.0
    name_roles: tuple[str, ...] = DEFAULT_NAME_ROLES
    sso_claim: str = "email"
    role_claim: str = ""  # a token claim naming the role (optional; accounts file entries win)
    scope_claim: str = ""  # a token claim listing a planner's adcodes

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
    if not NAME_RE.match(name or ""):
        raise AccountError(
            f"用户名 '{name}' 无效：1–64 个字母、数字或 _ . @ + -。"
            f" / Invalid user name '{name}': 1-64 letters, digits or _ . @ + -."
        )
    return name


def validate_account(name: str, role: str, scope: tuple[str, ...]) -> None:
    validate_name(name)
    if role not in ROLES:
        raise AccountError(f"角色 '{role}' 无效，应为 {'|'.join(ROLES)}。/ Invalid role '{role}'.")
    bad = [a for a in scope if not ADCODE_RE.match(a)]
    if bad:
        raise AccountError(f"范围中的区划代码无效：{bad}（应为 6 位数字）。/ Invalid scope adcodes {bad}.")
    if role == "planner" and not scope:
        raise AccountError(
            f"规划人员 {name} 需要至少一个 --scope 区划代码。/ A planner needs at least one --scope adcode."
        )
    if role != "planner" and scope:
        raise AccountError(f"只有 planner 有范围；{role} 可查看全部。/ Only planners have a scope.")


def load_accounts(path: Path | None = None) -> Accounts:
    """The accounts file; a missing file means no accounts (demo mode). A malformed one fails."""
    path = path or accounts_path()
    if not path.exists():
        return Accounts(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AccountError(f"账号文件 {path} 无法读取：{exc} / The accounts file cannot be read.") from exc
    settings = raw.get("settings", {})
    users = {}
    for name, entry in raw.get("users", {}).items():
        scope = tuple(str(a) for a in entry.get("scope", []))
        role = entry.get("role", "")
        try:
            validate_account(name, role, scope)
        except AccountError as exc:
            raise AccountError(f"{path}: [users.{name}] {exc}") from exc
        users[name] = Account(name, role, scope, entry.get("password", ""))
    return Accounts(
        path,
        users,
        float(os.environ.get("UNIONDASH_IDLE_MINUTES") or settings.get("idle_minutes", 30)),
        tuple(settings.get("name_roles", DEFAULT_NAME_ROLES)),
        str(settings.get("sso_claim", "email")),
        str(settings.get("role_claim", "")),
        str(settings.get("scope_claim", "")),
    )


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def save_accounts(accounts: Accounts) -> None:
    """Write the file beside itself and rename it into place (mode 600: it holds hashes)."""
    lines = [
        "# Local accounts of the union dashboard: python -m uniondash users add|list|remove|passwd.",
        "[settings]",
        f"idle_minutes = {accounts.idle_minutes:g}",
        "name_roles = [" + ", ".join(_toml_string(r) for r in accounts.name_roles) + "]",
        f"sso_claim = {_toml_string(accounts.sso_claim)}",
        f"role_claim = {_toml_string(accounts.role_claim)}",
        f"scope_claim = {_toml_string(accounts.scope_claim)}",
    ]
    for name in sorted(accounts.users):
        a = accounts.users[name]
        lines += ["", f"[users.{_toml_string(name)}]", f"role = {_toml_string(a.role)}"]
        lines.append("scope = [" + ", ".join(_toml_string(s) for s in a.scope) + "]")
        if a.password_hash:
            lines.append(f"password = {_toml_string(a.password_hash)}")
    accounts.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = accounts.path.with_name(accounts.path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, accounts.path)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符。/ The password needs at least {MIN_PASSWORD} characters.")
    return _HASHER.hash(password)
