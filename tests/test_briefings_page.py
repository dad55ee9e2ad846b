"""The subscriptions page (app_pages/briefings.py), AppTest: admins see every subscription with its
next slot, last delivery and last failure (from the sent log), and may send one now, which runs
beside the page (here to a robot in a thread: the message names 甲二县's founding rate 25/50 =
50.0%); other roles are refused."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from uniondash.access.accounts import Account, Accounts, load_accounts, save_accounts
from uniondash.access.data_scope import SessionAccess
from uniondash.access.gate import account_identity

ROOT = Path(__file__).resolve().parent.parent
RECEIVED: list[dict] = []


class Robot(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        RECEIVED.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'{"errcode": 0}')

    def log_message(self, *args):
        pass


@pytest.fixture
def setup(tmp_path, monkeypatch, fixture_dir):
    robot = HTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=robot.serve_forever, daemon=True).start()
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "users.toml"))
    monkeypatch.setenv("UNIONDASH_NOW", "2026-12-07T09:00:00+08:00")
    monkeypatch.delenv("UNIONDASH_BRIEFINGS", raising=False)
    save_accounts(
        Accounts(
            tmp_path / "users.toml",
            {"adm": Account("adm", "admin"), "zhou": Account("zhou", "planner", ("990102",), "", "zhou@example.org")},
        )
    )
    (tmp_path / "briefings.toml").write_text(
        f"""# kept as written: the page never writes this file
[[briefing]]
name = "county-chat"
view = "/"
to = ["zhou"]
schedule = "0 8 * * MON"
channel = "webhook"
kind = "wecom"
webhook = "http://127.0.0.1:{robot.server_address[1]}/send?key=K"
base_url = "http://dash.example.org"
""",
        encoding="utf-8",
    )
    log = [
        {
            "time": "2026-11-30T00:00:05+00:00",
            "briefing": "county-chat",
            "slot": "2026-11-30T08:00:00+08:00",
            "recipient": "zhou",
            "status": "sent",
            "detail": "",
        },
        {
            "time": "2026-12-07T00:00:09+00:00",
            "briefing": "county-chat",
            "slot": "2026-12-07T08:00:00+08:00",
            "recipient": "zhou",
            "status": "failed",
            "detail": "webhook: URLError: refused",
        },
    ]
    (tmp_path / "briefings-sent.jsonl").write_text("".join(json.dumps(e) + "\n" for e in log), encoding="utf-8")
    yield tmp_path
    robot.shutdown()


def page_as(name: str) -> AppTest:
    accounts = load_accounts()
    at = AppTest.from_file(str(ROOT / "app_pages" / "briefings.py"), default_timeout=60)
    identity = account_identity(accounts.users[name], accounts, "local", "sid")
    at.session_state["_access"] = SessionAccess(identity, None, identity.sees_names)
    return at.run()


def test_admins_see_each_subscription_with_its_last_delivery_and_failure(setup):
    at = page_as("adm")
    assert not at.exception
    row = at.dataframe[0].value.iloc[0].to_dict()
    assert row["名称"] == "county-chat"
    assert row["下次"] == "2026-12-14 08:00"
    assert row["最近送达"] == "2026-11-30T00:00:05+00:00 → zhou"
    assert row["最近失败"] == "2026-12-07T00:00:09+00:00 → zhou: webhook: URLError: refused"
    assert row["格式"] == "—"
    assert row["渠道"] == "工作群机器人 (企业微信)"  # the reader's words, not the file's "webhook"


def test_send_now_runs_beside_the_page_and_reports(setup):
    RECEIVED.clear()
    at = page_as("adm")
    at.button[0].click().run()
    assert not at.exception
    deadline = time.time() + 60
    while not RECEIVED and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)
    at.run()
    assert [s.value for s in at.success] == ["已发送：1 份。"]
    text = RECEIVED[0]["markdown"]["content"]
    assert "- 工会组建率：**50.0%**" in text
    assert "甲一区" not in text
    row = at.dataframe[0].value.iloc[0].to_dict()
    assert row["最近送达"].endswith("→ zhou")
    assert row["最近送达"].startswith("2026-12-07T01:00:00")  # the fake clock, in UTC
    assert (setup / "briefings.toml").read_text(encoding="utf-8").startswith("# kept as written")


def test_other_roles_are_refused(setup):
    at = page_as("zhou")
    assert [e.value for e in at.error] == ["您的角色（规划人员）无权打开此页面。如需访问，请联系管理员。"]
    assert not at.dataframe
