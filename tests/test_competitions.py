"""Competitions: medal tables and per-capita figures against the hand-made fixture."""

from __future__ import annotations

import pandas as pd
import pytest

from uniondash.access.data_scope import mask_person, masked_names
from uniondash.analysis.medals import city_medals, per_10k

COUNTIES = ("990101", "990102", "990201")
PARENTS = {"990101": "990100", "990102": "990100", "990201": "990200"}


def test_medal_table_2023(fixture_wh):
    t = fixture_wh.run("medal_table", as_of="2023-12-31", year=2023, counties=COUNTIES).set_index("adcode")
    # R1 一等奖 甲一区 (技术能手); R2 二等奖 乙一县 (荆楚工匠); R3 一等奖 甲二县. R4 is 2022.
    assert t.loc["990101", ["first_prizes", "second_prizes", "awards", "honours"]].tolist() == [1, 0, 1, 1]
    assert t.loc["990102", ["first_prizes", "awards", "honours"]].tolist() == [1, 1, 0]
    assert t.loc["990201", ["first_prizes", "second_prizes", "awards"]].tolist() == [0, 1, 1]
    every = fixture_wh.run("medal_table", as_of="2023-12-31", year=0, counties=COUNTIES).set_index("adcode")
    assert every.loc["990201", "first_prizes"] == 1
    assert every.awards.sum() == 4


def test_city_medals_and_per_10k(fixture_wh):
    t = fixture_wh.run("medal_table", as_of="2023-12-31", year=2023, counties=COUNTIES)
    cities = city_medals(t, PARENTS).set_index("adcode")
    assert cities.loc["990100", ["first_prizes", "awards"]].tolist() == [2, 2]
    assert cities.loc["990200", ["second_prizes", "awards"]].tolist() == [1, 1]
    per = per_10k(cities.reset_index(), {"990100": 1400, "990200": 100}).set_index("adcode")
    assert per.loc["990100", "awards"] == pytest.approx(2 / 1400 * 10_000)
    assert per.loc["990200", "awards"] == pytest.approx(1 / 100 * 10_000)


def test_search_and_masking(fixture_wh):
    found = fixture_wh.run(
        "results_search", as_of="2023-12-31", year=0, counties=COUNTIES, search="电厂", search_names=True, max_rows=50
    )
    assert list(found.winner_name) == ["李四"]
    assert mask_person("李四") == "李*"
    assert mask_person("欧阳娜娜") == "欧***"
    df = pd.DataFrame({"winner_name": ["张三", "某厂"], "winner_type": ["person", "unit"]})
    assert list(masked_names(df)) == ["张*", "某厂"]


def test_trades_employers_participation(fixture_wh):
    trades = fixture_wh.run("top_trades", as_of="2023-12-31", year=2023, counties=COUNTIES)
    assert list(zip(trades.trade, trades.awards)) == [("焊工", 2)]  # R1 and R2 in the 焊工 contest
    part = fixture_wh.run(
        "competition_participation",
        as_of="2023-12-31",
        units=("990000", "990100", "990101", "990102", "990200", "990201"),
    )
    assert part.set_index(["year", "series"]).participants.to_dict() == {
        (2022, "ankang_cup"): 10,
        (2023, "ankang_cup"): 40,
        (2023, "skills_contest"): 100,
    }
    benefit = fixture_wh.run("innovation_benefit", as_of="2023-12-31", counties=COUNTIES)
    assert benefit.benefit_10k_yuan.sum() == 12.5
