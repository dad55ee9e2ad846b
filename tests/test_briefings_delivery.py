"""Scheduled briefings end to end: an SMTP server (aiosmtpd) and a chat robot (http.server) in
threads, the hand-made scope fixture, two e-mail subscriptions (a leader, and a planner of 甲二县)
and the planner's DingTalk robot, run with a fake clock (UNIONDASH_NOW) through two Monday 08:00
slots and two restarts (a fresh process reading the sent log). Checked: each slot sent exactly
once; the planner's PPTX (python-pptx, slides and speaker notes) names no other county and holds
none of their figures; the PDF's text (pdftotext) holds the Chinese title and its fonts
(pdffonts) include an embedded CJK font; the e-mail's subject decodes to the Chinese text and the
attachments' names keep their Chinese (RFC 2231); the robot's message is signed and carries no
count under 5; a broken SMTP server makes `send --now` exit 1 naming the recipient, with an audit line."""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote_plus, urlsplit

import pytest
from browser import require_chromium
from scope_fixture import build_scope_fixture

from uniondash.access.accounts import Account, Accounts, save_accounts
from uniondash.config import ROOT
from uniondash.data.decks import SLIDE_KINDS, Deck, DeckItem, save_deck

pytestmark = pytest.mark.browser  # charts and the PDF are drawn by the system Chromium

ORG = "测试市总工会"
SECRET = "SEC-robot-secret"
PLANNER_SUBJECT = f"{ORG} · 甲二县 · 工作简报（快照 2023-12-31）"
LEADER_SUBJECT = f"{ORG} · 全省 · 工作简报（快照 2023-12-31）"
# Other units' names and figures (tests/fixtures.py, 2023): 甲一区 founding 90/100 = 90.0%,
# 乙一县 8/10 = 80.0%, the region 123/160 = 76.9% and members 1,190/1,500 = 79.3%; 甲二县 itself
# 25/50 = 50.0% founding and 200/400 = 50.0% members.
OTHERS = ("甲一区", "乙一县", "乙市", "测试省", "76.9%", "79.3%", "80.0%")


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        msg.raw = envelope.original_content
        msg.rcpt = list(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"


class Robot(BaseHTTPRequestHandler):
    received: list[tuple[str, dict]] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Robot.received.append((self.path, json.loads(body)))
        answer = b'{"errcode": 0, "errmsg": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    require_chromium()
    for tool in ("pdftotext", "pdffonts"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} missing: run make system-deps (Debian's poppler-utils)", pytrace=False)
    from aiosmtpd.controller import Controller

    root = tmp_path_factory.mktemp("briefings")
    data = root / "data"
    build_scope_fixture(data)
    users = root / "users.toml"
    save_accounts(
        Accounts(
            users,
            {
                "wang": Account("wang", "leader", (), "", "wang@example.org"),
                "zhou": Account("zhou", "planner", ("990102",), "", "zhou@example.org"),
            },
        )
    )
    save_deck(data, Deck("weekly", tuple(DeckItem(k) for k in SLIDE_KINDS), "wang"))
    mailbox = Mailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    robot = HTTPServer(("127.0.0.1", 0), Robot)
    threading.Thread(target=robot.serve_forever, daemon=True).start()
    (root / "briefings.toml").write_text(
        f"""# the subscriptions of the test
[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
sender = "工会数据看板 <dashboard@example.org>"

[[briefing]]
name = "weekly-leaders"
deck = "weekly"
to = ["wang"]
schedule = "0 8 * * MON"
formats = ["pptx", "pdf"]
channel = "email"

[[briefing]]
name = "county-planner"
deck = "weekly"
to = ["zhou@example.org", "nobody"]   # an address of an account, and no account at all
schedule = "0 8 * * MON"
formats = ["pptx", "pdf"]
channel = "email"
base_url = "http://dash.example.org"

[[briefing]]
name = "county-chat"
view = "/"
to = ["zhou"]
schedule = "0 8 * * MON"
channel = "webhook"
kind = "dingtalk"
webhook = "http://127.0.0.1:{robot.server_address[1]}/robot/send?access_token=T1"
secret_env = "TEST_DINGTALK_SECRET"
base_url = "http://dash.example.org"
""",
        encoding="utf-8",
    )
    env = {
        "UNIONDASH_DATA": str(data),
        "UNIONDASH_REGION": "990000",
        "UNIONDASH_USERS": str(users),
        "UNIONDASH_ORG_NAME": ORG,
        "TEST_DINGTALK_SECRET": SECRET,
    }
    old = {k: os.environ.get(k) for k in [*env, "UNIONDASH_NOW", "UNIONDASH_BRIEFINGS"]}
    os.environ.update(env)
    os.environ.pop("UNIONDASH_BRIEFINGS", None)
    yield {"root": root, "mailbox": mailbox, "users": users, "env": env}
    controller.stop()
    robot.shutdown()
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def run_in_process(now: str, *args: str) -> int:
    from uniondash.briefings.cli import main

    os.environ["UNIONDASH_NOW"] = now
    return main(list(args))


def run_restarted(world, now: str, *args: str) -> subprocess.CompletedProcess:
    """A fresh process (a restarted scheduler, or the cron line beside it)."""
    env = {**os.environ, **world["env"], "UNIONDASH_NOW": now}
    return subprocess.run(
        [sys.executable, "-m", "uniondash", "briefings", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def slots(world):
    """Two slots (Mon 7 and Mon 14 December 2026, 08:00 in Shanghai) and what each run sent."""
    box, robot = world["mailbox"].messages, Robot.received
    counts = {}
    assert run_in_process("2026-12-07T07:59:00+08:00", "run") == 0  # before the first slot (30 Nov is > 24 h ago)
    counts["before"] = (len(box), len(robot))
    assert run_in_process("2026-12-07T08:05:00+08:00", "run") == 0
    counts["slot1"] = (len(box), len(robot))
    restarted = run_restarted(world, "2026-12-07T09:00:00+08:00", "run")
    assert restarted.returncode == 0, restarted.stderr
    counts["restart1"] = (len(box), len(robot))
    # the scheduler was down over the second slot: caught up once, 90 minutes late
    assert run_in_process("2026-12-14T09:30:00+08:00", "run") == 0
    counts["slot2"] = (len(box), len(robot))
    restarted = run_restarted(world, "2026-12-14T10:00:00+08:00", "run")
    assert restarted.returncode == 0, restarted.stderr
    counts["restart2"] = (len(box), len(robot))
    return counts


def log_lines(world) -> list[dict]:
    text = (world["root"] / "briefings-sent.jsonl").read_text(encoding="utf-8")
    return [json.loads(x) for x in text.splitlines()]


def test_each_slot_is_sent_exactly_once(world, slots):
    # per slot: two e-mails (wang, zhou) and one robot message; nothing before, nothing on restart
    assert slots == {
        "before": (0, 0),
        "slot1": (2, 1),
        "restart1": (2, 1),
        "slot2": (4, 2),
        "restart2": (4, 2),
    }
    sent = [(e["briefing"], e["slot"], e["recipient"]) for e in log_lines(world) if e["status"] == "sent"]
    assert sorted(sent) == sorted(
        (b, slot, who)
        for slot in ("2026-12-07T08:00:00+08:00", "2026-12-14T08:00:00+08:00")
        for b, who in (("weekly-leaders", "wang"), ("county-planner", "zhou@example.org"), ("county-chat", "zhou"))
    )
    rcpt = sorted(tuple(m.rcpt) for m in world["mailbox"].messages)
    assert rcpt == [("wang@example.org",)] * 2 + [("zhou@example.org",)] * 2


def test_a_recipient_without_an_account_gets_nothing_and_the_log_says_so(world, slots):
    nobody = [e for e in log_lines(world) if e["recipient"] == "nobody"]
    assert [(e["slot"], e["status"]) for e in nobody] == [
        ("2026-12-07T08:00:00+08:00", "no_account"),
        ("2026-12-14T08:00:00+08:00", "no_account"),
    ]


def _mail(world, subject: str) -> email.message.EmailMessage:
    return next(m for m in world["mailbox"].messages if m["Subject"] == subject)


def test_subjects_decode_to_chinese_and_attachments_keep_their_names(world, slots):
    planner = _mail(world, PLANNER_SUBJECT)
    assert _mail(world, LEADER_SUBJECT)["To"] == "wang@example.org"
    raw_headers = planner.raw.split(b"\r\n\r\n")[0].decode("ascii")  # every header is ASCII on the wire
    assert "=?utf-8?" in raw_headers
    names = [p.get_filename() for p in planner.iter_attachments()]
    assert names == ["briefing-county-planner-甲二县-2023-12-31.pptx", "briefing-county-planner-甲二县-2023-12-31.pdf"]
    assert b"filename*0*=utf-8''briefing-county-planner-%E7%94%B2" in planner.raw  # RFC 2231
    text = planner.get_body(("plain",)).get_content()
    html_body = planner.get_body(("html",)).get_content()
    # 甲二县's own figures: founding 25/50 = 50.0%, membership 200/400 = 50.0%
    assert "- 工会组建率: 50.0%" in text
    assert "- 职工入会率: 50.0%" in text
    assert "50.0%" in html_body
    assert "http://dash.example.org/present?deck=weekly" in html_body
    for other in OTHERS:
        assert other not in text, other
        assert other not in html_body, other


def pptx_text(data: bytes) -> tuple[str, list[str]]:
    from pptx import Presentation

    prs = Presentation(io.BytesIO(data))
    shapes, notes = [], []
    for slide in prs.slides:
        shapes += [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        notes.append(slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else "")
    return "\n".join(shapes), notes


def test_the_planners_pptx_names_no_other_county_and_no_figure_of_theirs(world, slots):
    planner = _mail(world, PLANNER_SUBJECT)
    pptx = next(p for p in planner.iter_attachments() if p.get_filename().endswith(".pptx")).get_content()
    text, notes = pptx_text(pptx)
    assert "县域聚焦：甲二县" in text
    assert "50.0%" in text
    everything = text + "\n".join(notes)
    for other in OTHERS:
        assert other not in everything, other
    leader = _mail(world, LEADER_SUBJECT)
    lp = next(p for p in leader.iter_attachments() if p.get_filename().endswith(".pptx")).get_content()
    leader_text, _ = pptx_text(lp)
    assert "76.9%" in leader_text  # the region's founding rate: the leader's deck has it, the planner's not


def test_the_pdf_holds_the_chinese_title_with_embedded_cjk_fonts(world, slots, tmp_path):
    planner = _mail(world, PLANNER_SUBJECT)
    pdf = next(p for p in planner.iter_attachments() if p.get_filename().endswith(".pdf")).get_content()
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "核心指标与目标" in text
    assert "县域聚焦：甲二县" in text
    for other in ("甲一区", "乙一县", "76.9%"):
        assert other not in text
    # Chromium (Skia) embeds OpenType-CFF outlines, which every Noto CJK face is, as Type 3 fonts:
    # pdffonts lists them unnamed ("[none]  Type 3 … emb yes"). Every font must be embedded.
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows
    assert all(re.search(r"\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", r) for r in rows)
    assert all(r.split()[-5] == "yes" for r in rows), fonts  # the emb column
    assert any("Type 3" in r for r in rows), fonts
    assert tofu_free(path, "核心指标与目标")


def tofu_free(pdf: Path, title: str) -> bool:
    """The title's glyphs as drawn: tofu (a missing glyph's box) would draw every character
    alike; here the title's distinct characters (核心指与目标: 6 of its 7) draw 6 distinct images."""
    from PIL import Image

    layout = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    box = re.search(rf'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">{title}</word>', layout)
    assert box, layout[:2000]
    x0, y0, x1, y1 = (float(v) * 2 for v in box.groups())  # points at 144 dpi
    subprocess.run(
        ["pdftoppm", "-r", "144", "-f", "1", "-l", "1", "-png", str(pdf), str(pdf.with_suffix(""))], check=True
    )
    page = Image.open(next(pdf.parent.glob(pdf.stem + "*.png"))).convert("L")
    step = (x1 - x0) / len(title)
    glyphs = [
        page.crop((round(x0 + i * step), round(y0), round(x0 + (i + 1) * step), round(y1))).tobytes()
        for i in range(len(title))
    ]
    ink = [sum(255 - b for b in g) for g in glyphs]
    assert all(v > 0 for v in ink), ink  # something drawn for every character
    return len(set(glyphs)) >= len(set(title))  # 标 twice may land a pixel apart: 6 or 7 images


def test_the_robot_message_is_signed_and_shows_no_small_count(world, slots):
    path, payload = Robot.received[0]
    query = parse_qs(urlsplit(path).query)
    stamp = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256).digest())
    assert unquote_plus(query["sign"][0]) == expected.decode()
    # signed at the fake clock's time of the first slot's run: 2026-12-07 08:05 in Shanghai
    assert int(stamp) == int(dt.datetime(2026, 12, 7, 0, 5, tzinfo=dt.UTC).timestamp() * 1000)
    text = payload["markdown"]["text"]
    assert payload["msgtype"] == "markdown"
    assert "甲二县" in text
    assert "[在看板中打开](http://dash.example.org/)" in text
    numbers = [int(n) for n in re.findall(r"(?<![\d.<])(\d+) ?[家人项]", text)]
    assert all(n >= 5 for n in numbers), numbers
    for other in OTHERS:
        assert other not in text, other
    assert "赵六" not in text
    assert "钱七" not in text


def test_a_broken_smtp_server_exits_1_naming_the_recipient(world, slots, tmp_path):
    broken = world["root"] / "broken.toml"
    broken.write_text(
        f"""[smtp]
host = "127.0.0.1"
port = {free_port()}
security = "none"
sender = "dashboard@example.org"

[[briefing]]
name = "to-nowhere"
view = "/?county=990102"
to = ["zhou"]
schedule = "0 8 * * MON"
formats = ["pptx"]
channel = "email"
""",
        encoding="utf-8",
    )
    import uniondash.briefings.runner as runner

    old = runner.BACKOFF_S
    runner.BACKOFF_S = (0.0, 0.0)
    try:
        from uniondash.briefings.cli import main

        os.environ["UNIONDASH_BRIEFINGS"] = str(broken)
        code = main(["send", "to-nowhere", "--now"])
    finally:
        runner.BACKOFF_S = old
        os.environ.pop("UNIONDASH_BRIEFINGS")
    assert code == 1
    failed = [e for e in log_lines(world) if e["briefing"] == "to-nowhere"]
    assert [(e["slot"], e["status"], e["attempts"]) for e in failed] == [(None, "failed", 3)]
    assert "ConnectionRefusedError" in failed[0]["detail"]
    audit = [json.loads(x) for x in (world["users"].parent / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    refused = [a for a in audit if a.get("briefing") == "to-nowhere"]
    assert [(a["action"], a["user"], a["recipient"], a["status"]) for a in refused] == [
        ("briefing-failed", "zhou", "zhou", "failed")
    ]
