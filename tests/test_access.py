"""The access package without Streamlit: roles and pages, accounts and the users command, the
signed cookie and the session store, rate limits, client addresses, the audit log."""

from __future__ import annotations

import io
import os
import stat

import pytest

from uniondash.access import audit, pages_for
from uniondash.access.accounts import AccountError, load_accounts
from uniondash.access.gate import demo_identity
from uniondash.access.network import client_address
from uniondash.access.roles import may_open
from uniondash.access.sessions import Store, cookie_secret, sign, unsign
from uniondash.cli import main


def test_pages_by_role():
    assert may_open("admin", "data")
    assert may_open("admin", "briefings")
    for role in ("leader", "planner", "filler", "viewer"):
        assert not may_open(role, "briefings"), role  # the subscriptions page is the admins'
    for role in ("planner", "viewer"):
        assert not may_open(role, "data"), role  # a planner opening /data is refused
        assert may_open(role, "county")
    for role in ("filler", "leader"):  # a collection round: 本期填报, and the board read-only
        assert may_open(role, "data"), role
        assert may_open(role, "county")
    assert pages_for("nobody") == ()
    assert demo_identity("127.0.0.1").role == "admin"  # demo mode on loopback counts as admin
    assert demo_identity("10.1.2.3").role == "viewer"


def test_demo_mode_is_read_only_when_public(monkeypatch):
    monkeypatch.setenv("UNIONDASH_PUBLIC", "1")
    assert demo_identity("127.0.0.1").role == "viewer"
    assert not may_open(demo_identity("127.0.0.1").role, "data")


def test_client_address_trusts_forwarded_for_only_from_the_proxy(monkeypatch):
    assert client_address(None, None) == "127.0.0.1"  # Streamlit reports a loopback peer as None
    assert client_address(None, "203.0.113.9") == "203.0.113.9"  # nginx on loopback vouches for it
    assert client_address(None, "6.6.6.6, 203.0.113.9") == "203.0.113.9"  # the client's own entry is ignored
    assert client_address("198.51.100.7", "127.0.0.1") == "198.51.100.7"  # not a trusted proxy
    assert client_address(None, "not an address") == "127.0.0.1"
    monkeypatch.setenv("UNIONDASH_TRUSTED_PROXIES", "10.0.0.2")
    assert client_address("10.0.0.2", "203.0.113.9") == "203.0.113.9"
    assert client_address(None, "203.0.113.9") == "127.0.0.1"


def test_cookie_signature_and_secret_file(tmp_path, monkeypatch):
    monkeypatch.delenv("UNIONDASH_COOKIE_SECRET", raising=False)
    secret = cookie_secret(tmp_path)
    assert stat.S_IMODE(os.stat(tmp_path / "secret.key").st_mode) == 0o600
    assert cookie_secret(tmp_path) == secret  # every worker reads the same file
    cookie = sign(secret, "abc")
    assert unsign(secret, cookie) == "abc"
    assert unsign(secret, cookie[:-1] + ("A" if cookie[-1] != "A" else "B")) is None
    assert unsign(b"another secret", cookie) is None
    for hostile in ("", "v1..", "v1.abc", "v2.abc." + cookie.split(".")[2], "a.b.c.d", None):
        assert unsign(secret, hostile) is None
    monkeypatch.setenv("UNIONDASH_COOKIE_SECRET", "s" * 40)
    assert cookie_secret(tmp_path) == b"s" * 40


def test_sessions_expire_when_idle_and_end_on_sign_out(tmp_path):
    store = Store(tmp_path)
    sid = store.create("lead", "local", now=1000.0)
    assert store.touch(sid, idle_s=60, now=1050.0).user == "lead"
    assert store.touch(sid, idle_s=60, now=1100.0).user == "lead"  # each use moves the clock
    assert store.touch(sid, idle_s=60, now=1161.0) == "expired"
    assert store.touch(sid, idle_s=60, now=1162.0) == "revoked"
    other = store.create("lead", "local")
    store.revoke(other)
    assert store.touch(other, idle_s=60) == "revoked"
    assert store.touch("made-up", idle_s=60) == "unknown"


def test_tickets_work_once_and_expire(tmp_path):
    store = Store(tmp_path)
    sid = store.create("lead", "local")
    ticket = store.ticket(sid, now=1000.0)
    assert store.redeem(ticket, now=1010.0) == sid
    assert store.redeem(ticket, now=1011.0) is None  # used up
    late = store.ticket(sid, now=1000.0)
    assert store.redeem(late, now=1000.0 + 61) is None
    assert store.redeem("x' or 1=1 --") is None


def test_rate_limit_per_user_and_per_address(tmp_path):
    """README: five failed sign-ins lock a user name and twenty an address, for 15 minutes (900 s)
    from the first failure of the run that reached the limit."""
    store = Store(tmp_path)
    for i in range(4):
        store.fail("pa", "10.0.0.1", now=1000.0 + i)  # failures at 1000, 1001, 1002, 1003
    assert store.locked_for("pa", "10.0.0.1", now=1010.0) == 0  # four: not locked yet
    store.fail("pa", "10.0.0.1", now=1004.0)  # the fifth
    assert store.locked_for("pa", "10.0.0.9", now=1010.0) == 890  # the name, from any address: 1000 + 900 − 1010
    assert store.locked_for("pa", "10.0.0.1", now=1899.0) == 1
    assert store.locked_for("pa", "10.0.0.1", now=1900.0) == 0  # 15 minutes after the first of the five
    assert store.locked_for("other", "10.0.0.1", now=1010.0) == 0  # five failures do not lock the address
    for i in range(19):  # one address trying many user names, once each
        store.fail(f"user{i}", "10.0.0.7", now=2000.0)
    assert store.locked_for("someone-else", "10.0.0.7", now=2001.0) == 0  # nineteen: not yet
    store.fail("user19", "10.0.0.7", now=2000.0)  # the twentieth
    assert store.locked_for("someone-else", "10.0.0.7", now=2001.0) == 899  # 2000 + 900 − 2001
    assert store.locked_for("someone-else", "10.0.0.8", now=2001.0) == 0  # another address
    assert store.locked_for("user3", "10.0.0.8", now=2001.0) == 0  # one failure of user3's own
    assert store.locked_for("someone-else", "10.0.0.7", now=2900.0) == 0


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


def test_users_command(tmp_path, monkeypatch, capsys):
    path = tmp_path / "users.toml"
    monkeypatch.setenv("UNIONDASH_USERS", str(path))
    monkeypatch.setattr("sys.stdin", Pipe("first line pass\nsecond line\n"))
    assert main(["users", "add", "pa", "--role", "planner", "--scope", "990101", "990102"]) == 0
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    accounts = load_accounts(path)
    assert accounts.users["pa"].scope == ("990101", "990102")
    assert accounts.verify("pa", "first line pass").name == "pa"
    assert accounts.verify("pa", "second line") is None
    assert accounts.verify("ghost", "first line pass") is None
    assert main(["users", "add", "pa", "--role", "leader"]) == 2  # exists
    assert main(["users", "add", "x", "--role", "planner"]) == 2  # a planner needs a scope
    assert main(["users", "add", "x'; drop", "--role", "leader"]) == 2  # hostile name
    assert main(["users", "add", "boss", "--role", "leader", "--scope", "990101"]) == 2
    monkeypatch.setattr("sys.stdin", Pipe("short\n"))
    assert main(["users", "add", "y", "--role", "leader"]) == 2  # too short
    assert "至少 8 个字符" in capsys.readouterr().err
    assert main(["users", "add", "chen@example.org", "--role", "admin", "--sso"]) == 0
    monkeypatch.setattr("sys.stdin", Pipe("a new password\n"))
    assert main(["users", "passwd", "pa"]) == 0
    assert load_accounts(path).verify("pa", "a new password")
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "chen@example.org\tadmin\t-\tsso\t-\t-",
        "pa\tplanner\t990101,990102\tpassword\t-\t-",
    ]
    assert main(["users", "remove", "pa"]) == 0
    assert main(["users", "remove", "pa"]) == 2
    assert list(load_accounts(path).users) == ["chen@example.org"]


def test_a_malformed_accounts_file_fails_with_its_reason(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text('[users.x]\nrole = "king"\n', encoding="utf-8")
    with pytest.raises(AccountError, match="king"):
        load_accounts(path)
    path.write_text("[users\n", encoding="utf-8")
    with pytest.raises(AccountError, match="无法读取"):
        load_accounts(path)


def test_audit_lines(tmp_path):
    accounts_file = tmp_path / "users.toml"
    audit.record(accounts_file, "lead", "sign-in", "127.0.0.1", source="local")
    audit.record(accounts_file, "张三\n", "export", "", table="awards")
    lines = audit.read(accounts_file)
    assert [(e["user"], e["action"]) for e in lines] == [("lead", "sign-in"), ("张三\n", "export")]
    assert set(lines[0]) == {"time", "user", "action", "address", "source"}
    with pytest.raises(ValueError):
        audit.record(accounts_file, "lead", "delete-everything")


def test_exports_are_audited(tmp_path):
    accounts_file = tmp_path / "users.toml"
    recorded = audit.export_recorder(accounts_file, "pa", "10.0.0.1", "awards-2023")
    assert recorded("csv", b"a,b\n") == b"a,b\n"
    (entry,) = audit.read(accounts_file)
    assert (entry["user"], entry["action"], entry["table"], entry["format"], entry["bytes"]) == (
        "pa",
        "export",
        "awards-2023",
        "csv",
        4,
    )
