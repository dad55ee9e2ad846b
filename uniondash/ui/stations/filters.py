"""The stations page's filters: the URL parameters it owns and the query parameters they make."""

from __future__ import annotations

from uniondash.analysis.stations import LAYERS, SUPPLY_MEASURES
from uniondash.data.schema import FACILITIES, HOST_TYPES, STATION_KINDS, STATION_STATUSES
from uniondash.ui.urlstate import Param

PARAMS = [
    Param("kind", "list", [], STATION_KINDS),
    Param("status", "list", ["open", "suspended"], STATION_STATUSES),
    Param("host", "list", [], HOST_TYPES),
    Param("facility", "list", [], FACILITIES),
    Param("h24", "bool", False),
    Param("star", "int", 0, lo=0, hi=5),
    Param("opened", "int", 0, lo=0, hi=2100),
    Param("layer", "str", "points", LAYERS),
    Param("measure", "str", "per_10k_workers", SUPPLY_MEASURES),
    Param("changes", "bool", False),
    Param("gaps", "bool", False),
    Param("gap_km", "float", 2.0, lo=0.2, hi=20.0),
    Param("sites", "int", 5, lo=0, hi=30),
    Param("q", "str_free", ""),
]


STATION_FILTERS = PARAMS[:7]  # kind, status, host, facility, h24, star, opened: what the stations pass


def station_filters(state) -> dict:
    """The station filters of a state that differ from the page's defaults (empty: nothing filtered)."""
    out = {}
    for spec in STATION_FILTERS:
        value = state.get(spec.key, spec.default)
        if spec.encode(value) is not None:
            out[spec.key] = value
    return out


def url_station_filters(params) -> dict:
    """The station filters a link carries (/present?kind=nursing_room …), valid values only; the
    others are left out (the stations page names them when it opens)."""
    from uniondash.ui.urlstate import Invalid

    state = {}
    for spec in STATION_FILTERS:
        try:
            value = spec.parse(params)
        except Invalid as exc:
            value = exc.args[1]
        if value is not None:
            state[spec.key] = value
    return station_filters(state)


def filter_params(state, counties, as_of: str) -> dict:
    """The bound parameters of the filtered_stations macro, from widget state."""
    required = set(state.get("facility") or [])
    opened = int(state.get("opened") or 0)
    return {
        "as_of": as_of,
        "counties": tuple(counties),
        "kinds": tuple(state.get("kind") or ()),
        "statuses": tuple(state.get("status") or ()),
        "hosts": tuple(state.get("host") or ()),
        **{f.removeprefix("has_"): f in required for f in FACILITIES},
        "only_24h": bool(state.get("h24")),
        "min_star": int(state.get("star") or 0),
        "opened_year": opened or None,
    }


def describe_filters(state, lang: str) -> list[str]:
    """The filters in words, for an export's header block ("站点类型：爱心母婴室", …); defaults left out."""
    from uniondash.text.i18n import t

    sep = t("export.sep", lang)
    colon = "：" if lang == "zh" else ": "
    out = []
    for spec in PARAMS[:4]:  # kind, status, host, facility
        chosen = list(state.get(spec.key) or [])
        if chosen and (chosen != list(spec.default) or spec.key == "status"):  # closed or not: always said
            out.append(t(f"stations.{spec.key}", lang) + colon + sep.join(t(f"{spec.key}.{v}", lang) for v in chosen))
    if state.get("h24"):
        out.append(t("stations.h24", lang))
    if int(state.get("star") or 0):
        out.append(f"{t('stations.star', lang)}{colon}{int(state['star'])}")
    if int(state.get("opened") or 0):
        out.append(f"{t('stations.opened', lang)}{colon}{int(state['opened'])}")
    q = str(state.get("q") or "").strip()
    if q:
        out.append(t("export.search", lang, q=q))
    return out


def frozen_filters(state: dict) -> tuple:
    """Station filters as a sorted tuple of (key, value) with lists as tuples: a cache key."""
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in state.items()))
