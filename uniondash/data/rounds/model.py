"""A collection round on disk: the round itself, its units and each unit's submissions.

Layout, beside the snapshots (`<data>/rounds/<as_of>/`):

    round.json                 as-of (the round's id), tables, due date, note, who opened it, closed
    units/<adcode>.json        the unit's state: not_started | submitted | returned | accepted, its
                               versions (when, by whom, files, rows), the reason it was returned
    units/<adcode>/<version>/  one folder per submission: <table>.parquet (the unit's rows, typed)

Every file is written beside itself and renamed into place (os.replace), one unit at a time under
that unit's lock, so fillers submitting at the same moment all land and a reader never sees half a
file. A submission is pending data, never a snapshot: only publishing makes one."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from uniondash import clock
from uniondash.data.snapshots import Snapshot, is_as_of, list_snapshots
from uniondash.errors import UserFacingError

ROUND_TABLES = ("stations", "coverage", "nef_membership")  # per-county tables: a unit is a county
STATES = ("not_started", "submitted", "returned", "accepted")
ROUNDS_DIR = "rounds"


class RoundError(UserFacingError):
    """A round command that cannot be done as asked (no open round, a unit outside it …)."""


def bilingual(zh: str, en: str) -> str:
    return f"{zh} / {en}"


@dataclass(frozen=True)
class Round:
    as_of: str  # the round's id
    tables: tuple[str, ...]
    due: str  # YYYY-MM-DD, the last day to submit (in the region's zone)
    note: str = ""
    opened_at: str = ""
    opened_by: str = ""
    closed_at: str = ""
    closed_by: str = ""

    @property
    def id(self) -> str:
        return self.as_of

    @property
    def is_open(self) -> bool:
        return not self.closed_at

    def overdue_on(self, today: dt.date) -> bool:
        return today > dt.date.fromisoformat(self.due)


@dataclass
class UnitState:
    """One unit's submissions in a round; `versions` oldest first, every one kept."""

    adcode: str
    state: str = "not_started"
    versions: list[dict] = field(default_factory=list)
    reason: str = ""  # why it was returned (shown to the filler)
    returned_by: str = ""
    returned_at: str = ""
    accepted_by: str = ""
    accepted_at: str = ""
    accepted_version: str = ""
    new_ids: dict[str, str] = field(default_factory=dict)  # "<version>:<row>" → the id given on accept

    @property
    def latest(self) -> dict | None:
        return self.versions[-1] if self.versions else None

    def to_json(self) -> dict:
        return {
            "adcode": self.adcode,
            "state": self.state,
            "versions": self.versions,
            "reason": self.reason,
            "returned_by": self.returned_by,
            "returned_at": self.returned_at,
            "accepted_by": self.accepted_by,
            "accepted_at": self.accepted_at,
            "accepted_version": self.accepted_version,
            "new_ids": self.new_ids,
        }

    @classmethod
    def from_json(cls, data: dict) -> UnitState:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def write_json_atomic(path: Path, data: dict) -> None:
    """The file is complete or absent: written beside itself, flushed, renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def now_text() -> str:
    return clock.utc_now().isoformat(timespec="seconds")


class RoundStore:
    """The rounds of one data folder."""

    def __init__(self, data_dir: Path, timezone: str = clock.REGION_TZ):
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / ROUNDS_DIR
        self.snapshots_dir = self.data_dir / "snapshots"
        self.timezone = timezone
        self._verified: tuple[tuple, list[Snapshot]] | None = None

    # -- rounds ---------------------------------------------------------------------------------
    def round_dir(self, as_of: str) -> Path:
        if not is_as_of(as_of):
            raise RoundError(bilingual(f"轮次编号 {as_of!r} 不是日期", f"round id {as_of!r} is not a date"))
        return self.root / as_of

    def rounds(self) -> list[Round]:
        if not self.root.is_dir():
            return []
        out = []
        for path in sorted(self.root.iterdir()):
            if is_as_of(path.name) and (path / "round.json").is_file():
                out.append(self._read_round(path / "round.json"))
        return out

    def _read_round(self, path: Path) -> Round:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Round(**{**data, "tables": tuple(data["tables"])})

    def open_round(self) -> Round | None:
        """The one open round, or None."""
        found = [r for r in self.rounds() if r.is_open]
        return found[-1] if found else None

    def current(self) -> Round:
        found = self.open_round()
        if found is None:
            raise RoundError(bilingual("没有正在进行的填报轮次", "no collection round is open"))
        return found

    def save_round(self, rnd: Round) -> None:
        data = {**rnd.__dict__, "tables": list(rnd.tables)}
        write_json_atomic(self.round_dir(rnd.as_of) / "round.json", data)

    # -- units ----------------------------------------------------------------------------------
    def unit_file(self, rnd: Round, adcode: str) -> Path:
        return self.round_dir(rnd.as_of) / "units" / f"{adcode}.json"

    def unit(self, rnd: Round, adcode: str) -> UnitState:
        path = self.unit_file(rnd, adcode)
        if not path.is_file():
            return UnitState(adcode)
        return UnitState.from_json(json.loads(path.read_text(encoding="utf-8")))

    def save_unit(self, rnd: Round, unit: UnitState) -> None:
        write_json_atomic(self.unit_file(rnd, unit.adcode), unit.to_json())

    @contextlib.contextmanager
    def unit_lock(self, rnd: Round, adcode: str):
        """One writer per unit at a time (another unit's writer never waits)."""
        path = self.round_dir(rnd.as_of) / "units" / f".{adcode}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)

    def version_dir(self, rnd: Round, adcode: str, version: str) -> Path:
        return self.round_dir(rnd.as_of) / "units" / adcode / version

    def version_tables(self, rnd: Round, adcode: str, version: str) -> dict[str, pd.DataFrame]:
        folder = self.version_dir(rnd, adcode, version)
        return {p.stem: pq.read_table(p).to_pandas() for p in sorted(folder.glob("*.parquet"))}

    # -- the snapshot a round builds on ---------------------------------------------------------
    def good_snapshots(self) -> list[Snapshot]:
        """The verified snapshots (checksums and cheap data checks), verified again only when the
        folder's snapshots change (names and manifest times): a review or a publish verifies once."""
        folders = sorted(self.snapshots_dir.glob("[0-9]*/manifest.json")) if self.snapshots_dir.is_dir() else []
        key = tuple((p.parent.name, p.stat().st_mtime_ns) for p in folders)
        if self._verified is None or self._verified[0] != key:
            found = list_snapshots(self.snapshots_dir, verify=True, tz=self.timezone)
            self._verified = (key, [s for s in found if s.ok])
        return self._verified[1]

    def base(self, rnd: Round | None = None) -> Snapshot:
        """The newest good snapshot (other than the one this round published)."""
        good = list(self.good_snapshots())
        if rnd is not None:
            good = [s for s in good if (s.manifest.get("round") or {}).get("id") != rnd.id]
        if not good:
            raise RoundError(bilingual("没有可用的快照", "no usable snapshot"))
        return good[-1]

    def published(self, rnd: Round) -> Snapshot | None:
        """The snapshot this round published, if it did (read from the snapshot, so that a publish
        killed after its rename still counts and one killed before it does not)."""
        path = self.snapshots_dir / rnd.as_of
        if not (path / "manifest.json").is_file():
            return None
        for snap in list_snapshots(self.snapshots_dir, verify=False, tz=self.timezone, data_checks=False):
            if snap.as_of == rnd.as_of and (snap.manifest.get("round") or {}).get("id") == rnd.id:
                return snap
        return None
