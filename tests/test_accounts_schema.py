"""The account schema: roles leader | planner | filler | admin (a filler reads as a planner and may
submit), email and kiosk, every key of the file kept on save, `users set`, and idle expiry on the
one clock (UNIONDASH_NOW)."""

from __future__ import annotations

import datetime as dt
import io
import os
import stat
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from uniondash.access.accounts import (
    Account,
    AccountError,
    Accounts,
    load_accounts,
    save_accounts,
    toml_value,
    validate_account,
)
from uniondash.access.data_scope import DataScope
from uniondash.access.gate import access_for, account_identity, demo_identity
from uniondash.access.roles import ROLES, Identity, is_scoped_role, may_open, may_submit, pages_for, reads_as
from uniondash.access.sessions import Store
from uniondash.cli import main

REGIONS = pd.DataFrame(
    {
        "adcode": ["990000", "990100", "990101", "990102", "990200", "990201"],
        "level": ["province", "city", "county", "county", "city", "county"],
        "parent_adcode": ["", "990000", "990100", "990100", "990000", "990200"],
    }
)


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.fixture
def users_file(tmp_path, monkeypatch):
    path = tmp_path / "users.toml"
    monkeypatch.setenv("UNIONDASH_USERS", str(path))
    monkeypatch.delenv("UNIONDASH_IDLE_MINUTES", raising=False)
    return path


def run(*argv: str, stdin: str = "a long password\n", monkeypatch) -> int:
    monkeypatch.setattr("sys.stdin", Pipe(stdin))
    return main(["users", *argv])


# roles


def test_the_four_roles_and_what_a_filler_may():
    assert ROLES == ("leader", "planner", "filler", "admin")
    assert [r for r in ROLES if is_scoped_role(r)] == ["planner", "filler"]
    assert pages_for("planner") == ("", "stations", "competitions", "coverage", "county", "present")
    assert pages_for("filler") == (*pages_for("planner"), "data")  # a planner who also fills in (本期填报)
    assert may_open("filler", "data")
    assert not may_open("planner", "data")
    assert [reads_as(r) for r in ROLES] == ["leader", "planner", "planner", "admin"]
    assert [may_submit(r) for r in ROLES] == [False, False, True, False]
    filler = Identity("li", "filler", "local", ("990101",))
    assert (filler.is_scoped, filler.may_submit, may_submit(filler)) == (True, True, True)
    assert may_submit(Identity("wang", "planner", "local", ("990101",))) is False
    assert may_submit(demo_identity("127.0.0.1")) is False  # demo admin on this computer: no account
    assert may_submit(Identity("demo", "filler", "demo")) is False  # a demo identity never submits


def test_a_filler_reads_exactly_what_a_planner_reads(tmp_path):
    accounts = Accounts(tmp_path / "users.toml")
    planner = account_identity(Account("p", "planner", ("990100",)), accounts, "local")
    filler = account_identity(Account("f", "filler", ("990100",)), accounts, "local")
    expected = DataScope(("990101", "990102"), ("990100", "990101", "990102"), ("990100",))
    assert access_for(planner, REGIONS).data_scope == expected
    assert access_for(filler, REGIONS).data_scope == expected
    assert (planner.sees_names, filler.sees_names) == (False, False)  # name_roles: leader, admin
    accounts.name_roles = ("leader", "planner", "admin")
    assert account_identity(Account("f", "filler", ("990100",)), accounts, "local").sees_names is True
    leader = account_identity(Account("l", "leader"), accounts, "local")
    assert access_for(leader, REGIONS).data_scope is None


# validation


@pytest.mark.parametrize(
    ("role", "scope", "email", "message"),
    [
        ("filler", (), "", "A filler needs at least one --scope adcode"),
        ("planner", (), "", "A planner needs at least one --scope adcode"),
        ("leader", ("990101",), "", "Only planner|filler accounts have a scope; leader accounts read everything"),
        ("admin", ("990101",), "", "admin accounts read everything"),
        ("filler", ("990101",), "li@", "Invalid email field: 'li@' is not an e-mail address"),
        ("leader", (), "li example.org", "Invalid email field"),
        ("leader", (), "li@example.org\n", "Invalid email field"),
        ("leader", (), "li@localhost", "Invalid email field"),
        ("clerk", (), "", "Invalid role 'clerk'"),
    ],
)
def test_accounts_are_refused_with_the_field_named(role, scope, email, message):
    with pytest.raises(AccountError) as err:
        validate_account("li", role, scope, email)
    assert message in str(err.value)
    assert " / " in str(err.value)  # Chinese / English


def test_valid_accounts_pass():
    for args in [
        ("li", "filler", ("990101",), "li.wei+rounds@mail.163.com", True),
        ("wang", "leader", (), "", False),
        ("chen@example.org", "admin", (), "chen@example.org", False),
    ]:
        assert validate_account(*args) is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('role = "filler"\nscope = ["990101"]\nemail = "nope"\n', "[users.li] email 字段无效"),
        ('role = "filler"\nscope = ["990101"]\nemail = 5\n', "[users.li] email 字段应为字符串"),
        ('role = "filler"\nscope = ["990101"]\nkiosk = "yes"\n', "[users.li] kiosk 字段应为 true 或 false"),
        ('role = "filler"\nscope = "990101"\n', "[users.li] scope 字段应为区划代码列表"),
        ('role = "filler"\n', "[users.li] filler li 需要至少一个 --scope"),
    ],
)
def test_a_bad_field_in_the_file_is_named_with_the_file(users_file, entry, message):
    users_file.write_text("[users.li]\n" + entry, encoding="utf-8")
    with pytest.raises(AccountError) as err:
        load_accounts(users_file)
    assert str(err.value).startswith(f"{users_file}: ")
    assert message in str(err.value)


# the file keeps what it read

ORIGINAL = """\
schema = 3
[settings]
idle_minutes = 45
name_roles = ["leader", "admin"]
sso_claim = "email"
role_claim = ""
scope_claim = ""
theme = "dark"

[users."keeper"]
role = "filler"
scope = ["990101", "990200"]
email = "keeper@example.org"
kiosk = true
password = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
phone = "+86 27 1234 5678"
since = 2024-05-01
shifts = [1, 2.5, "夜班\\u007f"]

[users."keeper".notify]
weekly = true
hours = { from = 8, to = 18 }

[users."other"]
role = "leader"
scope = []
wall = "大屏 3"

[rounds]
opened = 2026-03-01T09:00:00+08:00
counties = ["990101"]
"""


def keeper_and_rest(path):
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return raw["users"]["keeper"], {k: v for k, v in raw.items() if k != "users"}


def test_every_key_survives_add_set_passwd_remove_of_another_user(users_file, monkeypatch, capsys):
    users_file.write_text(ORIGINAL, encoding="utf-8")
    keeper, rest = keeper_and_rest(users_file)
    assert keeper["phone"] == "+86 27 1234 5678"
    assert keeper["notify"] == {"weekly": True, "hours": {"from": 8, "to": 18}}
    assert rest["settings"]["theme"] == "dark"
    assert rest["rounds"]["opened"] == dt.datetime(2026, 3, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    steps = [
        ("add", "newbie", "--role", "planner", "--scope", "990102", "--email", "n@example.org"),
        ("set", "newbie", "--role", "filler", "--kiosk"),
        ("passwd", "newbie"),
        ("set", "other", "--email", "other@example.org"),
        ("remove", "newbie"),
    ]
    for argv in steps:
        assert run(*argv, monkeypatch=monkeypatch) == 0, argv
        assert keeper_and_rest(users_file) == (keeper, rest), argv
        assert stat.S_IMODE(os.stat(users_file).st_mode) == 0o600
    other = tomllib.loads(users_file.read_text(encoding="utf-8"))["users"]["other"]
    assert other == {"role": "leader", "scope": [], "email": "other@example.org", "wall": "大屏 3"}
    capsys.readouterr()
    assert run("list", monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out.splitlines() == [
        "keeper\tfiller\t990101,990200\tpassword\tkeeper@example.org\tkiosk",
        "other\tleader\t-\tsso\tother@example.org\t-",
    ]


def test_the_users_own_changes_keep_their_unknown_keys(users_file, monkeypatch):
    users_file.write_text(ORIGINAL, encoding="utf-8")
    keeper, _ = keeper_and_rest(users_file)
    assert run("set", "keeper", "--no-kiosk", "--scope", "990102", monkeypatch=monkeypatch) == 0
    assert run("passwd", "keeper", stdin="another password\n", monkeypatch=monkeypatch) == 0
    after, _ = keeper_and_rest(users_file)
    assert after.pop("password") != keeper.pop("password")
    assert "kiosk" not in after  # false is the default and not written
    assert after == {**{k: v for k, v in keeper.items() if k != "kiosk"}, "scope": ["990102"]}
    assert load_accounts(users_file).verify("keeper", "another password").kiosk is False


def test_an_idle_override_from_the_environment_is_not_written_to_the_file(users_file, monkeypatch):
    users_file.write_text(ORIGINAL, encoding="utf-8")
    monkeypatch.setenv("UNIONDASH_IDLE_MINUTES", "5")
    accounts = load_accounts(users_file)
    assert accounts.idle_minutes == 5.0
    save_accounts(accounts)
    assert tomllib.loads(users_file.read_text(encoding="utf-8"))["settings"]["idle_minutes"] == 45


@pytest.mark.parametrize(
    "value",
    [
        True,
        -7,
        0.1,
        1e-05,
        float("inf"),
        '引号"与\\反斜杠\n\t\x7f\x01',
        dt.date(2024, 1, 2),
        dt.datetime(2024, 1, 2, 3, 4, 5, 600000),
        dt.time(8, 30),
        [1, [2, "x"], {"a": []}],
        {"a b": {"c": 1}, "": "empty key"},
        {},
    ],
)
def test_toml_values_read_back_equal(value):
    assert tomllib.loads(f"v = {toml_value(value)}\n") == {"v": value}


# the users command


def test_users_add_and_set(users_file, monkeypatch, capsys):
    assert run("add", "li", "--role", "filler", "--scope", "990101", "--email", "li@example.org", "--kiosk",
               monkeypatch=monkeypatch) == 0  # fmt: skip
    assert run("add", "chen@example.org", "--role", "admin", "--sso", monkeypatch=monkeypatch) == 0
    li = load_accounts(users_file).users["li"]
    assert (li.role, li.scope, li.email, li.kiosk) == ("filler", ("990101",), "li@example.org", True)
    capsys.readouterr()
    # refused, exit 2, with the reason on standard error and the file unchanged
    before = users_file.read_text(encoding="utf-8")
    refused = [
        (("add", "x", "--role", "filler"), "A filler needs at least one --scope adcode"),
        (("add", "y", "--role", "leader", "--email", "not-an-address"), "Invalid email field: 'not-an-address'"),
        (("set", "li", "--email", "li@@example.org"), "Invalid email field: 'li@@example.org'"),
        (
            ("set", "li", "--role", "leader"),
            "leader accounts have no scope and li has 990101: add --scope with no codes",
        ),
        (("set", "li", "--scope"), "A filler needs at least one --scope adcode"),
        (("set", "chen@example.org", "--scope", "990101"), "Only planner|filler accounts have a scope"),
        (("set", "ghost", "--kiosk"), "No account ghost."),
        (("set", "li"), "Nothing to change"),
        (("set", "li", "--scope", "99010"), "Invalid scope adcodes ['99010']"),
    ]
    for argv, message in refused:
        assert run(*argv, monkeypatch=monkeypatch) == 2, argv
        assert message in capsys.readouterr().err, argv
    assert users_file.read_text(encoding="utf-8") == before
    # changes only what is given
    assert run("set", "li", "--role", "planner", monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out == "已更新 updated li: role filler → planner\n"
    li = load_accounts(users_file).users["li"]
    assert (li.role, li.scope, li.email, li.kiosk) == ("planner", ("990101",), "li@example.org", True)
    assert run("set", "li", "--role", "leader", "--scope", "--email", "", "--no-kiosk", monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out == (
        "已更新 updated li: role planner → leader; scope 990101 → -; email li@example.org → -; kiosk true → false\n"
    )
    assert run("set", "chen@example.org", "--kiosk", monkeypatch=monkeypatch) == 0
    assert load_accounts(users_file).verify("li", "a long password").role == "leader"  # the password kept
    capsys.readouterr()
    assert run("list", monkeypatch=monkeypatch) == 0
    assert capsys.readouterr().out.splitlines() == [
        "chen@example.org\tadmin\t-\tsso\t-\tkiosk",
        "li\tleader\t-\tpassword\t-\t-",
    ]


# idle expiry on the one clock


def test_sessions_expire_on_the_clock_of_uniondash_now(tmp_path, monkeypatch):
    """Sign in at 09:00:00 (UNIONDASH_NOW, read in Asia/Shanghai), idle_minutes 30: a use at 09:29:59
    keeps the session and moves its last use; exactly 30 minutes idle still does; 30 minutes and one
    second after the last use it has expired."""
    store, idle_s = Store(tmp_path), Accounts(tmp_path / "users.toml").idle_minutes * 60
    assert idle_s == 1800
    monkeypatch.setenv("UNIONDASH_NOW", "2026-12-07T09:00:00")
    sid = store.create("li", "local")
    monkeypatch.setenv("UNIONDASH_NOW", "2026-12-07T09:29:59")
    assert store.touch(sid, idle_s).user == "li"
    monkeypatch.setenv("UNIONDASH_NOW", "2026-12-07T09:59:59+08:00")  # exactly 30 minutes idle: still live
    assert store.touch(sid, idle_s).user == "li"
    monkeypatch.setenv("UNIONDASH_NOW", "2026-12-07T02:30:00Z")  # 10:30:00 Shanghai: 30 min 1 s after 09:59:59
    assert store.touch(sid, idle_s) == "expired"
    assert store.touch(sid, idle_s) == "revoked"


def test_the_example_file_reads_as_documented():
    example = load_accounts(Path(__file__).resolve().parent.parent / "users.example.toml")
    assert {n: (a.role, a.scope, a.email, a.kiosk) for n, a in example.users.items()} == {
        "leader": ("leader", (), "", False),
        "wuchang.planner": ("planner", ("420106",), "", False),
        "wuchang.filler": ("filler", ("420106",), "filler@example.org", False),
        "hall.screen": ("leader", (), "", True),
        "chen@example.org": ("admin", (), "chen@example.org", False),
    }
