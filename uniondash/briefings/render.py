"""A recipient's briefing, rendered under their own account: the view their session would have
(their data scope and name rule, through the same query layer as the app: uniondash.ui.reads and
Warehouse.run), the subscription's slides, the files, and the summary an e-mail or a chat robot
carries. Nothing here decides who gets what: the runner groups recipients by what they read."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from uniondash.access.accounts import Account, Accounts
from uniondash.access.data_scope import DataScope, default_selection
from uniondash.access.gate import access_for, account_identity
from uniondash.briefings.config import VIEW_PAGES, Briefing
from uniondash.config import Settings
from uniondash.data.decks import expand_each, load_deck, restrict
from uniondash.metrics.scope import resolve_scope
from uniondash.render.briefing.model import Slide
from uniondash.render.export import file_stem
from uniondash.text.i18n import t
from uniondash.ui.view import View, previous_as_of

# One render at a time in this process: a hundred county chairs are a hundred renders in a row,
# each on kaleido's one warm Chromium, never a hundred at once.
RENDER_LOCK = threading.Lock()
MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Summary:
    """What an e-mail's body and a chat message say: the headline KPIs against target, what
    changed, who is behind target; every count already through count_text (under 5: "<5")."""

    org: str
    scope: str
    snapshot: str
    compare: str
    demo: bool
    kpis: tuple[tuple[str, str, str], ...]  # (label, value, against target)
    changed: tuple[str, ...]
    behind: tuple[str, ...]


@dataclass(frozen=True)
class Rendered:
    """One scope's and language's briefing: files by format (file name, bytes), and its summary."""

    key: tuple
    files: dict[str, tuple[str, bytes]]
    summary: Summary
    slides: tuple[Slide, ...]


def scope_key(account: Account, accounts: Accounts, regions) -> tuple[DataScope | None, bool]:
    """What an account reads: (data scope, names shown), as the sign-in gate decides it."""
    access = access_for(account_identity(account, accounts, "briefing"), regions)
    return access.data_scope, access.names_shown


def account_view(
    settings: Settings, data_scope: DataScope | None, names_shown: bool, lang: str, query: str = ""
) -> View:
    """The view a session with this data scope and name rule would have on a page opened with
    `query` (city=, county=, snapshot=, compare=): its filters narrowed to the scope, as
    uniondash.ui.view.current_view does for a signed-in session."""
    from uniondash.ui.reads import data_fingerprint, get_warehouse, region_index

    fp = data_fingerprint(settings.snapshots_dir)
    wh = get_warehouse(str(settings.snapshots_dir), fp)
    as_ofs = tuple(wh.as_ofs)
    params = parse_qs(query)
    snapshot = params.get("snapshot", [as_ofs[-1]])[-1]
    snapshot = snapshot if snapshot in as_ofs else as_ofs[-1]
    compare = params.get("compare", [""])[-1]
    if compare not in as_ofs or compare >= snapshot:
        compare = previous_as_of(as_ofs, snapshot)
    index = region_index(str(settings.snapshots_dir), fp, snapshot, data_scope)
    region = wh.snapshot(snapshot).manifest.get("region_adcode", settings.region_adcode)
    cities = tuple(c for c in params.get("city", []) if c in index.cities)
    counties = tuple(c for c in params.get("county", []) if c in index.counties)
    if data_scope is not None:
        cities = tuple(c for c in cities if data_scope.allows(c))
        counties = tuple(c for c in counties if data_scope.allows(c))
        if not cities and not counties:
            cities, counties = default_selection(data_scope, index.cities)
    scope = resolve_scope(index, region, cities, counties)
    is_demo = wh.snapshot(snapshot).is_demo
    return View(settings, lang, fp, as_ofs, snapshot, compare, scope, is_demo, data_scope, names_shown)


def briefing_slides(briefing: Briefing, view: View) -> list[Slide]:
    """The subscription's slides for this view: a saved deck's steps (each "each": "county" step
    once per county of the scope, steps outside the scope left out, as /present shows the deck to
    this viewer), or a page view's slides (as "add this view to the deck" would take them)."""
    from uniondash.ui.present.agenda import PAGE_KINDS
    from uniondash.ui.present.content import build_slide, item_view
    from uniondash.ui.present.kpi_slides import ranked_counties

    if briefing.deck:
        deck = load_deck(view.settings.data_dir, briefing.deck)
        regions = view.regions()
        counties = regions[regions.level == "county"]
        allowed, parents = set(counties.adcode), dict(zip(counties.adcode, counties.parent_adcode))
        # each "each": "county" step once per county, best-ranked first: the order /present plays them
        items = expand_each(deck.items, ranked_counties(view, [c for c in view.scope.counties if c in allowed]))
        deck, _ = restrict(replace(deck, items=items), allowed, parents)
        return [build_slide(item_view(view, item, view.snapshot), item.kind, "light") for item in deck.items]
    page = VIEW_PAGES[urlsplit(briefing.view).path]
    return [build_slide(view, kind, "light") for kind in PAGE_KINDS[page]]


def summary(view: View) -> Summary:
    """The e-mail's and the chat message's words, from the same slides as /present draws."""
    from uniondash.ui.present.content import build_slide, slide_meta

    lang = view.lang
    head, changes, behind = (build_slide(view, k, "light") for k in ("headline", "changes", "behind"))
    meta = slide_meta(view)
    kpis = tuple((x.label, x.value, x.detail) for x in head.tiles)
    behind_lines = [
        f"{x.label}：{x.value}（{x.detail}）" if lang == "zh" else f"{x.label}: {x.value} ({x.detail})"
        for x in behind.tiles[:1]
    ]
    if behind.figure is not None and behind.figure.data:
        bar = behind.figure.data[0]
        behind_lines += [f"{y} {text}" for y, text in zip(bar.y[::-1], bar.text[::-1])]  # drawn bottom-up
    behind_lines += list(behind.bullets)
    from uniondash.ui.parts import scope_label

    return Summary(
        meta["org"],
        scope_label(view),
        view.snapshot,
        view.compare or "",
        view.is_demo,
        kpis,
        tuple(changes.bullets[:8]),
        tuple(behind_lines[:9]),
    )


def render(briefing: Briefing, view: View, formats: tuple[str, ...]) -> Rendered:
    """The files (formats: any of pptx, pdf; none for a chat message) and the summary, one render
    at a time in this process."""
    from uniondash.render.briefing.build import pdf_bytes, pptx_bytes
    from uniondash.ui.parts import scope_label
    from uniondash.ui.present.briefing import briefing_labels

    with RENDER_LOCK:
        slides = briefing_slides(briefing, view)
        labels = briefing_labels(view.lang)
        stem = file_stem(f"briefing-{briefing.name}-{view.snapshot}", scope_label(view))
        files = {}
        if "pptx" in formats:
            files["pptx"] = (f"{stem}.pptx", pptx_bytes(slides, labels, lang=view.lang))
        if "pdf" in formats:
            files["pdf"] = (f"{stem}.pdf", pdf_bytes(slides, labels, view.lang))
        return Rendered((view.data_scope, view.names_shown, view.lang), files, summary(view), tuple(slides))


def subject(s: Summary, lang: str) -> str:
    return t("briefings.subject", lang, org=s.org, scope=s.scope, snapshot=s.snapshot)


def text_lines(s: Summary, lang: str) -> list[str]:
    """The summary as plain lines (the e-mail's text part, and the base of a chat message)."""
    compare = t("briefings.compare_part", lang, compare=s.compare) if s.compare else ""
    out = [
        t("briefings.title", lang, org=s.org),
        t("briefings.scope_line", lang, scope=s.scope, snapshot=s.snapshot, compare=compare),
        "",
    ]
    out.append(t("briefings.kpis", lang))
    out += [f"- {label}: {value}" + (f" ({detail})" if detail else "") for label, value, detail in s.kpis]
    out += ["", t("briefings.changed", lang)]
    out += [f"- {x}" for x in s.changed] or [f"- {t('briefings.none', lang)}"]
    out += ["", t("briefings.behind", lang)]
    out += [f"- {x}" for x in s.behind] or [f"- {t('briefings.none', lang)}"]
    out += ["", t("briefings.privacy", lang)]
    if s.demo:
        out.append(t("briefings.demo", lang))
    return out


def write_files(folder: Path, rendered: Rendered) -> list[Path]:
    """The files into a folder (a share), each written beside and renamed into place."""
    import os
    import tempfile

    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, data in rendered.files.values():
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        out.append(folder / name)
    return out
