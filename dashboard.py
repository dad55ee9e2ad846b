"""Entry point: page config, theme, shared filters kept in the URL, navigation. Nothing else."""

from __future__ import annotations

import streamlit as st

from uniondash.config import load_settings
from uniondash.errors import UserFacingError
from uniondash.text.i18n import LANGS, t
from uniondash.ui.navigation import profile_requested
from uniondash.ui.urlstate import seed_from_url, url_values, write_to_url
from uniondash.ui.view import FILTER_KEYS, data_fingerprint, get_warehouse, previous_as_of, run_query

# An emoji favicon is drawn in the browser; a :material: one would be fetched from the internet.
st.set_page_config(page_title="工会工作数据看板", page_icon="📊", layout="wide")

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
latest_regions = run_query("regions", str(settings.snapshots_dir), fingerprint, as_of=as_ofs[-1])
seed_from_url(
    ss,
    st.query_params,
    as_ofs,
    latest_regions.loc[latest_regions.level == "city", "adcode"],
    latest_regions.loc[latest_regions.level == "county", "adcode"],
)
ss.setdefault("lang", "zh")
ss.setdefault("snapshot", as_ofs[-1])
ss.setdefault("compare", "auto")
if ss["snapshot"] not in as_ofs:  # the data changed under this session
    ss["snapshot"] = as_ofs[-1]
lang = ss["lang"]

with st.sidebar:
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
    st.selectbox(
        t("filter.compare", lang),
        ["auto", *as_ofs],
        key="compare",
        format_func=lambda a: (
            (t("filter.compare_auto", lang, as_of=previous) if previous else t("filter.compare_none", lang))
            if a == "auto"
            else a
        ),
    )
    regions = run_query("regions", str(settings.snapshots_dir), fingerprint, as_of=snapshot)
    names = dict(zip(regions.adcode, regions.name))
    cities = regions[regions.level == "city"]
    ss["city"] = [c for c in ss.get("city", []) if c in set(cities.adcode)]
    chosen_cities = st.multiselect(
        t("filter.city", lang),
        list(cities.adcode),
        key="city",
        format_func=names.get,
        placeholder=t("filter.all", lang),
        help=t("filter.help_city", lang),
    )
    counties = regions[regions.level == "county"]
    if chosen_cities:
        counties = counties[counties.parent_adcode.isin(chosen_cities)]
    ss["county"] = [c for c in ss.get("county", []) if c in set(counties.adcode)]
    st.multiselect(
        t("filter.county", lang),
        list(counties.adcode),
        key="county",
        format_func=names.get,
        placeholder=t("filter.all", lang),
        help=t("filter.help_county", lang),
    )
    if warehouse.snapshot(snapshot).is_demo:
        st.badge(t("app.demo_badge", lang), icon=":material/science:", color="orange")
    if warehouse.refused:
        detail = "; ".join(f"{s.as_of}: {s.problems[0]}" for s in warehouse.refused)
        st.warning(t("app.refused", lang, detail=detail), icon=":material/warning:")

write_to_url(st.query_params, url_values(ss, as_ofs[-1]), FILTER_KEYS)

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
    st.Page("app_pages/data.py", title=t("nav.data", lang), icon=":material/upload_file:", url_path="data"),
    st.Page("app_pages/county.py", title=t("nav.county", lang), icon=":material/location_city:", url_path="county"),
]
navigation = st.navigation(pages)
if profile_requested(ss):  # a click-through asked for a county's profile (callbacks cannot switch pages)
    st.switch_page(pages[-1])
navigation.run()
