"""Formatting, scope resolution and URL state, each against hand-worked answers."""

from __future__ import annotations

from fixtures import _regions

from uniondash.metrics.scope import resolve_scope
from uniondash.render.palette import BAD, GOOD, NEUTRAL, change_colour
from uniondash.text import fmt
from uniondash.text.i18n import strings, t
from uniondash.ui.urlstate import seed_from_url, url_values, write_to_url


def test_chinese_numbers():
    assert fmt.number(8246) == "8,246"
    assert fmt.number(2_402_385) == "240.2万"
    assert fmt.number(2_400_000) == "240万"
    assert fmt.number(123_456_789) == "1.23亿"
    assert fmt.number(None) == "—"
    assert fmt.number(2_402_385, "en") == "2.4M"
    assert fmt.percent(0.76875) == "76.9%"
    assert fmt.delta(-0.0123, True, "zh") == "-1.2个百分点"
    assert fmt.delta(120, False, "zh") == "+120"


def test_change_colour_follows_direction():
    assert change_colour(5, "up") == GOOD
    assert change_colour(-5, "up") == BAD
    assert change_colour(5, "down") == BAD
    assert change_colour(0, "up") == NEUTRAL
    assert change_colour(5, "none") == NEUTRAL


def test_every_string_has_both_languages():
    for key, entry in strings().items():
        assert entry.get("zh"), key
        assert entry.get("en"), key
    assert t("scope.n_counties", "en", n=3) == "3 counties"


def test_scope_resolution():
    r = _regions()
    whole = resolve_scope(r, "990000")
    assert whole.is_region
    assert whole.counties == ("990101", "990102", "990201")
    city = resolve_scope(r, "990000", cities=["990100"])
    assert city.counties == ("990101", "990102")
    assert city.units == ("990100", "990101", "990102")
    county = resolve_scope(r, "990000", cities=["990100"], counties=["990102", "990201"])
    assert county.counties == ("990102",)  # 乙一县 is not in 甲市: dropped
    unknown = resolve_scope(r, "990000", cities=["123456"])
    assert unknown.is_region


class Params(dict):
    """A stand-in for st.query_params: repeated keys as lists."""

    def get_all(self, key):
        v = super().get(key, [])
        return v if isinstance(v, list) else [v]


def test_url_seeds_state_once_and_drops_invalid_values():
    state = {}
    params = Params(snapshot="2022-12-31", county=["990101", "bogus"], lang="en", compare="1999-01-01")
    seed_from_url(state, params, ["2022-12-31", "2023-12-31"], ["990100"], ["990101"])
    assert state["snapshot"] == "2022-12-31"
    assert state["county"] == ["990101"]
    assert state["lang"] == "en"
    assert "compare" not in state
    seed_from_url(state, Params(snapshot="2023-12-31"), ["2022-12-31", "2023-12-31"], [], [])
    assert state["snapshot"] == "2022-12-31"  # only the first run reads the URL


def test_state_written_back_without_defaults():
    state = {"lang": "zh", "snapshot": "2023-12-31", "compare": "auto", "city": ["990100"], "county": []}
    values = url_values(state, latest="2023-12-31")
    assert values == {"city": ["990100"]}
    params = Params(county="990101", other="keep")
    write_to_url(params, values, ("snapshot", "compare", "city", "county", "lang"))
    assert params == {"city": ["990100"], "other": "keep"}
