"""Charts: nothing dropped to fit, and every thing keeps its product colour on every chart."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from streamlit.testing.v1 import AppTest

from uniondash.render.charts import MAX_LINES, grouped_bars, legend_rows, trend_lines
from uniondash.render.palette import SERIES_COLOURS, unit_styles

ROOT = Path(__file__).resolve().parent.parent


def values(y) -> list[float]:
    """A trace's numbers: Plotly 6 sends arrays as base64 typed arrays ({dtype, bdata})."""
    if isinstance(y, dict):
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"])).tolist()
    return list(y)


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


@pytest.fixture
def demo_app(demo_dir, monkeypatch):
    monkeypatch.setenv("UNIONDASH_DATA", str(demo_dir))

    def make(page: str, **params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        at.switch_page(f"app_pages/{page}.py")
        for key, value in params.items():
            at.query_params[key] = value
        return at.run()

    return make


def test_county_trend_at_city_scope_shows_all_counties(demo_app, demo_wh):
    """Wuhan has 13 counties: the old chart stopped at 12 (新洲区 missing)."""
    at = demo_app("coverage", city="420100")
    assert not at.exception
    trend = next(f for f in figures(at) if "五年趋势" in f["layout"]["title"]["text"])
    heat = trend["data"][0]
    shown = dict(zip(trend["layout"]["yaxis"]["ticktext"], heat["z"]))
    wuhan = demo_wh.con.execute("""
        select r.name, c.as_of, c.legal_units_unionised / c.legal_units as rate
        from coverage c join regions r on r.adcode = c.adcode and r.as_of = c.as_of and r.level = 'county'
        where r.parent_adcode = '420100' order by r.name, c.as_of
    """).df()
    assert len(wuhan.name.unique()) == 13
    assert set(shown) == set(wuhan.name)
    xinzhou = wuhan[wuhan.name == "新洲区"].rate.tolist()
    assert shown["新洲区"] == pytest.approx(xinzhou)
    assert "全部 13 个" in trend["layout"]["title"]["text"]  # says what is shown


def test_competition_series_keep_their_colour_on_both_charts(demo_app):
    """Participation lines and benefit bars: 安康杯 is green (#009E73) on both; the lines were
    coloured by the query's alphabetical order (安康杯 came first and was drawn blue)."""
    at = demo_app("competitions")
    assert not at.exception
    colours: dict[str, set[str]] = {}
    for fig in figures(at)[:2]:
        for tr in fig["data"]:
            colour = tr.get("line", {}).get("color") or tr.get("marker", {}).get("color")
            colours.setdefault(tr["name"], set()).add(colour)
    assert colours["安康杯"] == {SERIES_COLOURS["ankang_cup"]}
    assert colours["劳动和技能竞赛"] == {SERIES_COLOURS["labour_skill"]}
    assert colours["五小"] == {SERIES_COLOURS["five_small"]} or "五小" not in colours


def _trend(keys: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"as_of": f"{y}-12-31", "key": k, "name": f"u{k}", "value": 0.1 * i + y / 1e4}
            for i, k in enumerate(keys)
            for y in (2022, 2023)
        ]
    )


def test_a_city_keeps_its_colour_whatever_the_scope_shows():
    cities = [(f"42{i:02d}00", "420000") for i in range(1, 18)]
    styles = unit_styles(cities)
    assert len({(s.colour, s.dash) for s in styles.values()}) == 17  # 17 cities, 17 distinct styles
    few = trend_lines(_trend(["420300", "420100"]), "t", "y", True, styles)
    other = trend_lines(_trend(["420500", "420300", "420900"]), "t", "y", True, styles)
    colour = {fig_tr.name: fig_tr.line.color for fig in (few, other) for fig_tr in fig.data if fig_tr.name == "u420300"}
    assert colour == {"u420300": styles["420300"].colour}
    assert few.data[1].line.color == "#0072B2"  # 420100, the region's first city, though drawn second


def test_many_groups_become_one_table_with_every_value():
    keys = [str(i) for i in range(MAX_LINES + 7)]
    fig = trend_lines(_trend(keys), "t", "y", True)
    assert len(fig.data) == 1  # one trace on one pair of axes
    assert fig.data[0].type == "heatmap"
    heat = fig.data[0]
    assert list(fig.layout.yaxis.ticktext) == [f"u{k}" for k in keys]  # a row per group, in order
    assert list(heat.x) == ["2022", "2023"]
    # group i's values are 0.1 * i + year / 1e4 (_trend): every one written in its cell
    assert [list(r) for r in heat.z][3] == pytest.approx([0.3 + 0.2022, 0.3 + 0.2023])
    assert list(heat.text[3]) == ["50.2%", "50.2%"]
    assert list(heat.text[0]) == ["20.2%", "20.2%"]
    assert heat.hovertext[12][1] == "u12 2023: 140.2%"


def test_the_heat_table_reads_at_11px_or_more_and_marks_a_gap():
    keys = [str(i) for i in range(MAX_LINES + 1)]
    df = _trend(keys)
    df.loc[(df.key == "2") & (df.as_of == "2022-12-31"), "value"] = float("nan")
    fig = trend_lines(df.assign(value=df.value * 10_000), "t", "y", False)
    heat = fig.data[0]
    assert list(heat.text[2]) == ["—", "4,023"]  # no value: a dash, not a colour; (0.2 + 0.2023) × 10,000
    assert heat.z[2][0] is None
    assert list(heat.text[1]) == ["3,022", "3,023"]  # counts with thousands separators
    sizes = [heat.textfont.size, fig.layout.xaxis.tickfont.size, fig.layout.yaxis.tickfont.size]
    assert min(sizes) >= 11
    assert "全部 7 个" in fig.layout.title.text


def test_two_units_of_one_name_keep_two_rows():
    df = _trend(["a", "b", "c", "d", "e", "f", "g"]).replace({"name": {"ub": "同名", "uc": "同名"}})
    fig = trend_lines(df, "t", "y", True)
    assert len(fig.data[0].z) == 7
    assert list(fig.layout.yaxis.ticktext).count("同名") == 2


def test_legends_sit_above_the_plot_never_over_an_axis():
    for fig in (
        trend_lines(_trend(["a", "b", "c"]), "t", "y", True),
        grouped_bars(pd.DataFrame({"label": ["2023"], "x": [1], "y": [2]}), "t", "y", {"x": "X", "y": "Y"}),
    ):
        legend_top_px = (1 - fig.layout.legend.y) * fig.layout.height
        assert fig.layout.legend.yref == "container"
        assert fig.layout.legend.yanchor == "top"
        assert legend_top_px >= 30  # below the title
        assert fig.layout.margin.t >= legend_top_px + 21  # the plot starts below the legend's row


def test_long_english_legends_get_the_rows_they_need():
    names = ["Labour and skill competitions", "Vocational skills contest", "Ankang Cup", "Five-small innovation"]
    assert legend_rows(names) == 4  # 360 px: one of these names a row (Plotly aligns entries in columns)
    assert legend_rows(["劳动和技能竞赛", "职工职业技能大赛", "安康杯", "五小"]) == 2
    fig = trend_lines(pd.DataFrame({"as_of": ["2023"] * 4, "name": names, "value": [1, 2, 3, 4]}), "t", "y", False)
    assert fig.layout.margin.t >= 38 + 21 * legend_rows(names)


def test_a_title_too_wide_for_a_phone_goes_on_two_lines():
    from uniondash.render.charts import base_layout, wrap_title

    long_en = "Union membership rate of new-employment-form workers: top 5 and bottom 5 counties"
    assert wrap_title(long_en) == "Union membership rate of new-employment-form<br>workers: top 5 and bottom 5 counties"
    # a Chinese title that fits a phone (drawn 320 px wide at 390) stays on one line
    fits = "新就业形态劳动者入会率：前 5 名与后 5 名县级单位"
    assert wrap_title(fits) == fits
    # after the colon when the part before it fits
    assert wrap_title("Union founding rate by county: 2023 compared with 2022 and the target") == (
        "Union founding rate by county:<br>2023 compared with 2022 and the target"
    )
    # only the first line is measured; a note under it stays where it was
    assert wrap_title("Short<br><span>a very long note " + "x" * 80 + "</span>").startswith("Short<br>")
    fig = base_layout(go.Figure(), long_en, height=300)
    assert fig.layout.height == 320  # the second line's 20 px added to the chart, not taken from the plot
    assert fig.layout.margin.t == 68
