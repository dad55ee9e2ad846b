"""One upload limit: uniondash.toml [import] max_file_mb is the source; Streamlit's
server.maxUploadSize and nginx's client_max_body_size follow it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from tools.serve.stack import render_config
from uniondash.config import load_settings

ROOT = Path(__file__).resolve().parent.parent


def test_the_three_upload_limits_agree(tmp_path, monkeypatch):
    monkeypatch.delenv("UNIONDASH_IMPORT_MAX_MB", raising=False)
    source = tomllib.loads((ROOT / "uniondash.toml").read_text(encoding="utf-8"))["import"]["max_file_mb"]
    streamlit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]
    nginx = re.findall(r"client_max_body_size (\S+);", render_config([9001], "127.0.0.1:8080", tmp_path))
    assert load_settings().import_max_mb == source
    assert streamlit["maxUploadSize"] == source
    assert nginx == [f"{source}m"]


def test_nginx_follows_the_setting_when_it_changes(tmp_path):
    conf = render_config([9001], "127.0.0.1:8080", tmp_path, max_upload_mb=37.5)
    assert re.findall(r"client_max_body_size (\S+);", conf) == ["37.5m"]


def test_an_abandoned_sessions_files_go_within_30_seconds():
    streamlit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))["server"]
    assert streamlit["disconnectedSessionTTL"] == 30
