"""`python -m uniondash users add|list|set|remove|passwd`: local accounts on the command line.

    users add NAME --role leader|planner|filler|admin [--scope ADCODE ...] [--email ADDR] [--kiosk] [--sso]
    users set NAME [--role R] [--scope [ADCODE ...]] [--email ADDR] [--kiosk | --no-kiosk]
    users list | remove NAME | passwd NAME

`set` changes only what it is given and checks the result as `add` does (a planner or filler
needs a scope, a leader or admin has none: `--scope` with no codes clears it; `--email ""` clears
the address). Exit codes: 0 done, 2 refused (with the reason on standard error, as every command).

The password comes from standard input: prompted twice on a terminal, the first line of a pipe
otherwise (`printf 'secret\\n' | python -m uniondash users add ...`). It never appears in argv."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys

from uniondash.access.accounts import (
    Account,
    AccountError,
    accounts_path,
    hash_password,
    load_accounts,
    save_accounts,
    validate_account,
    validate_name,
)
from uniondash.access.roles import ROLES, is_scoped_role
from uniondash.access.sessions import Store
from uniondash.access.state import redact, state_url


def add_parser(sub) -> None:
    users = sub.add_parser("users", help="local accounts: add, list, set, remove, passwd")
    cmd = users.add_subparsers(dest="users_command", required=True)
    add = cmd.add_parser("add", help="add an account (password from standard input)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument(
        "--scope", nargs="+", default=[], metavar="ADCODE", help="a planner's or filler's cities or counties"
    )
    add.add_argument("--email", default="", metavar="ADDR", help="the account's e-mail address (optional)")
    add.add_argument("--kiosk", action="store_true", help="an unattended big-screen account")
    add.add_argument("--sso", action="store_true", help="single sign-on only: no password")
    cmd.add_parser("list", help="list accounts: name, role, scope, sign-in, email, kiosk")
    change = cmd.add_parser("set", help="change an account's role, scope, email or kiosk (only what is given)")
    change.add_argument("name")
    change.add_argument("--role", choices=ROLES)
    change.add_argument(
        "--scope", nargs="*", metavar="ADCODE", help="the new scope (replaces the old one; no codes: none)"
    )
    change.add_argument("--email", metavar="ADDR", help='the new address ("" clears it)')
    change.add_argument("--kiosk", action=argparse.BooleanOptionalAction, help="an unattended big-screen account")
    remove = cmd.add_parser("remove", help="remove an account and end its sessions")
    remove.add_argument("name")
    passwd = cmd.add_parser("passwd", help="set a new password (from standard input)")
    passwd.add_argument("name")


def read_password(stdin=None) -> str:
    stdin = stdin or sys.stdin
    if stdin.isatty():
        first = getpass.getpass("密码 Password: ")
        if first != getpass.getpass("再次输入 Again: "):
            raise AccountError("两次输入的密码不一致。/ The passwords do not match.")
        return first
    line = stdin.readline()
    if not line:
        raise AccountError("标准输入中没有密码。/ No password on standard input.")
    return line.rstrip("\r\n")


def list_line(a: Account) -> str:
    """One account of `users list`: name, role, scope, sign-in (password|sso), email, kiosk; "-" for none."""
    kind = "password" if a.password_hash else "sso"
    kiosk = "kiosk" if a.kiosk else "-"
    return f"{a.name}\t{a.role}\t{','.join(a.scope) or '-'}\t{kind}\t{a.email or '-'}\t{kiosk}"


def _shown(value) -> str:
    if isinstance(value, tuple):
        value = ",".join(value)
    return str(value).lower() if isinstance(value, bool) else (value or "-")


def changed(old: Account, args: argparse.Namespace) -> Account:
    """The account with what `users set` was given, checked as a whole like `add`."""
    given = {
        "role": args.role,
        "scope": None if args.scope is None else tuple(args.scope),
        "email": args.email,
        "kiosk": args.kiosk,
    }
    given = {k: v for k, v in given.items() if v is not None}
    if not given:
        raise AccountError(
            "没有要修改的内容：请给出 --role、--scope、--email 或 --kiosk/--no-kiosk。"
            " / Nothing to change: give --role, --scope, --email or --kiosk/--no-kiosk."
        )
    new = dataclasses.replace(old, **given)
    if "scope" not in given and new.scope and not is_scoped_role(new.role):
        raise AccountError(
            f"{new.role} 没有范围，{old.name} 现有范围 {','.join(old.scope)}：请同时给出不带代码的 --scope 以清除。"
            f" / {new.role} accounts have no scope and {old.name} has {','.join(old.scope)}:"
            " add --scope with no codes to clear it."
        )
    validate_account(new.name, new.role, new.scope, new.email, new.kiosk)
    return new


def run(args: argparse.Namespace, stdin=None) -> int:
    accounts = load_accounts()
    command = args.users_command
    if command == "list":
        if not accounts.users:
            print(f"没有账号（{accounts.path}）：演示模式。/ No accounts: demo mode.")
        for a in sorted(accounts.users.values(), key=lambda a: a.name):
            print(list_line(a))
        return 0
    name = validate_name(args.name)
    if command == "add":
        if name in accounts.users:
            raise AccountError(f"账号 {name} 已存在。/ Account {name} exists (use set or passwd to change it).")
        scope = tuple(args.scope)
        validate_account(name, args.role, scope, args.email, args.kiosk)
        hashed = "" if args.sso else hash_password(read_password(stdin))
        accounts.users[name] = Account(name, args.role, scope, hashed, args.email, args.kiosk)
        save_accounts(accounts)
        print(f"已添加 added {name} ({args.role}) → {redact(state_url()) or accounts_path()}")
        return 0
    if name not in accounts.users:
        raise AccountError(f"没有账号 {name}。/ No account {name}.")
    old = accounts.users[name]
    if command == "set":
        new = changed(old, args)
        accounts.users[name] = new
        save_accounts(accounts)
        diffs = [
            f"{f} {_shown(getattr(old, f))} → {_shown(getattr(new, f))}"
            for f in ("role", "scope", "email", "kiosk")
            if getattr(old, f) != getattr(new, f)
        ]
        print(f"已更新 updated {name}: {'; '.join(diffs) or '没有变化 unchanged'}")
        return 0
    if command == "remove":
        del accounts.users[name]
        save_accounts(accounts)
        Store(accounts.folder).revoke_user(name)
        print(f"已删除 removed {name}")
        return 0
    accounts.users[name] = dataclasses.replace(old, password_hash=hash_password(read_password(stdin)))
    save_accounts(accounts)
    Store(accounts.folder).revoke_user(name)  # a new password ends the sessions opened with the old one
    print(f"已更新密码 password changed for {name}")
    return 0
