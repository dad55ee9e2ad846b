"""AppTest: /present runs on the hand-made fixture for the default deck and a saved one, and a
hostile deck name is a notice in the viewer's language, not an exception."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from uniondash.data.decks import Deck, DeckItem, save_deck

ROOT = Path(__file__).resolve().parent.parent


def run_present(fixture_dir, monkeypatch, **params) -> AppTest:
    monkeypatch.setenv("UNIONDASH_DATA", str(fixture_dir))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at.switch_page("app_pages/present.py").run()


def test_present_default_deck(fixture_dir, monkeypatch):
    at = run_present(fixture_dir, monkeypatch)
    assert not at.exception
    assert at.button(key="present_next") is not None


def test_present_saved_deck_and_hostile_name(fixture_dir, monkeypatch):
    save_deck(fixture_dir, Deck("fixture-1", (DeckItem("headline"), DeckItem("changes"))))
    at = run_present(fixture_dir, monkeypatch, deck="fixture-1")
    assert not at.exception
    at = run_present(fixture_dir, monkeypatch, deck="../x", lang="en")
    assert not at.exception
    assert any("could not be opened" in w.value for w in at.warning)
