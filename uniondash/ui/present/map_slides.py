"""Slides with a map or a chart: coverage by county, stations, competitions and honours."""

from __future__ import annotations

import math
from collections.abc import Mapping

from uniondash.analysis.medals import city_medals
from uniondash.analysis.overview import county_values
from uniondash.analysis.stations import grid_cell_deg, scope_supply
from uniondash.data.schema import STATION_KINDS
from uniondash.metrics.kpis import load_catalogue
from uniondash.render.briefing.model import SMALL, Slide, Tile, count_text
from uniondash.render.slide_figures import bars, choropleth
from uniondash.render.slide_figures import stations_map as stations_figure
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.computed import kpi_results
from uniondash.ui.parts import kpi_label, missing_reason, region_names
from uniondash.ui.stations.filters import describe_filters, filter_params, station_filters
from uniondash.ui.view import View

PER_10K_KPI = "stations_per_10k_nef"  # the catalogue's stations per 10,000 new-employment-form workers


def _scope_shapes(view: View):
    shapes = view.shapes("county")
    return shapes[shapes.adcode.isin(view.scope.counties)]


def coverage_map(view: View, theme: str) -> Slide:
    lang, catalogue = view.lang, load_catalogue()
    kpi = catalogue.by_code("union_founding_rate")
    values = county_values(view.unit_wide(view.snapshot), kpi, view.scope.counties).to_dict()
    names = region_names(view)
    labels = {a: f"{names.get(a, a)} {fmt.kpi_value(v, True, lang)}" for a, v in values.items()}
    shapes = _scope_shapes(view)
    known = {a: v for a, v in values.items() if not math.isnan(v)}
    trends = view.kpis().pivot(index="code", columns="as_of", values="value")
    tiles = [
        Tile(catalogue.by_code(c).name(lang), fmt.kpi_value(trends.loc[c].get(view.snapshot), True, lang))
        for c in ("union_founding_rate", "membership_rate")
        if c in trends.index
    ]
    if known:
        lo, hi = min(known, key=known.get), max(known, key=known.get)
        tiles.append(Tile(t("present.highest", lang), names.get(hi, hi), fmt.kpi_value(known[hi], True, lang), "good"))
        tiles.append(Tile(t("present.lowest", lang), names.get(lo, lo), fmt.kpi_value(known[lo], True, lang), "bad"))
    return Slide(
        "coverage_map",
        t("present.kind.coverage_map", lang),
        tiles=tuple(tiles),
        figure=choropleth(shapes, values, labels, theme),
        caption=t("present.coverage_caption", lang, kpi=kpi.name(lang)),
    )


def stations_map(view: View, theme: str, filters: Mapping | None = None) -> Slide:
    """Open stations on a grid, counted by kind, and stations per 10,000 new-employment-form
    workers: the catalogue's KPI (stations_per_10k_nef, from the same KpiResult as its card on / and
    /county) unless station filters are given (the stations page's kind, status, host, facility,
    h24, star, opened: see url_station_filters), and then the stations page's filtered measure for
    those filters, labelled with them. The map and the counts are the open stations passing them."""
    lang = view.lang
    state = station_filters(filters or {})
    params = filter_params({**state, "status": ["open"]}, view.scope.counties, view.snapshot)
    cell = grid_cell_deg(len(view.scope.counties))
    cells = view.query("stations_grid", filters=params, cell_deg=cell)
    cells = cells.assign(kind=cells[list(STATION_KINDS)].idxmax(axis=1)) if len(cells) else cells.assign(kind=[])
    supply = view.query("stations_supply_by_county", filters=params)
    n_open = int(supply.stations_open.sum())
    by_kind = {k: int(cells[k].sum()) if len(cells) else 0 for k in STATION_KINDS}
    tiles = [Tile(t("stations.open", lang), count_text(n_open, lang))]
    tiles += [Tile(t(f"kind.{k}", lang), count_text(n, lang)) for k, n in by_kind.items()]
    tiles.append(per_10k_tile(view, state))
    legend = " · ".join(f"● {t(f'kind.{k}', lang)}" for k in STATION_KINDS)
    return Slide(
        "stations_map",
        t("present.kind.stations_map", lang),
        tiles=tuple(tiles),
        figure=stations_figure(_scope_shapes(view), cells, theme),
        caption=t("present.stations_caption", lang, cell=cell, legend=legend),
    )


def per_10k_tile(view: View, state: dict) -> Tile:
    """With no station filters, the catalogue KPI as its card shows it (name and unit, value); with
    some, the stations page's figure for them (the same counts and words as /stations)."""
    lang = view.lang
    if not state:
        kpi = load_catalogue().by_code(PER_10K_KPI)
        result = kpi_results(view)[PER_10K_KPI]
        if result.value is None:
            return Tile(kpi_label(kpi, lang), "—", missing_reason(result, lang))
        return Tile(kpi_label(kpi, lang), fmt.kpi_value(result.value, kpi.is_percent, lang))
    supply = view.query("stations_supply_by_county", filters=filter_params(state, view.scope.counties, view.snapshot))
    detail = t("stations.present_filters", lang, filters=t("export.sep", lang).join(describe_filters(state, lang)))
    per = scope_supply(supply, "per_10k_workers")
    return Tile(t("stations.measure.per_10k_workers", lang), fmt.decimal(per), detail)


def competitions(view: View, theme: str) -> Slide:
    """Awards of the snapshot's year by city (or county), honours by type; small counts suppressed."""
    lang = view.lang
    year = int(view.snapshot[:4])
    medals = view.query("medal_table", as_of=view.snapshot, year=year, counties=view.scope.counties)
    regions = view.regions()
    names = region_names(view)
    by_city = view.scope.is_region or len(view.scope.cities) > 1
    if by_city:
        counties = regions[regions.level == "county"]
        medals = city_medals(medals, dict(zip(counties.adcode, counties.parent_adcode)))
    top = medals.sort_values(["awards", "adcode"], ascending=[False, True])
    shown = top[top.awards >= SMALL].head(10)
    hidden = int((top.awards < SMALL).sum())
    honours = view.query("honours_by_type", as_of=view.snapshot, year=year, counties=view.scope.counties)
    tiles = [
        Tile(t("present.awards_year", lang, year=year), count_text(int(medals.awards.sum()), lang)),
        Tile(t("col.first", lang), count_text(int(medals.first_prizes.sum()), lang)),
        Tile(t("col.honours", lang), count_text(int(medals.honours.sum()), lang)),
    ]
    bullets = tuple(
        t("present.honour_line", lang, honour=r.honour, n=count_text(int(r.winners), lang))
        for r in honours.sort_values("winners", ascending=False).head(4).itertuples()
    )
    fig = None
    if len(shown):
        fig = bars(
            [names.get(a, a) for a in shown.adcode],
            list(shown.awards),
            [count_text(int(n), lang) for n in shown.awards],
            theme,
            axis_title=t("col.awards", lang),
            height=480,
        )
    by = t("coverage.by_city" if by_city else "coverage.by_county", lang)
    notes = (t("present.small_hidden", lang, n=hidden),) if hidden else ()
    return Slide(
        "competitions",
        t("present.kind.competitions", lang),
        tiles=tuple(tiles),
        bullets=bullets,
        figure=fig,
        caption=t("present.competitions_caption", lang, year=year, by=by),
        notes=notes,
    )
