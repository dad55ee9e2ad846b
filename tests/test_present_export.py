"""Slides and briefings: the figures on each slide equal DuckDB queries on the snapshot; the PPTX
opens with python-pptx (slides, titles, images, east-Asian fonts on every run); the PDF renders
with pdftoppm and its text holds the Chinese titles; both built in a process whose Python is
refused the network by an audit hook (tests/net_guard.py: nothing was attempted) and whose two
Chromiums keep network logs (nothing left the machine), and with the network unplugged
(`unshare -n`) too where the machine allows it; two concurrent chart exports never swap."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import net_guard
import pytest
from browser import CHROMIUM, require_chromium

from tools.bench.briefing import deck_slides
from uniondash.config import ROOT

pytestmark = pytest.mark.browser  # kaleido and the PDF drive the system Chromium

TESTS = Path(__file__).resolve().parent
TITLES_ZH = ["核心指标与目标", "建会覆盖", "服务站点分布", "竞赛与荣誉", "本期变化", "未达目标", "县域聚焦：远安县"]


@pytest.fixture(scope="module")
def slides(demo_dir):
    return {s.kind: s for s in deck_slides(demo_dir, "zh")}


def tile(slide, label):
    return next(x.value for x in slide.tiles if x.label.startswith(label))


def test_slide_figures_equal_the_snapshot(slides, demo_wh):
    latest = "2023-12-31"

    def q(sql: str) -> int:
        return demo_wh.con.execute(sql, {"as_of": latest}).fetchone()[0]

    n_open = q("select count(*) from stations where as_of = $as_of and status = 'open'")
    assert tile(slides["stations_map"], "正常开放") == f"{n_open:,}"
    awards = q("""select count(*) from competition_results r join competitions c using (as_of, competition_id)
                   where r.as_of = $as_of and c.year = 2023""")
    assert tile(slides["competitions"], "2023 年获奖") == f"{awards:,}"
    behind = q("""select count(*) from coverage c join regions r on r.as_of = c.as_of and r.adcode = c.adcode
                   where c.as_of = $as_of and r.level = 'county' and c.legal_units_unionised < 0.9 * c.legal_units""")
    assert tile(slides["behind"], "未达目标") == f"{behind:,}"
    worst, rate = demo_wh.con.execute(
        """
        select r.name, c.legal_units_unionised / c.legal_units from coverage c
        join regions r on r.as_of = c.as_of and r.adcode = c.adcode and r.level = 'county'
        where c.as_of = $as_of order by 2, c.adcode limit 1""",
        {"as_of": latest},
    ).fetchone()
    assert slides["county"].title == f"县域聚焦：{worst}"
    assert tile(slides["coverage_map"], "最低") == worst
    assert tile(slides["county"], "工会组建率") == f"{rate * 100:.1f}%"


def test_slides_carry_no_names_and_no_small_counts(slides, demo_wh):
    people = {
        r[0]
        for r in demo_wh.con.execute(
            "select distinct winner_name from competition_results where winner_type = 'person'"
        ).fetchall()
    }
    text = json.dumps(
        [[s.title, [(x.label, x.value, x.detail) for x in s.tiles], s.bullets] for s in slides.values()],
        ensure_ascii=False,
    )
    assert not [p for p in people if p in text]
    import re

    # every count a slide shows ("N 家", "N 人", "N 项", a tile's bare number) is 5 or more, or "<5"
    counts = [int(n.replace(",", "")) for n in re.findall(r"(?<![\d.])(\d[\d,]*) ?[家人项]", text)]
    counts += [
        int(x.value.replace(",", "")) for s in slides.values() for x in s.tiles if re.fullmatch(r"[\d,]+", x.value)
    ]
    assert counts
    assert min(counts) >= 5
    assert all("少于 5 的数量显示为" in s.notes[-1] for s in slides.values())


def network_namespace_available() -> bool:
    """`unshare -n` (a process with no network at all) needs privileges many containers lack."""
    if shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0


@dataclass(frozen=True)
class Built:
    out: Path  # briefing-zh.pptx and briefing-zh.pdf
    timing: dict
    guard_log: Path  # what the building Python process tried to reach (tests/net_guard.py)
    pdf_net_log: Path  # the printing Chromium's own network log
    chart_net_log: Path  # the network log of kaleido's Chromium, which draws the charts
    unplugged: bool  # also run with no network at all (unshare -n), where this machine allows it


@pytest.fixture(scope="module")
def built(demo_dir, tmp_path_factory) -> Built:
    """The deck's briefing built once, in a child process watched three ways: its Python never
    reaches another machine (an audit hook records and refuses every attempt), and both Chromiums,
    the one kaleido drives for the charts and the one printing the PDF, keep a network log. Where
    the machine allows it, the child also runs with the network unplugged (unshare -n)."""
    require_chromium()
    for tool in ("pdftoppm", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} missing: run make system-deps (Debian's poppler-utils)", pytrace=False)
    out = tmp_path_factory.mktemp("briefing")
    guard_log, pdf_net_log, chart_net_log = out / "guard.jsonl", out / "pdf-net.json", out / "chart-net.json"
    chart_chromium = out / "chromium-with-net-log"
    chart_chromium.write_text(f'#!/bin/sh\nexec {CHROMIUM} --log-net-log={chart_net_log} "$@"\n', encoding="utf-8")
    chart_chromium.chmod(0o755)
    argv = ["briefing", "--data", str(demo_dir), "--out", str(out), "--net-log", str(pdf_net_log), "--once"]
    driver = f"""
import runpy, sys
sys.path.insert(0, {str(TESTS)!r})
import net_guard
net_guard.install({str(guard_log)!r})
import uniondash.render.briefing.images as images
import uniondash.render.briefing.pdf_file as pdf_file  # binds the real path before the swap below
images.CHROMIUM = {str(chart_chromium)!r}  # kaleido's Chromium, logging its network
assert pdf_file.CHROMIUM == {CHROMIUM!r}
sys.argv = {argv!r}
runpy.run_module("tools.bench.briefing", run_name="__main__")
"""
    unplugged = network_namespace_available()
    cmd = [*(["unshare", "-n"] if unplugged else []), sys.executable, "-c", driver]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    timing = json.loads(run.stdout.strip().splitlines()[-1])
    return Built(out, timing, guard_log, pdf_net_log, chart_net_log, unplugged)


def test_pptx_holds_every_slide_with_its_chart_and_east_asian_fonts(built):
    assert built.timing["slides"] == 7
    from pptx import Presentation
    from pptx.oxml.ns import qn

    prs = Presentation(io.BytesIO((built.out / "briefing-zh.pptx").read_bytes()))
    assert [s.shapes.title.text for s in prs.slides] == TITLES_ZH
    pictures = [sum(sh.shape_type == 13 for sh in s.shapes) for s in prs.slides]
    assert pictures == [1, 1, 1, 1, 0, 1, 0]  # every slide with a chart has it as an image
    runs = [
        r for s in prs.slides for sh in s.shapes if sh.has_text_frame for p in sh.text_frame.paragraphs for r in p.runs
    ]
    assert runs
    # the east-Asian face Windows and WPS have (render/briefing/fonts.py's default), not the server's Noto
    assert all(r._r.rPr.find(qn("a:ea")).get("typeface") == "微软雅黑" for r in runs)
    notes = [s.notes_slide.notes_text_frame.text for s in prs.slides]
    assert all(n.startswith(title) and "快照 2023-12-31 · 范围：全省" in n for n, title in zip(notes, TITLES_ZH))
    every_slide = [" ".join(sh.text_frame.text for sh in s.shapes if sh.has_text_frame) for s in prs.slides]
    assert all(
        "湖北省总工会" in t and "演示数据" in t and "快照 2023-12-31" in t and "范围：全省" in t for t in every_slide
    )


def test_pdf_renders_a_page_per_slide_with_its_chinese_title(built, tmp_path):
    pdf = built.out / "briefing-zh.pdf"
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) == 7
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    assert len([p for p in pages if p.strip()]) == 7
    for title, page in zip(TITLES_ZH, pages):
        assert title in page
        assert "演示数据" in page
        assert "湖北省总工会" in page


def test_building_the_briefing_tried_no_network(built):
    """The Python process (kaleido's client, the PPTX and PDF builders) resolved and reached nothing
    beyond this machine: the guard refused nothing, so there was nothing to refuse."""
    assert net_guard.attempts(built.guard_log) == []


def test_printing_the_pdf_requested_nothing(built):
    assert_nothing_left(read_net_log(built.pdf_net_log))


def test_drawing_the_charts_requested_nothing(built):
    assert_nothing_left(read_net_log(built.chart_net_log))


def test_the_guard_sees_and_refuses_a_download(tmp_path):
    """The guard itself: a download attempt is recorded and refused, a loopback connection is not."""
    log = tmp_path / "guard.jsonl"
    child = f"""
import socket, sys, urllib.request
sys.path.insert(0, {str(TESTS)!r})
import net_guard
net_guard.install({str(log)!r})
server = socket.create_server(("127.0.0.1", 0))
socket.create_connection(server.getsockname(), timeout=5).close()  # loopback: allowed
for attempt in (lambda: urllib.request.urlopen("http://example.org/", timeout=5),
                lambda: socket.socket().connect(("93.184.215.14", 80))):
    try:
        attempt()
    except OSError as exc:  # urllib wraps the guard's ConnectionRefusedError in a URLError
        print("refused:", exc)
    else:
        sys.exit("not refused")
"""
    run = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("net_guard: socket.") == 2
    assert net_guard.attempts(log) == [
        {"event": "socket.getaddrinfo", "target": "'example.org'"},
        {"event": "socket.connect", "target": "('93.184.215.14', 80)"},
    ]


def read_net_log(path: Path) -> dict:
    """Chromium's --log-net-log file; one cut short by the browser's end is closed here."""
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(text.rstrip().rstrip(",") + "]}")


# Requests the system Chromium makes by itself, whatever the document (updater, network clock, account
# check, model downloads, the default search engine's preconnect): --host-resolver-rules stops every
# one at name resolution (checked below), so none is sent.
CHROMIUM_OWN = (
    "update.googleapis.com",
    "clients2.google.com",
    "accounts.google.com",
    "optimizationguide-pa.googleapis.com",
    "start.duckduckgo.com",
)
# Chromium's IPv6 reachability probe: a UDP connect() that picks a route and sends no packet.
IPV6_PROBE = "[2001:4860:4860::8888]:443"


def assert_nothing_left(log: dict) -> None:
    from urllib.parse import urlparse

    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    events = [(names[e["type"]], e.get("params") or {}) for e in log["events"]]
    urls = {p["url"] for _, p in events if "url" in p}
    document = [u for u in urls if urlparse(u).hostname not in CHROMIUM_OWN]
    assert [u for u in document if not u.startswith(("file:", "data:", "about:", "chrome:"))] == []
    connects = [p.get("address") for kind, p in events if kind in ("TCP_CONNECT", "SOCKET_CONNECT", "UDP_CONNECT")]
    assert [a for a in connects if a and a != IPV6_PROBE and not a.startswith(("127.", "[::1]"))] == []
    resolved = [p for kind, p in events if kind == "HOST_RESOLVER_MANAGER_REQUEST" and "host" in p]
    assert all("~notfound" in p["host"] for p in resolved), sorted({p["host"] for p in resolved})


def test_two_concurrent_chart_exports_get_their_own_images():
    require_chromium()
    import plotly.graph_objects as go

    from uniondash.render.briefing.images import figure_png

    results: dict[int, bytes] = {}

    def export(width: int) -> None:
        fig = go.Figure(go.Bar(x=["甲", "乙"], y=[width, 1]))
        results[width] = figure_png(fig, width=width, height=200)

    threads = [threading.Thread(target=export, args=(w,)) for w in (300, 500, 300 + 1, 500 + 1)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=180)
    from PIL import Image

    assert {w: Image.open(io.BytesIO(b)).size[0] for w, b in results.items()} == {
        300: 300,
        500: 500,
        301: 301,
        501: 501,
    }
