"""Opening, accepting, returning and closing a round, and its status board (one line per unit)."""

from __future__ import annotations

import pandas as pd

from uniondash import clock
from uniondash.data.rounds import audit_log
from uniondash.data.rounds.model import (
    ROUND_TABLES,
    Round,
    RoundError,
    RoundStore,
    UnitState,
    bilingual,
    now_text,
)
from uniondash.data.rounds.units import county_units
from uniondash.data.snapshots import is_as_of

STATUS_COLUMNS = ("unit", "name", "state", "overdue", "submitted_at", "by", "rows")


def _date(text: str, what: str) -> str:
    if not is_as_of(text):
        raise RoundError(
            bilingual(f"{what} {text!r} 应为 YYYY-MM-DD 日期", f"{what} {text!r} must be a YYYY-MM-DD date")
        )
    return text


def open_round(store: RoundStore, as_of: str, tables, due: str, note: str, user: str, accounts_file=None, address=""):
    _date(as_of, "--as-of")
    _date(due, "--due")
    tables = tuple(dict.fromkeys(t.strip() for t in tables if t.strip()))
    bad = [t for t in tables if t not in ROUND_TABLES]
    if not tables or bad:
        raise RoundError(
            bilingual(
                f"--tables 只能是 {','.join(ROUND_TABLES)}（收到 {','.join(bad) or '空'}）",
                f"--tables must be among {','.join(ROUND_TABLES)} (got {','.join(bad) or 'none'})",
            )
        )
    current = store.open_round()
    if current is not None:
        raise RoundError(
            bilingual(
                f"轮次 {current.id} 尚未关闭，一次只能有一个填报轮次",
                f"round {current.id} is still open: one at a time",
            )
        )
    if (store.round_dir(as_of) / "round.json").exists():
        raise RoundError(bilingual(f"轮次 {as_of} 已存在", f"round {as_of} exists already"))
    if (store.snapshots_dir / as_of).exists():
        raise RoundError(
            bilingual(
                f"快照 {as_of} 已存在，填报轮次会生成新快照，请换一个日期",
                f"snapshot {as_of} exists: a round makes a new one",
            )
        )
    base = store.base()
    if as_of <= base.as_of:
        raise RoundError(
            bilingual(
                f"轮次日期 {as_of} 应晚于最新快照 {base.as_of}",
                f"the round's as-of {as_of} must follow the newest snapshot {base.as_of}",
            )
        )
    rnd = Round(as_of, tables, due, note, now_text(), user)
    store.save_round(rnd)
    audit_log.record("open", user, rnd.id, accounts_file, address, tables=list(tables), due=due, note=note)
    return rnd


def _submitted_unit(store: RoundStore, rnd: Round, adcode: str, allowed: tuple[str, ...]) -> UnitState:
    if adcode not in set(county_units(store.base(rnd)).unit):
        raise RoundError(
            bilingual(
                f"{adcode} 不是本轮的填报单位（县级区划代码）",
                f"{adcode} is not a unit of this round (a county adcode)",
            )
        )
    state = store.unit(rnd, adcode)
    if state.state not in allowed:
        raise RoundError(
            bilingual(
                f"单位 {adcode} 当前状态为 {state.state}，无法执行此操作",
                f"unit {adcode} is {state.state}: not possible now",
            )
        )
    return state


def new_station_ids(rnd: Round, adcode: str, count: int, taken: set[str]) -> list[str]:
    """Stable ids for a unit's new stations: <adcode>-<as-of digits>-<n>, skipping ids in use."""
    out, n = [], 0
    stem = f"{adcode}-{rnd.as_of.replace('-', '')}-"
    while len(out) < count:
        n += 1
        candidate = f"{stem}{n:03d}"
        if candidate not in taken:
            out.append(candidate)
    return out


def accept(store: RoundStore, adcode: str, user: str, accounts_file=None, address="") -> UnitState:
    rnd = store.current()
    with store.unit_lock(rnd, adcode):
        state = _submitted_unit(store, rnd, adcode, ("submitted",))
        version = state.latest["version"]
        tables = store.version_tables(rnd, adcode, version)
        if "stations" in tables:
            import pyarrow.parquet as pq

            stations = tables["stations"]
            new_rows = stations._row[stations.station_id.isna()].tolist()
            taken = set(
                pq.read_table(store.base(rnd).table_path("stations"), columns=["station_id"]).column(0).to_pylist()
            )
            taken |= set(stations.station_id.dropna())
            state.new_ids = {
                f"{version}:{row}": sid
                for row, sid in zip(new_rows, new_station_ids(rnd, adcode, len(new_rows), taken))
            }
        state.state, state.accepted_version = "accepted", version
        state.accepted_by, state.accepted_at = user, now_text()
        state.reason = ""
        store.save_unit(rnd, state)
    audit_log.record(
        "accept", user, rnd.id, accounts_file, address, unit=adcode, version=version, new_ids=len(state.new_ids)
    )
    return state


def return_unit(store: RoundStore, adcode: str, reason: str, user: str, accounts_file=None, address="") -> UnitState:
    reason = reason.strip()
    if not reason:
        raise RoundError(bilingual("退回需要写明原因（--reason）", "a return needs a reason (--reason)"))
    rnd = store.current()
    with store.unit_lock(rnd, adcode):
        state = _submitted_unit(store, rnd, adcode, ("submitted", "accepted"))
        state.state, state.reason = "returned", reason
        state.returned_by, state.returned_at = user, now_text()
        state.accepted_version, state.new_ids = "", {}
        store.save_unit(rnd, state)
    audit_log.record("return", user, rnd.id, accounts_file, address, unit=adcode, reason=reason)
    return state


def close_round(store: RoundStore, user: str, accounts_file=None, address="") -> Round:
    rnd = store.current()
    closed = Round(**{**rnd.__dict__, "closed_at": now_text(), "closed_by": user})
    store.save_round(closed)
    audit_log.record("close", user, rnd.id, accounts_file, address, published=store.published(rnd) is not None)
    return closed


def status(store: RoundStore, rnd: Round | None = None, timezone: str | None = None) -> pd.DataFrame:
    """One line per unit: unit, name, state, overdue, submitted_at, by, rows (+ city, city_name,
    reason, carried). Overdue: not submitted (not started or returned) after the due date."""
    from uniondash.data.rounds.publish import carried_from

    rnd = rnd or store.current()
    units = county_units(store.base(rnd))
    late = rnd.overdue_on(clock.today(timezone or store.timezone))
    published = store.published(rnd)
    rows = []
    for unit, name, city, city_name in units.itertuples(index=False):
        state = store.unit(rnd, unit)
        latest = state.latest or {}
        rows.append(
            {
                "unit": unit,
                "name": name,
                "state": state.state,
                "overdue": late and state.state in ("not_started", "returned"),
                "submitted_at": latest.get("at", ""),
                "by": latest.get("by", ""),
                "rows": sum(latest.get("rows", {}).values()) if latest else 0,
                "city": city,
                "city_name": city_name,
                "reason": state.reason if state.state == "returned" else "",
                # once published: the snapshot its rows were carried from (沿用), "" when its own
                "carried": (carried_from(published, [unit]) or "") if published is not None else "",
            }
        )
    return pd.DataFrame(rows, columns=[*STATUS_COLUMNS, "city", "city_name", "reason", "carried"])


def city_totals(board: pd.DataFrame) -> pd.DataFrame:
    """Per city: units, and how many are in each state, and overdue."""
    counts = pd.crosstab([board.city, board.city_name], board.state).reindex(
        columns=["not_started", "submitted", "returned", "accepted"], fill_value=0
    )
    counts.insert(0, "units", counts.sum(axis=1))
    counts["overdue"] = board.groupby(["city", "city_name"]).overdue.sum()
    return counts.reset_index()
