"""Collection rounds on the hand-made region (tests/fixtures.py): 甲一区 990101 (S1 open, S2 open,
S3 closed; coverage members 900 of 1,000 employees), 甲二县 990102 (S4 suspended, S6 open),
乙一县 990201 (S5 open). Filler A (990101) renames S2, leaves S1 out and adds a station; members
900 → 950. Every expected value is worked out in the test."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from rounds_helpers import AFTER_DUE, AS_OF, DUE, REGION, edit_a, make_data, stations_sheet

from uniondash.access import audit
from uniondash.data import rounds as R
from uniondash.data.importer import SourceFile
from uniondash.data.rounds.kpis import kpis_before_after
from uniondash.data.rounds.workbook import write_prefilled
from uniondash.data.snapshots import list_snapshots


@pytest.fixture
def opened(tmp_path, monkeypatch):
    data, users = make_data(tmp_path, monkeypatch)
    store = R.RoundStore(data)
    R.open_round(store, AS_OF, ["stations", "coverage"], DUE, "年中更新", "boss")
    return store, users, tmp_path


def files(folder):
    return [SourceFile(p.name, p) for p in sorted(folder.glob("*.xlsx"))]


def submit_a(store, tmp):
    folder = tmp / "a"
    write_prefilled(store, store.current(), ("990101",), folder)
    edit_a(folder)
    return R.submit(store, files(folder), "fa", ("990101",), REGION)


def test_open_refuses_a_second_round_and_other_tables(opened):
    store, _, _ = opened
    with pytest.raises(R.RoundError, match="2024-06-30"):
        R.open_round(store, "2024-09-30", ["stations"], "2024-10-10", "", "boss")
    store2 = R.RoundStore(store.data_dir / "elsewhere")
    with pytest.raises(R.RoundError, match="regions"):
        R.open_round(store2, "2024-09-30", ["regions"], "2024-10-10", "", "boss")


def test_board_states_and_overdue_by_the_clock(opened, monkeypatch):
    store, _, _ = opened
    board = R.status(store)
    assert list(board.unit) == ["990101", "990102", "990201"]
    assert list(board.name) == ["甲一区", "甲二县", "乙一县"]
    assert set(board.state) == {"not_started"}
    assert not board.overdue.any()
    monkeypatch.setenv("UNIONDASH_NOW", AFTER_DUE)
    assert R.status(store).overdue.all()
    totals = R.city_totals(R.status(store))
    assert totals.set_index("city").loc["990100", ["units", "not_started", "overdue"]].tolist() == [2, 2, 2]


def test_prefilled_workbook_holds_only_the_fillers_rows(opened):
    store, _, tmp = opened
    written = write_prefilled(store, store.current(), ("990101",), tmp / "a")
    assert [p.name for p in written] == ["服务站点.xlsx", "组建入会.xlsx"]
    _, sheet = stations_sheet(tmp / "a" / "服务站点.xlsx")
    assert [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)] == ["S1", "S2", "S3"]
    _, cov = stations_sheet(tmp / "a" / "组建入会.xlsx")
    assert [cov.cell(r, 1).value for r in range(2, cov.max_row + 1)] == ["990101"]
    # a city filler (甲市) gets both of its counties' stations: S1 S2 S3 (990101), S4 S6 (990102)
    write_prefilled(store, store.current(), ("990100",), tmp / "city")
    _, sheet = stations_sheet(tmp / "city" / "服务站点.xlsx")
    assert [sheet.cell(r, 1).value for r in range(2, sheet.max_row + 1)] == ["S1", "S2", "S3", "S4", "S6"]


def test_submission_review_and_kpis_before_after(opened):
    store, _, tmp = opened
    result = submit_a(store, tmp)
    assert result.ok, [p.line() for p in result.problems]
    # stations: S2, S3 and the new one (S1 left out); coverage: 990101's one row
    assert result.rows == {"990101": {"stations": 3, "coverage": 1}}
    board = R.status(store).set_index("unit")
    assert board.loc["990101", ["state", "by", "rows"]].tolist() == ["submitted", "fa", 4]
    assert board.loc["990102", "state"] == "not_started"
    assert not (store.snapshots_dir / AS_OF).exists()  # pending, never a snapshot
    rv = R.review(store, "990101")
    st = rv.tables["stations"]
    assert st.added.name.tolist() == ["甲一区新驿站"]
    assert st.added.station_id.isna().all()
    assert st.removed.station_id.tolist() == ["S1"]
    assert st.removed.status.tolist() == ["closed"]
    assert st.changed[["key", "column", "before", "after"]].values.tolist() == [
        ["S2", "name", "甲一区母婴室", "甲一区母婴室（新址）"]
    ]
    cov = rv.tables["coverage"].changed
    assert cov[["key", "column", "before", "after"]].values.tolist() == [["990101", "members", 900, 950]]
    kpis = kpis_before_after(store.base(), "990101", rv.after).set_index("code")
    # membership rate 900/1000 → 950/1000; members 900 → 950; registered stations: open S1, S2 → S2 and the new one
    assert kpis.loc["membership_rate", ["before", "after"]].tolist() == pytest.approx([0.90, 0.95])
    assert kpis.loc["members", ["before", "after"]].tolist() == [900, 950]
    assert kpis.loc["stations_registered", ["before", "after"]].tolist() == [2, 2]


def test_a_row_of_another_unit_is_refused_naming_row_and_unit(opened):
    store, _, tmp = opened
    folder = tmp / "b"
    write_prefilled(store, store.current(), ("990102",), folder)
    book, sheet = stations_sheet(folder / "服务站点.xlsx")
    sheet.append(
        [
            "S9",
            "越界驿站",
            "outdoor_rest",
            "990101",
            "x",
            114.0,
            30.6,
            "union",
            "2024-03-01",
            "open",
            False,
            *[True] * 7,
            3,
            5,
        ]
    )
    book.save(folder / "服务站点.xlsx")
    result = R.submit(store, files(folder), "fb", ("990102",), REGION)
    assert not result.ok
    assert not result.units
    (p,) = result.problems
    # rows 2-3 hold S4 and S6; the appended row is row 4
    assert (p.file, p.row, p.column, p.value) == ("服务站点.xlsx", 4, "区划代码", "990101")
    assert "990101（甲一区）" in p.expected_zh
    assert "甲二县" in p.expected_zh
    assert R.status(store).set_index("unit").loc["990102", "state"] == "not_started"


def test_uniqueness_is_checked_against_the_other_units(opened):
    """Filler B gives a station S1's id: S1 stays 甲一区's in the snapshot, so the key is doubled."""
    store, _, tmp = opened
    folder = tmp / "b"
    write_prefilled(store, store.current(), ("990102",), folder)
    book, sheet = stations_sheet(folder / "服务站点.xlsx")
    sheet.cell(2, 1).value = "S1"
    book.save(folder / "服务站点.xlsx")
    result = R.submit(store, files(folder), "fb", ("990102",), REGION)
    rules = {(p.rule, p.row, p.file) for p in result.problems}
    assert ("unique_keys", 2, "服务站点.xlsx") in rules
    assert ("unique_keys", 2, "2023-12-31/stations.parquet") in rules  # S1, the snapshot's first row


def test_return_resubmit_accept_keep_every_version(opened):
    store, _, tmp = opened
    submit_a(store, tmp)
    R.return_unit(store, "990101", "会员人数请核对", "boss")
    assert R.status(store).set_index("unit").loc["990101", ["state", "reason"]].tolist() == [
        "returned",
        "会员人数请核对",
    ]
    again = submit_a(store, tmp)
    assert again.versions == {"990101": "v002"}
    rnd = store.current()
    assert [v["version"] for v in store.unit(rnd, "990101").versions] == ["v001", "v002"]
    assert store.version_dir(rnd, "990101", "v001").is_dir()
    state = R.accept(store, "990101", "boss")
    # the new station is row 4 (rows 2-3: S2, S3 once S1's row was deleted)
    assert state.new_ids == {"v002:4": "990101-20240630-001"}
    refused = submit_a(store, tmp)
    assert not refused.units
    assert refused.problems[0].rule == "state"


def test_publish_needs_confirmation_then_makes_one_snapshot(opened, monkeypatch):
    store, users, tmp = opened
    submit_a(store, tmp)
    R.accept(store, "990101", "boss")
    asked = R.publish(store, "boss", REGION)
    assert asked.needs_confirmation
    assert asked.missing == ["990102", "990201"]
    assert asked.path is None
    assert not (store.snapshots_dir / AS_OF).exists()
    done = R.publish(store, "boss", REGION, yes=True)
    snap = {s.as_of: s for s in list_snapshots(store.snapshots_dir)}[AS_OF]
    assert snap.ok, snap.problems
    manifest = json.loads((done.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["source"] == "round"
    assert manifest["round"]["id"] == AS_OF
    assert manifest["round"]["carried"] == {
        "stations": {"from": "2023-12-31", "units": ["990102", "990201"]},
        "coverage": {"from": "2023-12-31", "units": ["990102", "990201"]},
    }
    stations = pd.read_parquet(done.path / "stations.parquet").set_index("station_id")
    # 990101: S1 closed (left out), S2 renamed, S3 as it was, the new one with its id; others carried
    assert stations.loc["S1", "status"] == "closed"
    assert stations.loc["S2", "name"] == "甲一区母婴室（新址）"
    assert stations.loc["990101-20240630-001", "name"] == "甲一区新驿站"
    assert sorted(stations.index) == sorted(["S1", "S2", "S3", "S4", "S5", "S6", "990101-20240630-001"])
    assert stations.loc["S4", "status"] == "suspended"
    coverage = pd.read_parquet(done.path / "coverage.parquet").set_index("adcode")
    assert coverage.members.to_dict() == {"990101": 950, "990102": 200, "990201": 90}
    # tables outside the round are the base's files byte for byte
    base = store.snapshots_dir / "2023-12-31"
    assert (done.path / "competitions.parquet").read_bytes() == (base / "competitions.parquet").read_bytes()
    assert R.carried_units(snap) == {
        u: {"stations": "2023-12-31", "coverage": "2023-12-31"} for u in ("990102", "990201")
    }
    assert R.carried_from(snap, ["990201"]) == "2023-12-31"
    assert R.carried_from(snap, ["990101"]) is None
    from uniondash.ui.rounds_mark import carried_export_note

    names = {"990101": "甲一区", "990102": "甲二县", "990201": "乙一县"}
    assert carried_export_note(snap, list(names), names, "zh") == "沿用 2023-12-31：甲二县、乙一县"
    assert carried_export_note(snap, ["990201"], names, "en") == "Carried from 2023-12-31: 乙一县"
    assert carried_export_note(snap, ["990101"], names, "zh") is None
    board = R.status(store).set_index("unit")
    assert board.carried.to_dict() == {"990101": "", "990102": "2023-12-31", "990201": "2023-12-31"}
    again = R.publish(store, "boss", REGION, yes=True)
    assert again.already
    assert again.path == done.path
    assert [s.as_of for s in list_snapshots(store.snapshots_dir)] == ["2022-12-31", "2023-12-31", AS_OF]
    R.close_round(store, "boss")
    assert store.open_round() is None
    actions = [(e["action"], e["user"]) for e in audit.read(users)]
    assert actions == [
        ("round-open", "boss"),
        ("round-submit", "fa"),
        ("round-accept", "boss"),
        ("round-publish", "boss"),
        ("round-close", "boss"),
    ]


def test_city_filler_upload_is_split_per_county(opened):
    store, _, tmp = opened
    folder = tmp / "city"
    write_prefilled(store, store.current(), ("990100",), folder)
    result = R.submit(store, files(folder), "city_a", ("990100",), REGION)
    assert result.ok
    # 990101: S1 S2 S3 + coverage row; 990102: S4 S6 + coverage row
    assert result.rows == {"990101": {"stations": 3, "coverage": 1}, "990102": {"stations": 2, "coverage": 1}}
    assert R.status(store).set_index("unit").state.to_dict() == {
        "990101": "submitted",
        "990102": "submitted",
        "990201": "not_started",
    }


def test_an_upload_is_checked_in_a_child_process(opened):
    """/data's uploads go through submit_isolated: the same submission as in-process, and a child
    that cannot finish (here: an address space too small to load the readers) stores nothing."""
    import dataclasses

    from uniondash.config import load_settings
    from uniondash.data.rounds.isolated import submit_isolated

    store, _, tmp = opened
    folder = tmp / "a"
    write_prefilled(store, store.current(), ("990101",), folder)
    edit_a(folder)
    settings = load_settings()
    done = submit_isolated(store, files(folder), "fa", ("990101",), REGION, settings)
    assert done.ok, [p.line() for p in done.problems]
    assert done.rows == {"990101": {"stations": 3, "coverage": 1}}
    starved = dataclasses.replace(settings, import_memory_mb=64)
    stopped = submit_isolated(store, files(folder), "fa", ("990101",), REGION, starved)
    (p,) = stopped.problems
    assert p.file == "服务站点.xlsx、组建入会.xlsx"
    assert "64 MB" in p.expected_zh
    assert [v["version"] for v in store.unit(store.current(), "990101").versions] == ["v001"]


def test_an_extra_column_is_a_warning_not_a_refusal(opened):
    """The importer ignores a column outside the contract (备注) with a warning: the submission lands."""
    store, _, tmp = opened
    folder = tmp / "a"
    write_prefilled(store, store.current(), ("990101",), folder)
    book, sheet = stations_sheet(folder / "服务站点.xlsx")
    sheet.cell(1, sheet.max_column + 1).value = "备注"
    book.save(folder / "服务站点.xlsx")
    result = R.submit(store, [SourceFile("服务站点.xlsx", folder / "服务站点.xlsx")], "fa", ("990101",), REGION)
    assert result.ok, [p.line() for p in result.problems]
    assert result.rows == {"990101": {"stations": 3}}
    assert [(w.file, w.column) for w in result.warnings if w.severity == "warning"][0][0] == "服务站点.xlsx"
    assert any("备注" in (w.column or "") + (w.value or "") for w in result.warnings)
