"""The shared state's one interface on both backends (issue 24): the same sessions, tickets, rate
limits, records and audit log on SQLite (the default) and on a real PostgreSQL (Debian's package,
started by tests/pg_server.py); the accounts in the database; the version table; the clock."""

from __future__ import annotations

import io
import sqlite3
import threading

import psycopg
import pytest
from pg_server import pg_server, pg_url  # noqa: F401 - fixtures

from uniondash import clock
from uniondash.access import audit
from uniondash.access.accounts import Account, hash_password, load_accounts, save_accounts
from uniondash.access.state import StateError, open_state
from uniondash.access.state_pg import PostgresState
from uniondash.cli import main


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, monkeypatch):
    monkeypatch.delenv("UNIONDASH_NOW", raising=False)
    if request.param == "sqlite":
        monkeypatch.delenv("UNIONDASH_STATE_URL", raising=False)
    else:
        request.getfixturevalue("pg_url")
    state = open_state(tmp_path)
    assert state.kind == request.param
    return state


def test_sessions_expire_when_idle_and_end_on_sign_out(store):
    sid = store.create("lead", "local", now=1000.0)
    assert store.touch(sid, idle_s=60, now=1050.0).user == "lead"
    assert store.touch(sid, idle_s=60, now=1100.0).user == "lead"  # each use moves the clock
    assert store.touch(sid, idle_s=60, now=1161.0) == "expired"  # 1161 − 1100 = 61 > 60
    assert store.touch(sid, idle_s=60, now=1162.0) == "revoked"
    other = store.create("lead", "local")
    store.revoke(other)
    assert store.touch(other, idle_s=60) == "revoked"
    third = store.create("lead", "sso")
    fourth = store.create("pa", "local")
    store.revoke_user("lead")  # users remove / passwd
    assert store.touch(third, idle_s=60) == "revoked"
    assert store.touch(fourth, idle_s=60).source == "local"
    assert store.touch("made-up", idle_s=60) == "unknown"


def test_tickets_work_once_and_expire(store):
    sid = store.create("lead", "local")
    ticket = store.ticket(sid, now=1000.0)
    assert store.redeem(ticket, now=1010.0) == sid
    assert store.redeem(ticket, now=1011.0) is None  # used up
    late = store.ticket(sid, now=1000.0)
    assert store.redeem(late, now=1000.0 + 61) is None  # 60 s to redeem
    assert store.redeem("x' or 1=1 --") is None


def test_rate_limits(store):
    for i in range(4):
        store.fail("pa", "10.0.0.1", now=1000.0 + i)
    assert store.locked_for("pa", "10.0.0.1", now=1010.0) == 0
    store.fail("pa", "10.0.0.2", now=1004.0)  # the fifth, from another address
    assert store.locked_for("pa", "10.0.0.9", now=1010.0) == 890  # 1000 + 900 − 1010
    assert store.locked_for("pa", "10.0.0.1", now=1900.0) == 0
    store.succeed("pa")
    assert store.locked_for("pa", "10.0.0.1", now=1010.0) == 0  # a success clears the name's count
    for i in range(20):
        store.fail(f"u{i}", "10.0.0.7", now=2000.0)
    assert store.locked_for("anyone", "10.0.0.7", now=2001.0) == 899  # 2000 + 900 − 2001


def test_records_upsert_add_merge(store):
    assert store.get("rounds.submission", "2026-q4/420106") is None
    store.put("rounds.submission", "2026-q4/420106", {"by": "zhao", "files": 3})
    store.put("rounds.submission", "2026-q4/420106", {"by": "zhao", "files": 4})  # replaced
    store.put("rounds.submission", "2026-q4/420111", {"by": "li", "files": 1})
    assert store.merge("rounds.submission", "2026-q4/420106", {"checked": True}) == {
        "by": "zhao",
        "files": 4,
        "checked": True,
    }
    assert store.rows("rounds.submission") == {
        "2026-q4/420106": {"by": "zhao", "files": 4, "checked": True},
        "2026-q4/420111": {"by": "li", "files": 1},
    }
    assert store.add("briefings.sent", "weekly/li", {"n": 1}) is True
    assert store.add("briefings.sent", "weekly/li", {"n": 2}) is False
    assert store.get("briefings.sent", "weekly/li") == {"n": 1}  # the first one stays
    assert store.delete("briefings.sent", "weekly/li") is True
    assert store.delete("briefings.sent", "weekly/li") is False
    assert store.rows("briefings.sent") == {}
    for bad_kind in ("", "Rounds", "a..b", "x'; drop"):
        with pytest.raises(ValueError):
            store.put(bad_kind, "k", {})
    with pytest.raises(ValueError):
        store.put("rounds.submission", "k", ["not", "an", "object"])


def test_records_are_atomic_under_threads(store):
    """Twelve threads: each adds the same key (exactly one wins) and merges its own field into one
    row (no lost update: all twelve fields are there)."""
    won: list[bool] = []

    def work(i: int) -> None:
        won.append(store.add("briefings.sent", "daily/2026-12-06/wang", {"by": i}))
        store.merge("rounds.submission", "one-row", {f"f{i}": i})

    threads = [threading.Thread(target=work, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(won) == [False] * 11 + [True]
    assert store.get("rounds.submission", "one-row") == {f"f{i}": i for i in range(12)}


def test_audit_log(store, tmp_path, monkeypatch):
    accounts_file = tmp_path / "users.toml"
    audit.record(accounts_file, "lead", "sign-in", "127.0.0.1", source="local")
    audit.record(accounts_file, "张三\n", "export", "", table="awards", bytes=4)
    lines = audit.read(accounts_file)
    assert [(e["user"], e["action"]) for e in lines] == [("lead", "sign-in"), ("张三\n", "export")]
    assert set(lines[0]) == {"time", "user", "action", "address", "source"}
    assert lines[1]["bytes"] == 4
    monkeypatch.setenv("UNIONDASH_NOW", "2026-12-06T09:30:00+08:00")
    audit.record(accounts_file, "lead", "sign-out", "127.0.0.1")
    assert audit.read(accounts_file)[-1]["time"] == "2026-12-06T01:30:00+00:00"  # the one clock, in UTC
    # SQLite keeps the file as before; PostgreSQL writes no file at all
    assert (tmp_path / "audit.jsonl").exists() == (store.kind == "sqlite")


def test_the_database_clock_decides_now(store, monkeypatch):
    """A replica whose own clock is wrong (here: the year 2000) still agrees with the others on
    PostgreSQL, which takes "now" from the database server; SQLite (one machine) takes the machine's."""
    wrong = 946684800.0  # 2000-01-01
    monkeypatch.setattr(clock, "timestamp", lambda: wrong)
    sid = store.create("lead", "local")
    created = store.touch(sid, idle_s=60)
    if store.kind == "sqlite":
        assert store.now() == wrong
        assert created.user == "lead"
    else:
        with psycopg.connect(store.url) as conn:
            (db_now,) = conn.execute("select extract(epoch from clock_timestamp())").fetchone()
            (row_created,) = conn.execute("select created from sessions where sid = %s", (sid,)).fetchone()
        assert abs(float(db_now) - row_created) < 5
        assert abs(store.now() - float(db_now)) < 5
        assert row_created > wrong + 20 * 365 * 86400
        assert created.user == "lead"  # not 'expired', which the wrong clock would have given


def test_a_newer_schema_is_refused(tmp_path, monkeypatch, pg_url):  # noqa: F811
    PostgresState(pg_url)  # made on first start
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert conn.execute("select version from schema_version where component = 'access'").fetchone() == (1,)
        conn.execute("update schema_version set version = 2")
    with pytest.raises(StateError, match="schema version 2; this version of uniondash knows up to 1"):
        PostgresState(pg_url)
    monkeypatch.delenv("UNIONDASH_STATE_URL")
    store = open_state(tmp_path)
    store.create("lead", "local")  # made on first use
    with sqlite3.connect(tmp_path / "access.sqlite") as db:
        db.execute("update schema_version set version = 3")
    with pytest.raises(StateError, match="结构版本为 3"):
        open_state(tmp_path).create("lead", "local")


def test_a_state_url_that_is_not_postgresql_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("UNIONDASH_STATE_URL", "mysql://root:hunter2@db/x")
    with pytest.raises(StateError, match=r"must be a postgresql://… URL") as err:
        open_state(tmp_path)
    assert "hunter2" not in str(err.value)  # the password is never shown


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


def test_accounts_live_in_the_database(tmp_path, monkeypatch, pg_url, capsys):  # noqa: F811
    """The file's accounts are copied in on first use; after that `users add` on any node (any
    folder) is seen by all, and two saves at once keep both changes."""
    path = tmp_path / "node-a" / "users.toml"
    monkeypatch.delenv("UNIONDASH_STATE_URL")
    monkeypatch.setenv("UNIONDASH_USERS", str(path))
    monkeypatch.setattr("sys.stdin", Pipe("first line pass\n"))
    assert main(["users", "add", "pa", "--role", "planner", "--scope", "990101"]) == 0  # into the file
    file_text = path.read_text(encoding="utf-8")
    monkeypatch.setenv("UNIONDASH_STATE_URL", pg_url)
    assert load_accounts(path).users["pa"].scope == ("990101",)  # copied in
    monkeypatch.setattr("sys.stdin", Pipe("second pass word\n"))
    assert main(["users", "add", "lead", "--role", "leader", "--email", "lead@example.org"]) == 0
    assert path.read_text(encoding="utf-8") == file_text  # the file is not written any more
    other_node = tmp_path / "node-b" / "users.toml"  # another machine: no file at all
    seen = load_accounts(other_node)
    assert sorted(seen.users) == ["lead", "pa"]
    assert seen.verify("lead", "second pass word").email == "lead@example.org"
    # two administrators at once, each from what they read
    a, b = load_accounts(path), load_accounts(other_node)
    a.users["wang"] = Account("wang", "leader", (), hash_password("wang's password"))
    b.users["zhao"] = Account("zhao", "filler", ("990102",), "", "zhao@example.org", extra={"note": "x"})
    del b.users["pa"]
    save_accounts(a)
    save_accounts(b)
    final = load_accounts(path)
    assert sorted(final.users) == ["lead", "wang", "zhao"]
    assert final.users["zhao"].extra == {"note": "x"}  # unknown keys kept, as in the file
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "lead\tleader\t-\tpassword\tlead@example.org\t-",
        "wang\tleader\t-\tpassword\t-\t-",
        "zhao\tfiller\t990102\tsso\tzhao@example.org\t-",
    ]


def test_a_pooled_connection_cut_by_the_server_is_replaced(pg_url, monkeypatch):  # noqa: F811
    """A database restart (here: the server ends the pooled connection) costs no request: a
    connection idle past PING_AFTER_IDLE_S is checked and replaced before use."""
    from uniondash.access import state_pg

    store = PostgresState(pg_url)
    sid = store.create("lead", "local")
    [(conn, _)] = store._idle
    with psycopg.connect(pg_url, autocommit=True) as admin:
        assert admin.execute("select pg_terminate_backend(%s)", (conn.info.backend_pid,)).fetchone() == (True,)
    monkeypatch.setattr(state_pg, "PING_AFTER_IDLE_S", 0.0)
    assert store.touch(sid, idle_s=60).user == "lead"
    [(fresh, _)] = store._idle
    assert fresh is not conn
    assert fresh.info.backend_pid != conn.info.backend_pid


def test_an_access_sqlite_from_before_the_version_table_keeps_its_sessions(tmp_path, monkeypatch):
    """A file made by the previous version (its tables, no schema_version) is version 1: its
    signed-in sessions and counted failures hold after the upgrade."""
    monkeypatch.delenv("UNIONDASH_STATE_URL", raising=False)
    with sqlite3.connect(tmp_path / "access.sqlite") as db:
        db.executescript(
            """
            create table sessions (sid text primary key, user text not null, source text not null,
                created real not null, last_seen real not null, revoked integer not null default 0);
            create table tickets (ticket text primary key, sid text not null, expires real not null);
            create table failures (kind text not null, key text not null, at real not null);
            insert into sessions values ('old-sid', 'lead', 'local', 1000.0, 1000.0, 0);
            insert into failures values ('user', 'pa', 1000.0), ('user', 'pa', 1001.0), ('user', 'pa', 1002.0),
                ('user', 'pa', 1003.0);
            """
        )
    store = open_state(tmp_path)
    assert store.touch("old-sid", idle_s=60, now=1030.0).user == "lead"
    store.fail("pa", "10.0.0.1", now=1004.0)  # the fifth, counted with the four from before
    assert store.locked_for("pa", "10.0.0.2", now=1010.0) == 890
    with sqlite3.connect(tmp_path / "access.sqlite") as db:
        assert db.execute("select component, version from schema_version").fetchall() == [("access", 1)]
