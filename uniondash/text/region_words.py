"""The words for "the whole of the region", taken from the region's own level.

A province's federation says 全省, a city federation 全市, and 全区 belongs only to a district (or
an autonomous region, 自治区). The level comes from the adcode (xx0000 province level, xxyy00 city
level, else county level); the organisation's name refines the word within a level (恩施州总工会
says 全州, a county-level city's 市总工会 says 全市). English says "the whole province" and so on.

`fields(adcode, org_name)` gives the placeholders the catalogue fills in every string
(uniondash.text.i18n.t): {whole} 全省 / whole province, {Whole} 全省 / Whole province, {level}
省 / province, {Level} 省 / Province."""

from __future__ import annotations

# province-level codes that are not provinces: the four municipalities and the five autonomous regions
MUNICIPALITIES = ("11", "12", "31", "50")
AUTONOMOUS_REGIONS = ("15", "45", "54", "64", "65")
SPECIAL_REGIONS = ("81", "82")

# (zh level word, en level word) by what the organisation's name says, within a level
CITY_LEVEL = (
    ("自治州", "州", "prefecture"),
    ("州", "州", "prefecture"),
    ("地区", "地区", "prefecture"),
    ("盟", "盟", "league"),
)
COUNTY_LEVEL = (
    ("自治县", "县", "county"),
    ("县", "县", "county"),
    ("自治旗", "旗", "banner"),
    ("旗", "旗", "banner"),
    ("市", "市", "city"),
    ("区", "区", "district"),
)


def level_words(adcode: str, org_name: str = "") -> tuple[str, str]:
    """(zh, en) level word of the region: ("省", "province"), ("市", "city"), ("区", "district")…"""
    name = org_name.replace("总工会", "").strip()
    province, city = adcode[:2], adcode[2:4]
    if adcode.endswith("0000"):
        if province in MUNICIPALITIES:
            return "市", "city"
        if province in AUTONOMOUS_REGIONS or province in SPECIAL_REGIONS:
            return "区", "region"
        return "省", "province"
    if adcode.endswith("00") and city != "00":
        for suffix, zh, en in CITY_LEVEL:
            if name.endswith(suffix):
                return zh, en
        return "市", "city"
    for suffix, zh, en in COUNTY_LEVEL:
        if name.endswith(suffix):
            return zh, en
    return "区", "district"


def fields(adcode: str, org_name: str = "") -> dict[str, dict[str, str]]:
    """{lang: {whole, Whole, level, Level}} for the catalogue's placeholders."""
    zh, en = level_words(adcode, org_name)
    return {
        "zh": {"whole": f"全{zh}", "Whole": f"全{zh}", "level": zh, "Level": zh},
        "en": {"whole": f"whole {en}", "Whole": f"Whole {en}", "level": en, "Level": en.capitalize()},
    }
