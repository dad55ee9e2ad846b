"""Competitions (/competitions): the four series over five years, medal tables by county and
city (per 10,000 employees as an option), trades, employers, innovation benefit, honours and
studios, and a search of the awards. People's names only for roles that may see them, and only
those names are searched."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from uniondash.analysis.medals import city_medals, per_10k
from uniondash.analysis.overview import county_values
from uniondash.analysis.stations import EXPORT_MAX_ROWS
from uniondash.metrics.kpis import load_catalogue
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.award_list import award_list, award_query
from uniondash.ui.computed import draw_chart
from uniondash.ui.navigation import narrow_to_county
from uniondash.ui.parts import (
    awards_table,
    data_table,
    demo_banner,
    export_buttons,
    export_later,
    export_sheet,
    known_name,
    region_names,
    scope_caption,
    url_notice,
)
from uniondash.ui.present.agenda import page_tools
from uniondash.ui.urlstate import Param, note_ignored, seed_page, write_page
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
    note_ignored(ss, "year", ss["year"])  # no competitions that year in this snapshot
    ss["year"] = years[0]
url_notice(ss, lang)

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

part_col, benefit_col = st.columns(2, gap="large")
with part_col:
    draw_chart(view, "participation_trend", "competitions")
    st.caption(scope_caption(view))
with benefit_col:
    draw_chart(view, "benefit_bars", "competitions")
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


MEDAL_FORMATS = {name: "decimal2" if ss["per10k"] else "int" for name in tier_names.values()}
year_label = t("comp.all_years", lang) if year == 0 else str(year)
# the exports' filter lines: the year, and that the figures are per 10,000 employees when they are
medal_filters = [f"{t('comp.year', lang)} {year_label}"] + ([t("comp.per_10k", lang)] if ss["per10k"] else [])


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
    sheet = export_sheet(view, t("comp.medals_county", lang), county_table, MEDAL_FORMATS, medal_filters)
    export_buttons(sheet, f"medals-county-{year or 'all'}", lang, "medals_county")
with city_col:
    st.subheader(t("comp.medals_city", lang))
    # only whole cities the session reads: a planner of some counties would see a city's name over
    # their counties' sum (and, without the city in their scope, no name at all)
    by_city = city_medals(medals, parents)
    by_city = by_city[by_city.adcode.isin(names)].reset_index(drop=True)
    if by_city.empty:
        st.caption(t("comp.no_whole_city", lang))
    else:
        city_table = shown_medals(by_city, t("col.city", lang))
        data_table(city_table, lang, height=min(360, 35 * (len(city_table) + 1) + 3))
        sheet = export_sheet(view, t("comp.medals_city", lang), city_table, MEDAL_FORMATS, medal_filters)
        export_buttons(sheet, f"medals-city-{year or 'all'}", lang, "medals_city")

trade_col, employer_col, honour_col = st.columns(3, gap="large")
with trade_col:
    st.subheader(t("comp.trades", lang))
    trades = view.query("top_trades", as_of=view.snapshot, year=year, counties=scope_counties)
    trade_table = pd.DataFrame(
        {
            t("col.trade", lang): trades.trade,
            t("col.awards", lang): trades.awards,
            t("col.first", lang): trades.first_prizes,
        }
    )
    data_table(trade_table.head(10), lang)  # the top ten on screen; every trade in the exports
    formats = {t("col.awards", lang): "int", t("col.first", lang): "int"}
    sheet = export_sheet(view, t("comp.trades", lang), trade_table, formats, [f"{t('comp.year', lang)} {year_label}"])
    export_buttons(sheet, f"trades-{year or 'all'}", lang, "trades")
with employer_col:
    st.subheader(t("comp.employers", lang))
    employers = view.query("top_employers", as_of=view.snapshot, year=year, counties=scope_counties)
    employer_table = pd.DataFrame(
        {
            t("col.employer", lang): employers.employer,
            t("col.county", lang): employers.adcode.map(names),
            t("col.awards", lang): employers.awards,
            t("col.benefit", lang): employers.benefit_10k_yuan.round(1),
        }
    )
    data_table(employer_table.head(10), lang)  # the top ten on screen; every employer in the exports
    formats = {t("col.awards", lang): "int", t("col.benefit", lang): "decimal1"}
    title = t("comp.employers", lang)
    sheet = export_sheet(view, title, employer_table, formats, [f"{t('comp.year', lang)} {year_label}"])
    export_buttons(sheet, f"employers-{year or 'all'}", lang, "employers")
with honour_col:
    st.subheader(t("comp.honours", lang))
    honours = view.query("honours_by_type", as_of=view.snapshot, year=year, counties=scope_counties)
    honour_table = pd.DataFrame(
        {
            t("col.honour", lang): [known_name("honour", h, lang) for h in honours.honour],
            t("col.winners", lang): honours.winners,
        }
    )
    data_table(honour_table, lang)
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
search = ss["who"].strip()
# a masked name is never matched: names are searched only where shown (award_query)
query = award_query(view, year, search)
award_list(view, year, search)  # drawn once per view, year and search, then replayed


def every_award() -> tuple[pd.DataFrame, dict]:
    full = awards_table(view.export_query("results_search", **query, max_rows=EXPORT_MAX_ROWS), lang, names)
    return full, {t("col.year", lang): "int", t("col.benefit", lang): "decimal1"}


filters = [f"{t('comp.year', lang)} {year_label}"] + ([t("export.search", lang, q=search)] if search else [])
export_buttons(
    export_later(view, t("comp.results", lang), every_award, filters), f"awards-{year or 'all'}", lang, "awards"
)
