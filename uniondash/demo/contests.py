"""Demo competitions and awards for the report's four series, winners spread by county size."""

from __future__ import annotations

import numpy as np
import pandas as pd

from uniondash.demo import words
from uniondash.demo.common import YEARS, rng_for

TIERS = ("一等奖", "二等奖", "三等奖")
SERIES_NAME = {
    "labour_skill": "“建功新时代、奋进新征程”劳动和技能竞赛",
    "skills_contest": "职工职业技能大赛",
    "ankang_cup": "“安康杯”竞赛",
    "five_small": "“五小”创新活动",
}
WINNER_TYPES = {  # by series: (types, probabilities)
    "labour_skill": (("unit", "team", "person"), (0.35, 0.35, 0.30)),
    "skills_contest": (("person",), (1.0,)),
    "ankang_cup": (("unit", "team"), (0.5, 0.5)),
    "five_small": (("person", "team"), (0.6, 0.4)),
}
TEAM_SUFFIX = ("班组", "车间", "项目部", "创新团队")


def _person(rng) -> str:
    given = "".join(rng.choice(words.GIVEN, size=int(rng.integers(1, 3))))
    return str(rng.choice(words.SURNAMES)) + given


def _winner_name(rng, kind: str, employer: str) -> str:
    if kind == "person":
        return _person(rng)
    return employer + str(rng.choice(TEAM_SUFFIX)) if kind == "team" else employer


def _honour(rng, kind: str, tier: str, level: str, series: str, year: int) -> str | None:
    """An honour for some person winners (the random draws in the order the demo has always made them)."""
    if kind != "person":
        return None
    if tier == "一等奖" and level == "region" and series == "skills_contest":
        return "技术能手"
    if tier != "三等奖" and level in ("region", "city") and rng.random() < 0.45:
        return str(rng.choice(["五一劳动奖章", "荆楚工匠"], p=[0.55, 0.45]))
    if tier != "三等奖" and year in (2020, 2023) and rng.random() < 0.08:
        return "劳动模范"
    return None


def _benefit(rng, series: str, kind: str) -> float | None:
    if series == "five_small":
        return round(float(rng.lognormal(np.log(45), 0.9)), 1)
    if series == "labour_skill" and kind == "unit":
        return round(float(rng.lognormal(np.log(260), 0.8)), 1)
    return None


def build_competitions(geo, counties: pd.DataFrame, seed: int, scale: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All years' competitions and results (each snapshot keeps the rows up to its year)."""
    rng = rng_for(seed, "competitions")
    region = geo.region_adcode
    scope_word = "全省" if geo.regions.iloc[0].level == "province" else "全市"
    cities = geo.regions[geo.regions.level == "city"]
    emp = np.stack(counties.employees.to_numpy())[:, -1].astype(float)
    employers = {
        a: [
            f"{cn[:-1] if len(cn) > 2 else cn}{ind}{suf}"
            for ind, suf in zip(rng.choice(words.INDUSTRY, 12, replace=False), rng.choice(words.COMPANY_SUFFIX, 12))
        ]
        for a, cn in zip(counties.adcode, counties["name"])
    }
    comps, results = [], []

    def winners_in(scope_mask: np.ndarray, n: int) -> np.ndarray:
        w = emp * scope_mask
        return rng.choice(len(counties), size=n, p=w / w.sum())

    def add(year, series, level, host, trade, participants, mask, base_awards):
        cid = f"C{year}{len(comps) + 1:05d}"
        comps.append(
            dict(
                competition_id=cid,
                series=series,
                year=year,
                level=level,
                trade=trade,
                participants=int(participants),
                adcode=host,
                name=f"{year}年{scope_word if level == 'region' else ''}{SERIES_NAME[series]}"
                + (f"（{trade}）" if trade else ""),
            )
        )
        types, p = WINNER_TYPES[series]
        for t_i, tier in enumerate(TIERS):
            n = max(1, int(round(base_awards * (t_i + 1) * scale)))
            where = winners_in(mask, n)
            kinds = rng.choice(types, size=n, p=p)
            for ci, kind in zip(where, kinds):
                adcode = counties.adcode.iat[ci]
                employer = employers[adcode][min(int(rng.zipf(1.6)) - 1, 11)]
                name = _winner_name(rng, kind, employer)
                honour = _honour(rng, kind, tier, level, series, year)
                benefit = _benefit(rng, series, kind)
                results.append(
                    dict(
                        result_id=f"{cid}-{len(results) + 1:06d}",
                        competition_id=cid,
                        award_tier=tier,
                        winner_type=str(kind),
                        winner_name=name,
                        employer=employer,
                        adcode=adcode,
                        honour=honour,
                        benefit_10k_yuan=benefit,
                    )
                )

    for year in YEARS:
        _one_year(add, rng, year, region, cities, counties)
    return pd.DataFrame(comps), pd.DataFrame(results)


def _one_year(add, rng, year: int, region: str, cities: pd.DataFrame, counties: pd.DataFrame) -> None:
    """One year's competitions at every level, through add() (the draws in the demo's fixed order)."""
    everywhere = np.ones(len(counties))
    growth = 1 + 0.12 * (year - YEARS[0])
    for trade in rng.choice(words.TRADES, size=8, replace=False):
        add(year, "skills_contest", "region", region, str(trade), rng.integers(300, 1500) * growth, everywhere, 1)
    for _ in range(3):
        add(year, "labour_skill", "region", region, None, rng.integers(2000, 8000) * growth, everywhere, 3)
    add(year, "ankang_cup", "region", region, None, rng.integers(3000, 9000) * growth, everywhere, 4)
    add(year, "five_small", "region", region, None, rng.integers(1500, 5000) * growth, everywhere, 4)
    for city in cities.adcode:
        mask = (counties.parent_adcode == city).to_numpy().astype(float)
        add(year, "labour_skill", "city", city, None, rng.integers(300, 2000) * growth, mask, 1)
        add(year, "ankang_cup", "city", city, None, rng.integers(300, 2500) * growth, mask, 1)
        if rng.random() < 0.7:
            add(
                year,
                "skills_contest",
                "city",
                city,
                str(rng.choice(words.TRADES)),
                rng.integers(80, 600) * growth,
                mask,
                1,
            )
        if rng.random() < 0.6:
            add(year, "five_small", "city", city, None, rng.integers(200, 1500) * growth, mask, 1)
    for i, county in enumerate(counties.adcode):
        if rng.random() < 0.25:
            mask = np.zeros(len(counties))
            mask[i] = 1
            add(year, "labour_skill", "county", county, None, rng.integers(50, 500) * growth, mask, 1)
