"""`python -m uniondash users add|list|remove|passwd`: local accounts on the command line.

The password comes from standard input: prompted twice on a terminal, the first line of a pipe
otherwise (`printf 'secret\\n' | python -m uniondash users add ...`). It never appears in argv."""

from __future__ import annotations

import argparse
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
from uniondash.access.roles import ROLES
from uniondash.access.sessions import Store


def add_parser(sub) -> None:
    users = sub.add_parser("users", help="local accounts: add, list, remove, passwd")
    cmd = users.add_subparsers(dest="users_command", required=True)
    add = cmd.add_parser("add", help="add an account (password from standard input)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--scope", nargs="+", default=[], metavar="ADCODE", help="a planner's cities or counties")
    add.add_argument("--sso", action="store_true", help="single sign-on only: no password")
    cmd.add_parser("list", help="list accounts")
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


def run(args: argparse.Namespace, stdin=None) -> int:
    accounts = load_accounts()
    command = args.users_command
    if command == "list":
        if not accounts.users:
            print(f"没有账号（{accounts.path}）：演示模式。/ No accounts: demo mode.")
        for a in sorted(accounts.users.values(), key=lambda a: a.name):
            kind = "password" if a.password_hash else "sso"
            print(f"{a.name}\t{a.role}\t{','.join(a.scope) or '-'}\t{kind}")
        return 0
    name = validate_name(args.name)
    if command == "add":
        if name in accounts.users:
            raise AccountError(f"账号 {name} 已存在。/ Account {name} exists (use passwd to change it).")
        scope = tuple(args.scope)
        validate_account(name, args.role, scope)
        hashed = "" if args.sso else hash_password(read_password(stdin))
        accounts.users[name] = Account(name, args.role, scope, hashed)
        save_accounts(accounts)
        print(f"已添加 added {name} ({args.role}) → {accounts_path()}")
        return 0
    if name not in accounts.users:
        raise AccountError(f"没有账号 {name}。/ No account {name}.")
    if command == "remove":
        del accounts.users[name]
        save_accounts(accounts)
        Store(accounts.folder).revoke_user(name)
        print(f"已删除 removed {name}")
        return 0
    old = accounts.users[name]
    accounts.users[name] = Account(name, old.role, old.scope, hash_password(read_password(stdin)))
    save_accounts(accounts)
    Store(accounts.folder).revoke_user(name)  # a new password ends the sessions opened with the old one
    print(f"已更新密码 password changed for {name}")
    return 0
