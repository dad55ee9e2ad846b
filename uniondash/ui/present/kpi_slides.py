"""Slides of numbers and sentences: headline KPIs against target, what changed, behind target, a
county in focus. Counts go through count_text (privacy guard); no personal name is ever used."""

from __future__ import annotations

import math
from dataclasses import replace

from uniondash.access.data_scope import default_selection
from uniondash.analysis.coverage import gap_table
from uniondash.analysis.overview import county_values, scope_target, what_changed
from uniondash.analysis.profile import ProfileRow, profile_rows, summary
from uniondash.metrics.kpis import Catalogue, load_catalogue
from uniondash.metrics.scope import RegionIndex, resolve_scope
from uniondash.render.briefing.model import SMALL, Slide, Tile, count_text
from uniondash.render.slide_figures import bars
from uniondash.text import fmt
from uniondash.text.i18n import t
from uniondash.ui.computed import kpi_results
from uniondash.ui.parts import kpi_label, missing_reason, region_names, scope_label
from uniondash.ui.view import View

FOCUS_KPI = "union_founding_rate"


def _value(kpi, value: float, lang: str) -> str:
    return fmt.kpi_value(value, True, lang) if kpi.is_percent else count_text(value, lang)


def headline(view: View, theme: str) -> Slide:
    """The headline KPIs as tiles, from the same KpiResult as the overview's cards (ui/computed.py:
    value, progress, verdict): a KPI reads the same on /, on /present and in the briefing."""
    lang, catalogue = view.lang, load_catalogue()
    results = kpi_results(view)
    tiles, progress = [], []
    for kpi in (k for k in catalogue.kpis if k.headline):
        r = results[kpi.code]
        if r.value is None:
            tiles.append(Tile(kpi_label(kpi, lang), "—", missing_reason(r, lang)))
            continue
        detail, tone = "", "neutral"
        if r.target is not None and r.reached:  # the card's words: never "完成 100% · 按趋势可达标"
            goal = fmt.kpi_value(r.target.value, kpi.is_percent, lang)
            detail, tone = t("trust.target_reached", lang, target=goal, year=r.target.year), "good"
            progress.append((kpi.name(lang), 1.0, True))
        elif r.target is not None:
            detail = t(
                "present.target",
                lang,
                target=fmt.kpi_value(r.target.value, kpi.is_percent, lang),
                year=r.target.year,
                progress=f"{r.progress * 100:.0f}%",
            )
            progress.append((kpi.name(lang), r.progress, r.on_track is not False))
            if r.on_track is not None:
                tone = "good" if r.on_track else "bad"
                detail += " · " + t("present.on_track" if r.on_track else "present.behind", lang)
        tiles.append(Tile(kpi_label(kpi, lang), _value(kpi, r.value, lang), detail, tone))
    fig = None
    if progress:
        fig = bars(
            [p[0] for p in progress],
            [p[1] * 100 for p in progress],
            [f"{p[1] * 100:.0f}%" for p in progress],
            theme,
            good=[p[2] for p in progress],
            axis_title=t("present.progress_axis", lang),
        )
    caption = t("present.headline_caption", lang)
    return Slide("headline", t("present.kind.headline", lang), tiles=tuple(tiles), figure=fig, caption=caption)


def changes(view: View, theme: str) -> Slide:
    lang, catalogue = view.lang, load_catalogue()
    title = t("present.kind.changes", lang)
    if not view.compare:
        return Slide("changes", title, bullets=(t("overview.no_compare_hint", lang),))
    names = region_names(view)
    rates = [catalogue.by_code(c) for c in ("union_founding_rate", "membership_rate")]
    wide_now, wide_before = view.unit_wide(view.snapshot), view.unit_wide(view.compare)
    changes = what_changed(
        view.query("station_changes_by_county", as_of=view.snapshot, compare=view.compare),
        view.query("honours_since", as_of=view.snapshot, compare=view.compare),
        {k.code: county_values(wide_now, k, view.scope.counties) for k in rates},
        {k.code: county_values(wide_before, k, view.scope.counties) for k in rates},
        view.scope.counties,
    )

    def words(item) -> str:
        fields = dict(item.detail, place=names.get(item.adcode, item.adcode))
        if "n" in fields:
            fields["n"] = count_text(fields["n"], lang)
        if item.kind in ("rate_fell", "rate_rose"):
            fields["kpi"] = catalogue.by_code(item.detail["kpi"]).name(lang)
        return t("change." + item.kind, lang, **fields)

    rises = tuple(words(i) for i in changes.improved)  # both ways, each ranked (analysis.overview)
    falls = tuple(words(i) for i in changes.declined)
    subtitle = t("trust.changed_caption", lang, compare=view.compare, as_of=view.snapshot)  # the overview's words
    if not rises and not falls:
        return Slide("changes", title, bullets=(t("overview.changed_none", lang),), caption=subtitle)
    none = (t("briefings.none", lang),)
    columns = ((t("present.rises", lang), rises or none), (t("present.declines", lang), falls or none))
    return Slide("changes", title, bullets=rises + falls, caption=subtitle, columns=columns)


def behind(view: View, theme: str) -> Slide:
    """Counties furthest from the founding-rate target: gap in points and units still to found."""
    lang, kpi = view.lang, load_catalogue().by_code(FOCUS_KPI)
    names = region_names(view)
    regions = view.regions()
    parents = dict(zip(regions.adcode, regions.parent_adcode))
    target = scope_target(kpi, view.query("targets", as_of=view.snapshot), view.scope)
    title = t("present.kind.behind", lang)
    if target is None:
        return Slide("behind", title, bullets=(t("present.no_target", lang),))
    table = gap_table(view.unit_wide(view.snapshot), kpi, view.scope.counties, target.value, names, parents)
    short = table[table.gap_pp > 0].sort_values("gap_pp", ascending=False).head(8)
    goal = fmt.kpi_value(target.value, True, lang)
    tiles = (
        Tile(
            t("present.behind_n", lang),
            count_text(int((table.gap_pp > 0).sum()), lang),
            t("present.of_n", lang, n=len(table), target=goal),
            "bad" if len(short) else "good",
        ),
        Tile(
            t("present.needed", lang),
            count_text(int(short.needed.sum()) if len(short) else 0, lang),
            t("present.needed_detail", lang, kpi=kpi.name(lang)),
        ),
    )
    fig = None
    if len(short):
        fig = bars(
            [f"{c}（{p}）" if lang == "zh" else f"{c} ({p})" for c, p in zip(short.county, short.city)],
            list(short.gap_pp),
            [
                t("present.gap_text", lang, pp=f"{g:.1f}", n=count_text(n, lang))
                for g, n in zip(short.gap_pp, short.needed)
            ],
            theme,
            good=[False] * len(short),
            axis_title=t("col.gap_pp", lang),
        )
    caption = t("present.behind_caption", lang, kpi=kpi.name(lang), target=goal, year=target.year)
    return Slide("behind", title, tiles=tiles, figure=fig, caption=caption)


def ranked_counties(view: View, counties) -> tuple[str, ...]:
    """Counties best first on the focus KPI (by its direction; ties and counties without a value
    after, by code): the order a county playlist (/present?each=county, a deck's "each" step)
    plays them in."""
    kpi = load_catalogue().by_code(FOCUS_KPI)
    counties = tuple(dict.fromkeys(counties))
    values = county_values(view.unit_wide(view.snapshot), kpi, counties)
    sign = 1.0 if kpi.direction == "down" else -1.0

    def key(c: str) -> tuple:
        v = values.get(c)
        missing = v is None or math.isnan(v)
        return (missing, 0.0 if missing else sign * float(v), c)

    return tuple(sorted(counties, key=key))


def focus_county(view: View) -> str:
    """The county in focus: the one chosen, else the one furthest behind on the founding rate."""
    if view.scope.is_single_county:
        return view.scope.counties[0]
    values = county_values(view.unit_wide(view.snapshot), load_catalogue().by_code(FOCUS_KPI), view.scope.counties)
    values = values.dropna()
    return str(values.sort_values(kind="stable").index[0]) if len(values) else view.scope.counties[0]


def ranked_among(view: View) -> str | None:
    """The units a county's rank is among, in words: None for the whole region (no data scope: the
    rank is among all its counties), else the viewer's own units (a planner's session reads, and
    so ranks, only those), named as their pages name them."""
    if view.data_scope is None:
        return None
    index = RegionIndex.from_regions(view.regions())
    own = resolve_scope(index, view.scope.region_adcode, *default_selection(view.data_scope, index.cities))
    return scope_label(replace(view, scope=own))


def rank_text(row: ProfileRow, among: str | None, lang: str) -> str:
    """A county's rank in words, saying among which units: the region's, or the viewer's own (and
    nothing when they read only one county: a rank among one says nothing)."""
    if not row.rank:
        return ""
    if among is None:
        return t("present.rank", lang, rank=row.rank, n=row.n)
    return t("present.rank_in", lang, scope=among, rank=row.rank, n=row.n) if row.n > 1 else ""


def scoped_summary(rows: list[ProfileRow], catalogue: Catalogue, among: str, lang: str) -> tuple[list[str], list[str]]:
    """uniondash.analysis.profile.summary for a viewer whose ranks are among their own units: the
    same rules (top and bottom quarter, short of target), the sentences naming those units instead
    of the region (and no rank among a single county)."""
    strengths, gaps = [], []
    for r in rows:
        kpi = catalogue.by_code(r.code)
        value = fmt.kpi_value(r.value, kpi.is_percent, lang)
        fields = dict(kpi=kpi.name(lang), value=value, rank=r.rank, n=r.n, scope=among)
        if r.rank is not None and r.n > 1:
            quarter = max(1, r.n // 4)
            if r.rank <= quarter:
                strengths.append((r.rank / r.n, t("present.strength_in", lang, **fields)))
            elif r.rank > r.n - quarter:
                gaps.append((1 - r.rank / r.n, t("present.weakness_in", lang, **fields)))
        if r.rank is not None and r.target is not None and r.result.reached is False:
            gap = r.target - r.value
            short = fmt.points(gap, lang) if kpi.is_percent else f"{fmt.number(abs(gap), lang)} {kpi.unit(lang)}"
            target = fmt.kpi_value(r.target, kpi.is_percent, lang)
            gaps.append((0.0, t("profile.behind_target", lang, **fields, target=target, short=short)))
    return [s for _, s in sorted(strengths)][:5], [g for _, g in sorted(gaps)][:5]


def county_focus(view: View, theme: str) -> Slide:
    lang, catalogue = view.lang, load_catalogue()
    county = focus_county(view)
    names = region_names(view)
    # ranked among the counties this session reads: the region's, or a planner's own (named so)
    rows = profile_rows(
        view.unit_measures(),
        catalogue,
        view.regions(),
        county,
        view.snapshot,
        view.as_ofs,
        view.query("targets", as_of=view.snapshot),
    )
    # Privacy guard: a count KPI under 5 (e.g. honours won) stays out of the sentences.
    rows = [r for r in rows if catalogue.by_code(r.code).is_percent or r.value >= SMALL]
    among = ranked_among(view)
    if among is None:
        strengths, gaps = summary(rows, catalogue, names[county], lang)
    else:
        strengths, gaps = scoped_summary(rows, catalogue, among, lang)
    by_code = {r.code: r for r in rows}
    tiles = []
    for code in ("union_founding_rate", "membership_rate"):
        if code in by_code:
            r, kpi = by_code[code], catalogue.by_code(code)
            tiles.append(Tile(kpi.name(lang), fmt.kpi_value(r.value, True, lang), rank_text(r, among, lang)))
    stations = view.query("county_stations", as_of=view.snapshot, adcode=county)
    tiles.append(Tile(t("present.county_stations", lang), count_text(int((stations.status != "closed").sum()), lang)))
    awards = view.query("county_results", as_of=view.snapshot, adcode=county)
    tiles.append(Tile(t("present.county_awards", lang), count_text(len(awards), lang)))
    bullets = [f"＋ {s}" for s in strengths[:3]] + [f"－ {g}" for g in gaps[:3]]
    none = (t("briefings.none", lang),)
    columns = (
        (t("present.strengths", lang), tuple(strengths[:3]) or none),
        (t("present.gaps", lang), tuple(gaps[:3]) or none),
    )
    return Slide(
        "county",
        t("present.kind.county", lang, name=names[county]),
        tiles=tuple(tiles),
        bullets=tuple(bullets),
        meta={"county": county},
        columns=columns,
    )
