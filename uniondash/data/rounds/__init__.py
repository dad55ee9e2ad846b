"""Collection rounds (数据填报): open, submit per unit, review, accept or return, publish.

The provincial office opens a round, each county's filler submits their units' rows, the office
reviews, accepts or returns them, and publishes one new snapshot.

model (the round and its units on disk), submit (an upload → a submission per unit), review (what
it changes, and the unit's KPIs before → after), ops (open, accept, return, close, the status
board), publish (the snapshot), workbook (the prefilled workbooks), cli (python -m uniondash round).
"""

from uniondash.data.rounds.model import ROUND_TABLES, STATES, Round, RoundError, RoundStore, UnitState
from uniondash.data.rounds.ops import accept, city_totals, close_round, open_round, return_unit, status
from uniondash.data.rounds.publish import PublishResult, carried_from, carried_units, publish
from uniondash.data.rounds.review import Review, review
from uniondash.data.rounds.submit import SubmitResult, submit

__all__ = [
    "ROUND_TABLES",
    "STATES",
    "PublishResult",
    "Review",
    "Round",
    "RoundError",
    "RoundStore",
    "SubmitResult",
    "UnitState",
    "accept",
    "carried_from",
    "carried_units",
    "city_totals",
    "close_round",
    "open_round",
    "publish",
    "return_unit",
    "review",
    "status",
    "submit",
]
