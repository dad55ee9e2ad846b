"""Competitions (/competitions): the four series over five years, medal tables by county and
city (per 10,000 employees as an option), trades, employers, innovation benefit, honours and
studios, and a search of the awards. People's names only for signed-in users."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from uniondash.analysis.medals import city_medals, per_10k
from uniondash.analysis.overview import county_values
from uniondash.data.schema import COMPETITION_SERIES
from uniondash.metrics.kpis import load_catalogue
from uniondash.render.charts import grouped_bars, trend_lines
from uniondash.render.theme import SERIES_COLOURS
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.navigation import narrow_to_county
from uniondash.ui.parts import awards_table, demo_banner, export_buttons, names_visible, region_names, scope_caption
from uniondash.ui.present.agenda import page_tools
from uniondash.ui.share import chart_config
from uniondash.ui.urlstate import Param, seed_page, write_page
from uniondash.ui.view import current_view

view = current_view()
page_tools(view, "competitions")  # sidebar: copy link, add this view to the deck, briefing
lang = view.lang
ss = st.session_state
names = region_names(view)
regions = view.regions()
counties = regions[regions.level == "county"]
parents = dict(zip(counties.adcode, counties.parent_adcode))
years = list(range(int(view.snapshot[:4]), 2018, -1))
PARAMS = [Param("year", "int", years[0], lo=0, hi=2100), Param("per10k", "bool", False), Param("who", "str_free", "")]
seed_page(ss, st.query_params, PARAMS, "competitions")
if ss["year"] not in [0, *years]:
    ss["year"] = years[0]

st.title(t("comp.title", lang))
demo_banner(view)
st.caption(scope_caption(view))
left, right, _ = st.columns([1, 1, 2], vertical_alignment="bottom")
left.selectbox(
    t("comp.year", lang), [*years, 0], key="year", format_func=lambda y: t("comp.all_years", lang) if y == 0 else str(y)
)
right.toggle(t("comp.per_10k", lang), key="per10k")
write_page(st.query_params, ss, PARAMS)
year = int(ss["year"])
scope_counties = view.scope.counties

participation = view.query("competition_participation", as_of=view.snapshot, units=view.scope.units)
part_col, benefit_col = st.columns(2, gap="large")
with part_col:
    long = participation.assign(
        name=[t(f"series.{s}", lang) for s in participation.series],
        as_of=participation.year.astype(str),
        value=participation.participants,
    )
    colours = [SERIES_COLOURS[s] for s in COMPETITION_SERIES if s in set(participation.series)]
    st.plotly_chart(
        trend_lines(long, t("comp.participation", lang), t("comp.participants", lang), False, colours),
        config=chart_config("competitions"),
    )
    st.caption(scope_caption(view))
with benefit_col:
    benefit = view.query("innovation_benefit", as_of=view.snapshot, counties=scope_counties)
    wide = benefit.pivot_table(index="year", columns="series", values="benefit_10k_yuan", aggfunc="sum").fillna(0)
    wide = wide.reset_index().assign(label=lambda d: d.year.astype(str))
    series = {s: t(f"series.{s}", lang) for s in COMPETITION_SERIES if s in wide.columns}
    st.plotly_chart(
        grouped_bars(wide, t("comp.benefit", lang), t("col.benefit", lang), series), config=chart_config("competitions")
    )
    st.caption(scope_caption(view))

medals = view.query("medal_table", as_of=view.snapshot, year=year, counties=scope_counties)
employees = dict(zip(regions.adcode, regions.employees))
tier_names = {
    "first_prizes": t("col.first", lang),
    "second_prizes": t("col.second", lang),
    "third_prizes": t("col.third", lang),
    "awards": t("col.awards", lang),
    "honours": t("col.honours", lang),
}


def shown_medals(table: pd.DataFrame, label: str) -> pd.DataFrame:
    table = per_10k(table, employees) if ss["per10k"] else table
    out = pd.DataFrame({label: table.adcode.map(names)})
    for col, name in tier_names.items():
        out[name] = table[col].round(2) if ss["per10k"] else table[col]
    return out


def filter_to_county() -> None:
    rows = ss["medal_table"].selection.get("rows")
    if rows:
        narrow_to_county(ss, ss["_medal_order"][rows[0]])


county_col, city_col = st.columns([3, 2], gap="large")
with county_col:
    st.subheader(t("comp.medals_county", lang))
    if not medals.awards.sum():
        st.info(t("comp.none", lang))
    else:
        st.markdown(
            t(
                "comp.summary",
                lang,
                first=int(medals.first_prizes.sum()),
                second=int(medals.second_prizes.sum()),
                third=int(medals.third_prizes.sum()),
                total=int(medals.awards.sum()),
            )
        )
    ss["_medal_order"] = list(medals.adcode)
    county_table = shown_medals(medals, t("col.county", lang))
    st.dataframe(
        county_table,
        hide_index=True,
        height=360,
        key="medal_table",
        on_select=filter_to_county,
        selection_mode="single-row",
    )
    st.caption(t("comp.click_county", lang))
    export_buttons(county_table, f"medals-county-{year or 'all'}", lang, "medals_county")
with city_col:
    st.subheader(t("comp.medals_city", lang))
    city_table = shown_medals(city_medals(medals, parents), t("col.city", lang))
    st.dataframe(city_table, hide_index=True, height=min(360, 35 * (len(city_table) + 1) + 3))
    export_buttons(city_table, f"medals-city-{year or 'all'}", lang, "medals_city")

trade_col, employer_col, honour_col = st.columns(3, gap="large")
with trade_col:
    st.subheader(t("comp.trades", lang))
    trades = view.query("top_trades", as_of=view.snapshot, year=year, counties=scope_counties).head(10)
    trade_table = pd.DataFrame(
        {
            t("col.trade", lang): trades.trade,
            t("col.awards", lang): trades.awards,
            t("col.first", lang): trades.first_prizes,
        }
    )
    st.dataframe(trade_table, hide_index=True)
    export_buttons(trade_table, f"trades-{year or 'all'}", lang, "trades")
with employer_col:
    st.subheader(t("comp.employers", lang))
    employers = view.query("top_employers", as_of=view.snapshot, year=year, counties=scope_counties).head(10)
    employer_table = pd.DataFrame(
        {
            t("col.employer", lang): employers.employer,
            t("col.county", lang): employers.adcode.map(names),
            t("col.awards", lang): employers.awards,
            t("col.benefit", lang): employers.benefit_10k_yuan.round(1),
        }
    )
    st.dataframe(employer_table, hide_index=True)
    export_buttons(employer_table, f"employers-{year or 'all'}", lang, "employers")
with honour_col:
    st.subheader(t("comp.honours", lang))
    honours = view.query("honours_by_type", as_of=view.snapshot, year=year, counties=scope_counties)
    honour_table = pd.DataFrame({t("col.honour", lang): honours.honour, t("col.winners", lang): honours.winners})
    st.dataframe(honour_table, hide_index=True)
    studios = county_values(
        view.unit_wide(view.snapshot), load_catalogue().by_code("innovation_studios"), scope_counties
    ).sum()
    st.metric(
        t("comp.studios", lang),
        fmt.number(studios, lang),
        help=load_catalogue().by_code("innovation_studios").definition(lang),
    )

st.subheader(t("comp.results", lang))
st.text_input(t("comp.search", lang), key="who", max_chars=50)
results = view.query(
    "results_search", as_of=view.snapshot, year=year, counties=scope_counties, search=ss["who"].strip(), max_rows=2000
)
result_table = awards_table(results, lang, names)
if not names_visible():
    st.caption(t("comp.names_hidden", lang))
st.dataframe(result_table, hide_index=True, height=360)
export_buttons(result_table, f"awards-{year or 'all'}", lang, "awards")
