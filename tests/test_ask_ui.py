"""The questions leaders and planners ask, answered where they look (AppTest, on the hand-made
fixture, signed in as the demo admin on loopback): /data's snapshot date defaults to the last
period end in the region's time zone (the one clock, UNIONDASH_NOW), /data lists every table of
the contract (names in both languages, the file or sheet name to use, what it holds) in Chinese
and English, and the shared filters that do nothing on /data (compare, city, county) are not in
its sidebar, while /stations has them and a visit to /data keeps their values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from uniondash.data.importer.contract import specs
from uniondash.text.i18n import t

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-12-06T10:00:00+08:00"


@pytest.fixture
def app(fixture_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    monkeypatch.setenv("UNIONDASH_USERS", str(tmp_path / "no-accounts.toml"))  # demo mode: admin on loopback
    monkeypatch.delenv("UNIONDASH_PUBLIC", raising=False)
    monkeypatch.setenv("UNIONDASH_NOW", NOW)
    monkeypatch.setattr("uniondash.ui.signin.current_address", lambda: "127.0.0.1")

    def make(**params) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
        for key, value in params.items():
            at.query_params[key] = value
        at.run()
        assert not at.exception
        return at

    return make


def data_page(at: AppTest) -> AppTest:
    at.switch_page("app_pages/data.py").run()
    assert not at.exception
    return at


def as_of_input(at: AppTest):
    (field,) = [d for d in at.date_input if d.key == "import_as_of"]
    return field


def test_snapshot_date_defaults_to_the_last_period_end(app):
    at = data_page(app())
    field = as_of_input(at)
    assert field.value == dt.date(2026, 11, 30)  # not today (2026-12-06): the end of last month
    assert field.max == dt.date(2026, 12, 6)  # a snapshot can still be dated up to today


@pytest.mark.parametrize(
    ("now", "period_end"),
    [
        ("2026-12-31T20:00:00+00:00", dt.date(2026, 12, 31)),  # 2027-01-01 04:00 in Beijing: a new month there
        ("2027-03-01T00:30:00+08:00", dt.date(2027, 2, 28)),
        ("2028-03-15T09:00:00+08:00", dt.date(2028, 2, 29)),
    ],
)
def test_period_end_is_the_regions_month(app, monkeypatch, now, period_end):
    monkeypatch.setenv("UNIONDASH_NOW", now)
    assert as_of_input(data_page(app())).value == period_end


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_data_lists_every_table_and_what_it_holds(app, lang):
    at = data_page(app(lang=lang))
    assert t("ui.data.tables", lang) in [h.value for h in at.subheader]
    table, other = t("ui.data.col_table", lang), t("ui.data.col_other_name", lang)
    file, holds = t("ui.data.col_file", lang), t("ui.data.col_holds", lang)
    (frame,) = [d.value for d in at.table if holds in d.value.columns]
    contract = specs()
    assert len(frame) == len(contract)
    rows = frame.set_index(table)
    for name, spec in contract.items():
        row = rows.loc[spec.name_en if lang == "en" else spec.name_zh]
        assert row[other] == (spec.name_zh if lang == "en" else spec.name_en)
        assert spec.name_zh in row[file]  # the file or sheet may be named by the Chinese name …
        assert name in row[file]  # … or by the contract's code
        assert row[holds] == t(f"ui.holds.{name}", lang)
    coverage = rows.loc["Union coverage" if lang == "en" else "组建入会"]
    if lang == "zh":
        assert coverage[holds].startswith("每个县一行")
        assert coverage[file] == "组建入会 或 coverage"
    else:
        assert coverage[holds].startswith("One row per county")
        assert coverage[file] == "组建入会 or coverage"
    assert "GeoJSON" in rows.loc["Boundaries" if lang == "en" else "区划边界"][t("ui.data.col_formats", lang)]


def test_every_table_says_what_it_holds_in_both_languages():
    for name in specs():
        zh, en = t(f"ui.holds.{name}", "zh"), t(f"ui.holds.{name}", "en")
        assert zh
        assert en
        assert zh != en
    assert len({t(f"ui.holds.{name}", "en") for name in specs()}) == len(specs())


def sidebar_filters(at: AppTest) -> dict[str, object]:
    keyed = [*at.sidebar.selectbox, *at.sidebar.multiselect]
    return {w.key: w.value for w in keyed if w.key in ("snapshot", "compare", "city", "county")}


def test_no_scope_filters_on_data_and_their_values_kept(app):
    at = app(city="990100", compare="2022-12-31")
    assert sidebar_filters(at) == {"snapshot": "2023-12-31", "compare": "2022-12-31", "city": ["990100"], "county": []}
    at.switch_page("app_pages/stations.py").run()
    assert not at.exception
    assert set(sidebar_filters(at)) == {"snapshot", "compare", "city", "county"}
    data_page(at)
    assert sidebar_filters(at) == {"snapshot": "2023-12-31"}  # compare, city and county do nothing here
    labels = [w.label for w in [*at.sidebar.selectbox, *at.sidebar.multiselect]]
    assert t("filter.city", "zh") not in labels
    assert t("filter.county", "zh") not in labels
    assert t("filter.compare", "zh") not in labels
    at.run()  # a rerun on /data (e.g. after an upload) keeps them too
    assert at.query_params["city"] == "990100"  # a link copied on /data still carries the view
    at.switch_page("app_pages/stations.py").run()
    assert not at.exception
    assert sidebar_filters(at) == {"snapshot": "2023-12-31", "compare": "2022-12-31", "city": ["990100"], "county": []}
