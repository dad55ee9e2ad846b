"""Entry point: page config, sign-in, shared filters kept in the URL, role-based navigation."""

from __future__ import annotations

import streamlit as st

from uniondash.access.data_scope import out_of_scope
from uniondash.config import load_settings
from uniondash.errors import UserFacingError
from uniondash.text.i18n import LANGS, t
from uniondash.ui.deferred_downloads import run_started
from uniondash.ui.navigation import is_kiosk, pages_for_identity, profile_requested
from uniondash.ui.paths import not_found_page
from uniondash.ui.present.chrome import on_present_page
from uniondash.ui.reads import data_fingerprint, get_warehouse, region_index, region_units
from uniondash.ui.signin import after_signin, demo_banner, gate, handover_tag, signout_control
from uniondash.ui.theme import apply_theme, current_theme, seed_theme, theme_control, write_theme
from uniondash.ui.urlstate import SEEDED, seed_from_url, url_values, write_to_url
from uniondash.ui.view import FILTER_KEYS, previous_as_of

# Shared filters that do nothing on a page are not drawn there (by url_path). /data reads no view:
# it imports whole tables and lists every snapshot (its snapshot picker stays: a new snapshot is
# offered there at once).
UNUSED_FILTERS = {"data": frozenset({"compare", "city", "county"})}

# An emoji favicon is drawn in the browser; a :material: one would be fetched from the internet.
st.set_page_config(page_title="工会工作数据看板", page_icon="📊", layout="wide")

run_started()  # each run counted: a download built at its click waits for the click's rerun (deferred_downloads)
settings = load_settings()
ss = st.session_state
try:
    fingerprint = data_fingerprint(settings.snapshots_dir)
    warehouse = get_warehouse(str(settings.snapshots_dir), fingerprint)
except UserFacingError as exc:
    lang = st.query_params.get("lang", "zh")
    st.title(t("app.title", lang))
    st.error(f"**{t('app.data_error', lang)}**\n\n{exc}", icon=":material/error:")
    st.stop()
ss["_fingerprint"] = fingerprint
as_ofs = warehouse.as_ofs
url_lang = st.query_params.get("lang")
all_units = region_units(str(settings.snapshots_dir), fingerprint, as_ofs[-1])
try:
    access = gate(all_units, ss.get("lang") or (url_lang if url_lang in LANGS else "zh"))
except UserFacingError as exc:  # a malformed accounts file: say so, show nothing
    st.error(str(exc), icon=":material/error:")
    st.stop()
if not ss.get(SEEDED):  # a link naming units outside a planner's scope: say so once, then drop them
    asked = [
        a for a in st.query_params.get_all("city") + st.query_params.get_all("county") if a in set(all_units.adcode)
    ]
    ss["_out_of_scope"] = out_of_scope(access.data_scope, asked)
# Units outside a planner's scope are named by the notice above, not as unknown codes: the seed
# takes every unit of the region and the pickers below keep the planner's own.
region = region_index(str(settings.snapshots_dir), fingerprint, as_ofs[-1], None)
seed_from_url(ss, st.query_params, as_ofs, region.cities, region.counties)
ss.setdefault("lang", "zh")
ss.setdefault("snapshot", as_ofs[-1])
ss.setdefault("compare", "auto")
if ss["snapshot"] not in as_ofs:  # the data changed under this session
    ss["snapshot"] = as_ofs[-1]
if ss["compare"] != "auto" and (ss["compare"] not in as_ofs or ss["compare"] >= ss["snapshot"]):
    ss["compare"] = "auto"  # a compare snapshot is an earlier one: after a later one was chosen, the one before
lang = ss["lang"]
seed_theme(ss, st.query_params)
presenting = on_present_page()  # /present: no sidebar; its filters stay (hidden) so their values do
theme_now = current_theme("screen" if presenting else None)
apply_theme(theme_now, explicit=presenting or "theme" in ss, handover=handover_tag())  # a reload waits for the cookie

with st.container(key="ud_hidden_filters") if presenting else st.sidebar:
    org = settings.org_name_en if lang == "en" else settings.org_name_zh
    st.markdown(f"### {org}\n{t('app.title', lang)}")
    st.segmented_control(
        t("filter.lang", lang),
        LANGS,
        key="lang",
        required=True,
        format_func=lambda code: {"zh": "中文", "en": "English"}[code],
    )
    snapshot = st.selectbox(t("filter.snapshot", lang), as_ofs, key="snapshot")
    previous = previous_as_of(tuple(as_ofs), snapshot)
    # compare, city and county: drawn once the page is known, and not on a page they do nothing on
    # (see UNUSED_FILTERS); their values are set here on every run, so a page without them keeps them
    scope_filters = st.container()
    units = region_index(str(settings.snapshots_dir), fingerprint, snapshot, access.data_scope)
    names = units.names
    ss["compare"] = ss["compare"]
    ss["city"] = [c for c in ss.get("city", []) if c in set(units.cities)]
    counties = units.counties_of(ss["city"])
    ss["county"] = [c for c in ss.get("county", []) if c in set(counties)]
    theme_control(lang)
    if warehouse.snapshot(snapshot).is_demo:
        st.badge(t("app.demo_badge", lang), icon=":material/science:", color="orange")
    if access.data_scope is not None:
        st.caption(t("access.scope_note", lang, units="、".join(names.get(a, a) for a in access.data_scope.assigned)))
    if warehouse.refused:
        detail = "; ".join(f"{s.as_of}: {s.problems[0]}" for s in warehouse.refused)
        st.warning(t("app.refused", lang, detail=detail), icon=":material/warning:")
    demo_banner(access, lang)
    signout_control(access, lang)
after_signin()
if ss.get("_out_of_scope"):
    unit_names = dict(zip(all_units.adcode, all_units.name))  # names only: no figure of those units
    mine = "、".join(names.get(a, a) for a in access.data_scope.assigned)
    st.warning(
        t(
            "access.out_of_scope",
            lang,
            units="、".join(unit_names.get(a, a) for a in ss.pop("_out_of_scope")),
            scope=mine,
        ),
        icon=":material/lock:",
    )

write_to_url(st.query_params, url_values(ss, as_ofs[-1]), FILTER_KEYS)
write_theme(st.query_params, ss)

pages = [
    st.Page(
        "app_pages/overview.py", title=t("nav.overview", lang), icon=":material/dashboard:", url_path="", default=True
    ),
    st.Page("app_pages/stations.py", title=t("nav.stations", lang), icon=":material/location_on:", url_path="stations"),
    st.Page(
        "app_pages/competitions.py",
        title=t("nav.competitions", lang),
        icon=":material/emoji_events:",
        url_path="competitions",
    ),
    st.Page("app_pages/coverage.py", title=t("nav.coverage", lang), icon=":material/groups:", url_path="coverage"),
    st.Page("app_pages/county.py", title=t("nav.county", lang), icon=":material/location_city:", url_path="county"),
    # /present opens from the sidebar's 汇报与分享 panel (this view, or a saved deck), not the menu: a
    # seventh menu entry made the sidebar overflow at 1280×720, and then a click on the city picker
    # no longer opened its list (Chromium, Streamlit 1.67; the keyboard still did).
    st.Page(
        "app_pages/present.py",
        title=t("nav.present", lang),
        icon=":material/co_present:",
        url_path="present",
        visibility="hidden",
    ),
    st.Page(
        "app_pages/data.py",
        # an admin imports (and runs rounds); a filler and a leader come for the round: 数据填报
        title=t("nav.data" if access.identity.role not in ("filler", "leader") else "nav.data_round", lang),
        icon=":material/upload_file:",
        url_path="data",
    ),
    # the subscriptions of scheduled briefings (admins): linked from the sidebar's meeting tools, not
    # the menu (the menu's length at 1280×720, as for /present)
    st.Page(
        "app_pages/briefings.py",
        title=t("nav.briefings", lang),
        icon=":material/schedule_send:",
        url_path="briefings",
        visibility="hidden",
    ),
]
allowed = pages_for_identity(access.identity)  # a kiosk (a wall screen) opens /present only


def refused() -> None:
    st.title(t("access.refused_title", lang))
    st.error(
        t("access.page_refused", lang, role=t(f"access.role.{access.identity.role}", lang)), icon=":material/block:"
    )


def to_present() -> None:
    """A kiosk (an unattended wall screen) asking for any other page is sent to /present, with the
    link's parameters (auto, deck, lang, theme …)."""
    st.switch_page("app_pages/present.py", query_params=st.query_params.to_dict())


# Every product path answers in the user's language, never with Streamlit's English "Page not
# found": its page, a refusal where this role may not open it (/data and /briefings: admin; /data
# also a filler's 本期填报 and a leader's round board; demo mode on loopback counting as admin), "no
# such page" for any other path. A kiosk's every other page leads to /present.
instead = to_present if is_kiosk(access.identity) else refused
pages = [
    p
    if p.url_path in allowed
    else st.Page(instead, title=p.title, url_path=p.url_path, visibility="hidden", default=p.url_path == "")
    for p in pages
]
unknown = not_found_page(pages, lang)
navigation = st.navigation(pages + ([unknown] if unknown else []), position="hidden" if presenting else "sidebar")


def draw_scope_filters(hidden: frozenset[str]) -> None:
    """The compare snapshot, city and county pickers, in their place in the sidebar."""
    with scope_filters:
        if "compare" not in hidden:
            st.selectbox(
                t("filter.compare", lang),
                ["auto", *(a for a in as_ofs if a < snapshot)],
                key="compare",
                format_func=lambda a: (
                    (t("filter.compare_auto", lang, as_of=previous) if previous else t("filter.compare_none", lang))
                    if a == "auto"
                    else a
                ),
            )
        if "city" not in hidden:
            st.multiselect(
                t("filter.city", lang),
                list(units.cities),
                key="city",
                format_func=names.get,
                placeholder=t("filter.all", lang),
                help=t("filter.help_city", lang),
            )
        if "county" not in hidden:
            st.multiselect(
                t("filter.county", lang),
                list(counties),
                key="county",
                format_func=names.get,
                placeholder=t("filter.all", lang),
                help=t("filter.help_county", lang),
            )


draw_scope_filters(UNUSED_FILTERS.get(navigation.url_path, frozenset()))
if profile_requested(ss):  # a click-through asked for a county's profile (callbacks cannot switch pages)
    st.switch_page(next(p for p in pages if p.url_path == "county"))
navigation.run()
