"""/data's round panels in AppTest on the hand-made region: the admin's board, review (changed
cells, KPIs before → after), accept; a filler's 本期填报 shows only their unit; a leader's board
has no actions. Values hand-computed as in tests/test_rounds.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from rounds_helpers import AFTER_DUE, AS_OF, DUE, REGION, edit_a, make_data
from streamlit.testing.v1 import AppTest

from uniondash.access.accounts import Account, load_accounts, save_accounts
from uniondash.access.data_scope import SessionAccess
from uniondash.access.gate import account_identity
from uniondash.access.sessions import Store
from uniondash.data import rounds as R
from uniondash.data.importer import SourceFile
from uniondash.data.rounds.workbook import write_prefilled
from uniondash.ui.reads import data_fingerprint

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def round_a(tmp_path, monkeypatch):
    """A round with 甲一区 submitted (filler A's edits) and 乙一县 returned."""
    data, _ = make_data(tmp_path, monkeypatch)
    monkeypatch.setenv("UNIONDASH_DATA", str(data))
    monkeypatch.setenv("UNIONDASH_REGION", REGION)
    store = R.RoundStore(data)
    R.open_round(store, AS_OF, ["stations", "coverage"], DUE, "年中更新", "boss")
    write_prefilled(store, store.current(), ("990101",), tmp_path / "a")
    edit_a(tmp_path / "a")
    files = [SourceFile(p.name, p) for p in sorted((tmp_path / "a").glob("*.xlsx"))]
    assert R.submit(store, files, "fa", ("990101",), REGION).ok
    write_prefilled(store, store.current(), ("990201",), tmp_path / "c")
    files = [SourceFile(p.name, p) for p in sorted((tmp_path / "c").glob("*.xlsx"))]
    assert R.submit(store, files, "fc", ("990201",), REGION).ok
    R.return_unit(store, "990201", "请补充新站点", "boss")
    return store


def page_as(name: str) -> AppTest:
    """/data's script alone, for a signed-in account (the page decides what each role sees; the
    menu's routing is access/roles.py's, tested there and in tests/test_rounds_browser.py)."""
    accounts = load_accounts()
    sid = Store(accounts.folder).create(name, "local")
    identity = account_identity(accounts.users[name], accounts, "local", sid)
    at = AppTest.from_file(str(ROOT / "app_pages" / "data.py"), default_timeout=60)
    at.session_state["_access"] = SessionAccess(identity, None, identity.sees_names)
    at.session_state["lang"] = "zh"
    return at


# AppTest does not expose a dataframe's key: each table is found by the headers it alone has
HEADERS = {
    "round_board": ("区划代码", "逾期", "退回原因"),
    "round_mine": ("区划代码", "提交时间"),
    "round_totals": ("单位数",),
    "rv_changed_stations": ("键", "列"),
    "rv_kpis": ("指标",),
}


def tables(at: AppTest, key: str) -> list:
    return [d.value for d in at.dataframe if set(HEADERS[key]) <= set(d.value.columns)]


def frame(at: AppTest, key: str):
    found = tables(at, key)
    assert found, (key, [list(d.value.columns) for d in at.dataframe])
    return found[0]


def test_admin_board_review_and_accept(round_a, monkeypatch):
    monkeypatch.setenv("UNIONDASH_NOW", AFTER_DUE)
    at = page_as("boss")
    at.session_state["_fingerprint"] = data_fingerprint(round_a.snapshots_dir)
    at.run()
    assert not at.exception
    # the round first, the office's own import after it (the review found the round below the import)
    assert [s.value for s in at.subheader] == ["数据填报轮次", "数据表", "现有快照"]
    board = frame(at, "round_board")
    assert board[["区划代码", "状态", "逾期"]].values.tolist() == [
        ["990101", "已提交", ""],
        ["990102", "未开始", "逾期"],
        ["990201", "已退回", "逾期"],
    ]
    assert board["退回原因"].tolist() == ["", "", "请补充新站点"]
    totals = frame(at, "round_totals")
    assert totals[["市", "单位数", "已提交", "未开始", "已退回", "其中逾期"]].values.tolist() == [
        ["甲市", 2, 1, 1, 0, 1],
        ["乙市", 1, 0, 0, 1, 1],
    ]
    assert "以下 2 个单位尚未提交" in at.code[0].value
    assert "甲市甲二县、乙市乙一县" in at.code[0].value
    changed = frame(at, "rv_changed_stations")
    assert changed[["键", "列", "接收前", "接收后"]].values.tolist() == [
        ["S2", "站点名称", "甲一区母婴室", "甲一区母婴室（新址）"]
    ]
    kpis = frame(at, "rv_kpis").set_index("指标")
    assert kpis.loc["职工入会率", ["接收前", "接收后", "变化"]].tolist() == ["90.0%", "95.0%", "●"]
    assert kpis.loc["工会会员", ["接收前", "接收后"]].tolist() == ["900", "950"]
    at.button(key="round_accept").click().run()
    assert R.status(round_a).set_index("unit").state["990101"] == "accepted"
    assert "确认：2 个单位沿用原数据发布" in [c.label for c in at.checkbox]


def test_filler_sees_only_their_unit_and_the_reason(round_a):
    at = page_as("fc").run()
    assert not at.exception
    mine = frame(at, "round_mine")
    assert mine["区划代码"].tolist() == ["990201"]
    assert mine["状态"].tolist() == ["已退回"]
    assert any("乙一县 的提交被退回：请补充新站点" in e.value for e in at.error)
    assert [b.label for b in at.get("download_button")] == ["服务站点.xlsx", "组建入会.xlsx"]
    shown = "\n".join(d.value.to_csv() for d in at.dataframe) + "\n".join(e.value for e in at.error)
    assert "990101" not in shown
    assert "甲一区" not in shown
    assert not tables(at, "round_board")
    assert not tables(at, "rv_kpis")


def test_leader_reads_the_board_without_actions(round_a):
    accounts = load_accounts()
    accounts.users["lead"] = Account("lead", "leader")
    save_accounts(accounts)
    at = page_as("lead").run()
    assert not at.exception
    assert frame(at, "round_board")["状态"].tolist() == ["已提交", "未开始", "已退回"]
    assert not [b for b in at.button if b.key in ("round_accept", "round_publish", "round_close")]
    assert not at.get("file_uploader")


def test_county_profile_marks_carried_rows(round_a, tmp_path, monkeypatch):
    """Publish with 甲一区 accepted: 乙一县 and 甲二县 are carried from 2023-12-31 and say so."""
    R.accept(round_a, "990101", "boss")
    R.publish(round_a, "boss", REGION, yes=True)
    at = page_as("boss")
    at.session_state["_fingerprint"] = data_fingerprint(round_a.snapshots_dir)
    at.run()
    assert frame(at, "round_board")["沿用"].tolist() == [
        "",
        "沿用 2023-12-31",
        "沿用 2023-12-31",
    ]  # the board marks them
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "none.toml"))  # demo mode: no accounts

    def county(code: str, lang: str = "zh") -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        at.query_params["county"] = code
        at.query_params["lang"] = lang
        at.switch_page("app_pages/county.py").run()
        assert not at.exception
        return at

    def badges(at: AppTest) -> list[str]:
        return [b.proto.body for b in at.get("markdown") if "沿用" in b.proto.body or "Carried" in b.proto.body]

    assert any("沿用 2023-12-31" in b for b in badges(county("990201")))
    assert any("Carried from 2023-12-31" in b for b in badges(county("990201", "en")))
    assert badges(county("990101")) == []


def test_filler_page_in_english(round_a):
    at = page_as("fc")
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception
    assert at.title[0].value == "Data collection"
    assert [s.value for s in at.subheader] == ["This round"]
    mine = tables_en(at)
    assert mine[["Unit", "State"]].values.tolist() == [["990201", "Returned"]]
    assert any("乙一县's submission was returned: 请补充新站点" in e.value for e in at.error)


def tables_en(at: AppTest):
    return next(d.value for d in at.dataframe if {"Unit", "Submitted"} <= set(d.value.columns))


def test_export_header_names_the_carried_counties(round_a, monkeypatch):
    """The published snapshot's export header block says which of the export's counties were
    carried: 甲二县 and 乙一县 for the whole region; nothing for 甲一区 (accepted); a planner of 甲市
    sees only their own carried county named."""
    from types import SimpleNamespace

    from uniondash.access.data_scope import DataScope
    from uniondash.metrics.scope import Scope
    from uniondash.ui import parts

    R.accept(round_a, "990101", "boss")
    R.publish(round_a, "boss", REGION, yes=True)
    as_of = AS_OF  # the round's id is the new snapshot's date
    monkeypatch.setattr(parts, "_now_in_region", lambda: "2030-01-02 09:30")
    names = {"990101": "甲一区", "990102": "甲二县", "990201": "乙一县"}

    def header(counties, chosen=(), data_scope=None) -> dict:
        view = SimpleNamespace(
            lang="zh",
            settings=SimpleNamespace(org_name_zh="测试省总工会", org_name_en="Test FTU"),
            snapshot=as_of,
            compare=None,
            is_demo=False,
            snapshots_dir=str(round_a.snapshots_dir),
            fingerprint=data_fingerprint(round_a.snapshots_dir),
            data_scope=data_scope,
            scope=Scope(REGION, (), tuple(chosen), tuple(counties), tuple(counties)),
            names=lambda: names,
        )
        return dict(parts.export_context(view, "站点列表", rows=3))

    assert header(("990101", "990102", "990201"))["沿用数据"] == "沿用 2023-12-31：甲二县、乙一县"
    assert "沿用数据" not in header(("990101",), chosen=("990101",))
    planner = DataScope(counties=("990101", "990102"), units=("990100", "990101", "990102"), assigned=("990100",))
    assert header(("990101", "990102", "990201"), data_scope=planner)["沿用数据"] == "沿用 2023-12-31：甲二县"


def test_submission_times_read_in_the_regions_time():
    import pandas as pd

    from uniondash.ui.rounds_common import local_times

    stamps = pd.Series(["2024-07-08T03:00:00+00:00", "", "2024-07-03T17:30:00+00:00"])
    assert local_times(stamps).tolist() == ["2024-07-08 11:00", "", "2024-07-04 01:30"]  # UTC+8


def test_review_writes_numbers_as_a_reader_reads_them():
    """Thousands separators, every decimal the file gave, a year as it is, a dash for an empty cell;
    rows added or removed under the template's headers (they showed the contract's names)."""
    from uniondash.ui.rounds_review import cell_text, rows_frame

    assert cell_text(12345, "int", "members") == "12,345"
    assert cell_text(12345.0, "float", "members") == "12,345"
    assert cell_text(1234567.25, "float", "workers") == "1,234,567.25"
    assert cell_text(114.12345, "float", "lon") == "114.12345"
    assert cell_text(2023, "int", "year") == "2023"
    assert cell_text(None, "int", "members") == "—"
    assert cell_text(float("nan"), "float", "lon") == "—"
    assert cell_text("990101", "adcode", "adcode") == "990101"
    rows = rows_frame("coverage", pd.DataFrame({"adcode": ["990101"], "members": [12345]}), "zh")
    assert rows.to_dict("list") == {"区划代码": ["990101"], "会员人数": ["12,345"]}
