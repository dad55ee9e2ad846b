"""briefings.toml read strictly (every refusal names its line), the schedule's slots and catch-up
in the region's zone, the sent log's idempotence and lock, and the command's exit codes; no
rendering here (tests/test_briefings_delivery.py sends real briefings)."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from zoneinfo import ZoneInfo

import pytest

from uniondash.briefings import sentlog
from uniondash.briefings.cli import main
from uniondash.briefings.config import BriefingsError, load_briefings
from uniondash.briefings.schedule import latest_slot, next_slot

SH = ZoneInfo("Asia/Shanghai")
CONTRACT = """[smtp]                      # used by channel = "email"
host = "mail.example.org"
port = 587
security = "starttls"       # starttls | ssl | none
user = "dashboard@example.org"
password_env = "UNIONDASH_SMTP_PASSWORD"
sender = "工会数据看板 <dashboard@example.org>"

[[briefing]]
name = "weekly-leaders"     # [A-Za-z0-9-]{1,40}
deck = "weekly"             # a saved deck; or view = "/?city=420100"
to = ["wang", "li"]         # account names
schedule = "0 8 * * MON"    # cron, in the region's time zone
formats = ["pptx", "pdf"]
channel = "email"           # email | webhook | folder
"""
CHAT = """
[[briefing]]
name = "county-chat"
view = "/?county=420602"
to = ["zhao"]
schedule = "30 9 1 * *"
channel = "webhook"
kind = "wecom"
webhook = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K"
base_url = "http://dash.example.org"
lang = "en"
enabled = false
"""


def write(tmp_path, text: str):
    path = tmp_path / "briefings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refusal(tmp_path, text: str) -> str:
    with pytest.raises(BriefingsError) as err:
        load_briefings(write(tmp_path, text))
    return str(err.value)


def test_the_contracts_example_reads_with_its_defaults(tmp_path):
    f = load_briefings(write(tmp_path, CONTRACT + CHAT))
    assert (f.smtp.host, f.smtp.port, f.smtp.security, f.smtp.password_env) == (
        "mail.example.org",
        587,
        "starttls",
        "UNIONDASH_SMTP_PASSWORD",
    )
    weekly, chat = f.briefings
    assert (weekly.name, weekly.deck, weekly.to, weekly.formats, weekly.lang, weekly.enabled, weekly.line) == (
        "weekly-leaders",
        "weekly",
        ("wang", "li"),
        ("pptx", "pdf"),
        "zh",
        True,
        9,
    )
    assert (chat.kind, chat.lang, chat.enabled, chat.link) == (
        "wecom",
        "en",
        False,
        "http://dash.example.org/?county=420602",
    )
    assert f.sent_log == tmp_path / "briefings-sent.jsonl"


def test_unknown_keys_are_refused_naming_the_line(tmp_path):
    text = CONTRACT + 'recipients = ["x"]\n'
    assert "第 16 行" in refusal(tmp_path, text)
    assert "line 16: unknown key 'recipients'" in refusal(tmp_path, text)
    assert "line 4: unknown key 'tls'" in refusal(tmp_path, CONTRACT.replace("port = 587", "port = 587\ntls = true"))
    assert "line 17: unknown key 'extra'" in refusal(tmp_path, CONTRACT + "\n[extra]\nx = 1\n")
    # a channel's key under another channel is named as such
    assert 'line 16: folder is only for channel = "folder"' in refusal(tmp_path, CONTRACT + 'folder = "/srv"\n')


def test_duplicate_names_are_refused_naming_the_second(tmp_path):
    second = CONTRACT[CONTRACT.index("[[briefing]]") :]
    message = refusal(tmp_path, CONTRACT + "\n" + second)
    assert "line 18: duplicate briefing name 'weekly-leaders' (already at line 10)" in message


def test_smtp_is_needed_only_for_email(tmp_path):
    no_smtp = CONTRACT[CONTRACT.index("[[briefing]]") :]
    assert 'line 1: channel = "email" needs an [smtp] table' in refusal(tmp_path, no_smtp)
    f = load_briefings(write(tmp_path, CHAT))  # a chat robot alone needs no [smtp]
    assert f.smtp is None
    assert [b.name for b in f.briefings] == ["county-chat"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('to = ["zhao"]', 'to = ["zhao", "li"]'), 'line 5: channel = "webhook" names exactly one account'),
        (('kind = "wecom"', 'kind = "slack"'), "line 8: kind must be wecom or dingtalk"),
        (('base_url = "http://dash.example.org"\n', ""), "line 2: a webhook briefing needs base_url"),
        (('schedule = "30 9 1 * *"', 'schedule = "30 9 1 *"'), "line 6: schedule must be a 5-field cron"),
        (('schedule = "30 9 1 * *"', 'schedule = "30 25 1 * *"'), "line 6: invalid schedule"),
        (('lang = "en"', 'lang = "fr"'), "line 11: lang must be zh or en"),
        (("enabled = false", 'enabled = "no"'), "line 12: enabled must be true or false"),
        (('view = "/?county=420602"', 'view = "/admin"'), "line 4: view must be a page's path"),
        (('name = "county-chat"', 'name = "county chat"'), "line 3: name must be 1-40 letters"),
    ],
)
def test_each_rule_names_its_line(tmp_path, change, expected):
    assert expected in refusal(tmp_path, CHAT.replace(*change))


def test_the_latest_slot_of_the_last_24_hours_is_due():
    monday = "0 8 * * MON"
    at = dt.datetime(2026, 12, 7, 8, 0, tzinfo=SH)  # Monday 08:00 in Shanghai
    assert latest_slot(monday, at) == at
    assert latest_slot(monday, at - dt.timedelta(seconds=1)) is None  # last Monday's is 7 days old
    assert latest_slot(monday, at + dt.timedelta(hours=23, minutes=59)) == at
    assert latest_slot(monday, at + dt.timedelta(hours=24)) is None
    # down since 08:30: at 12:30 only the 12:00 slot is due, not 09:00, 10:00 and 11:00 as well
    hourly_now = dt.datetime(2026, 12, 7, 12, 30, tzinfo=SH)
    assert latest_slot("0 * * * *", hourly_now) == dt.datetime(2026, 12, 7, 12, 0, tzinfo=SH)
    # the region's zone: 08:00 in Shanghai is 00:00 UTC
    assert latest_slot(monday, at.astimezone(dt.UTC)).astimezone(SH) == at
    assert next_slot(monday, at) == dt.datetime(2026, 12, 14, 8, 0, tzinfo=SH)


def test_pending_counts_sent_and_accountless_as_done_and_gives_up_after_three_failed_runs():
    slot = "2026-12-07T08:00:00+08:00"
    entries = [
        {"briefing": "b", "slot": slot, "recipient": "wang", "status": "sent"},
        {"briefing": "b", "slot": slot, "recipient": "nobody", "status": "no_account"},
        {"briefing": "b", "slot": slot, "recipient": "li", "status": "failed"},
        {"briefing": "b", "slot": None, "recipient": "zhao", "status": "sent"},  # send --now: not a slot
        {"briefing": "other", "slot": slot, "recipient": "zhao", "status": "sent"},
    ]
    assert sentlog.pending(entries, "b", slot, ("wang", "nobody", "li", "zhao")) == ("li", "zhao")
    entries += [{"briefing": "b", "slot": slot, "recipient": "li", "status": "failed"}] * 2
    assert sentlog.pending(entries, "b", slot, ("wang", "nobody", "li", "zhao")) == ("zhao",)


def test_the_run_lock_is_exclusive(tmp_path):
    lock = tmp_path / "briefings.lock"
    with sentlog.locked(lock):
        fd = os.open(lock, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when the run ends
    finally:
        os.close(fd)


def test_the_command_lists_and_refuses_with_exit_codes(tmp_path, monkeypatch, capsys):
    path = write(tmp_path, CONTRACT + CHAT)
    monkeypatch.setenv("UNIONDASH_BRIEFINGS", str(path))
    monkeypatch.setenv("UNIONDASH_NOW", "2026-12-07T09:00:00+08:00")
    assert main(["list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split("\t")[:6] == [
        "weekly-leaders",
        "on",
        "0 8 * * MON",
        "2026-12-14T08:00+08:00",
        "email",
        "pptx,pdf",
    ]
    assert out[1].split("\t")[:4] == ["county-chat", "off", "30 9 1 * *", "-"]
    assert main(["send", "no-such", "--now"]) == 2
    assert "no briefing named 'no-such'" in capsys.readouterr().err
    write(tmp_path, CONTRACT + "oops = 1\n")
    assert main(["run"]) == 2
    assert "line 16: unknown key 'oops'" in capsys.readouterr().err


def test_robot_messages_in_each_format_and_dingtalks_signature():
    from uniondash.briefings.channels import dingtalk_signed, webhook_payload
    from uniondash.briefings.config import Briefing
    from uniondash.briefings.render import Summary

    s = Summary(
        "测试市总工会",
        "甲二县",
        "2023-12-31",
        "2022-12-31",
        False,
        (("工会组建率", "50.0%", ""),),
        ("甲二县 新增站点 <5 家",),
        (),
    )
    common = dict(
        to=("zhou",),
        schedule="0 8 * * MON",
        formats=("pptx",),
        channel="webhook",
        view="/",
        base_url="http://d.example.org",
    )
    wecom = webhook_payload(Briefing("c", kind="wecom", webhook="http://w/x", **common), s)
    assert list(wecom) == ["msgtype", "markdown"]
    assert wecom["markdown"]["content"].splitlines() == [
        "### 测试市总工会工作简报",
        "范围：甲二县 · 快照 2023-12-31（对比 2022-12-31）",
        "",
        "**核心指标与目标**",
        "- 工会组建率：**50.0%**",
        "",
        "**本期变化**",
        "- 甲二县 新增站点 <5 家",
        "",
        "**未达目标**",
        "- 无",
        "",
        "[在看板中打开](http://d.example.org/)",
    ]
    ding = webhook_payload(Briefing("c", kind="dingtalk", webhook="http://w/x", **common), s)
    assert ding["markdown"]["title"] == "测试市总工会工作简报"
    assert ding["markdown"]["text"] == wecom["markdown"]["content"]
    # DingTalk's documented recipe: base64(HMAC-SHA256(secret, "timestamp\nsecret")), URL-encoded
    signed = dingtalk_signed("https://oapi.dingtalk.com/robot/send?access_token=T", "SEC1", 1700000000000)
    import base64
    import hashlib
    import hmac
    from urllib.parse import quote_plus

    expected = quote_plus(base64.b64encode(hmac.new(b"SEC1", b"1700000000000\nSEC1", hashlib.sha256).digest()).decode())
    assert signed == f"https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=1700000000000&sign={expected}"
