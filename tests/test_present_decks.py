"""Saved agendas (uniondash.data.decks), the presentation's URL values and the privacy guard."""

from __future__ import annotations

import json

import pytest

from uniondash.data.decks import (
    SLIDE_KINDS,
    Deck,
    DeckError,
    DeckItem,
    deck_path,
    default_deck,
    list_decks,
    load_deck,
    restrict,
    save_deck,
)
from uniondash.render.briefing.model import count_text
from uniondash.ui.present.state import parse_auto, parse_slide


def test_a_deck_round_trips_through_its_file(tmp_path):
    deck = Deck(
        "weekly-1", (DeckItem("headline"), DeckItem("coverage_map", "coverage", "2022-12-31", None, ("420500",)))
    )
    path = save_deck(tmp_path, deck)
    assert path == tmp_path / "decks" / "weekly-1.json"
    assert load_deck(tmp_path, "weekly-1") == deck
    assert list_decks(tmp_path) == ["weekly-1"]
    assert [p.name for p in (tmp_path / "decks").iterdir()] == ["weekly-1.json"]  # no temporary file left


@pytest.mark.parametrize("name", ["../x", "a/b", "", "名字", "x" * 41, "a b", "..", "a.json", "~root"])
def test_hostile_names_are_refused_before_any_path_is_made(tmp_path, name):
    with pytest.raises(DeckError, match="letters, digits"):
        deck_path(tmp_path, name)
    with pytest.raises(DeckError):
        load_deck(tmp_path, name)
    assert not (tmp_path / "decks").exists()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"items": []}),
        json.dumps({"items": [{"kind": "rm -rf"}]}),
        json.dumps({"items": [{"kind": "headline", "county": ["../../etc"]}]}),
        json.dumps({"items": [{"kind": "headline", "snapshot": "yesterday"}]}),
        json.dumps([1, 2]),
    ],
)
def test_malformed_deck_files_are_refused_with_a_reason(tmp_path, body):
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "bad.json").write_text(body, encoding="utf-8")
    with pytest.raises(DeckError) as err:
        load_deck(tmp_path, "bad")
    assert "/" in str(err.value)  # Chinese / English


def test_missing_deck_and_empty_deck(tmp_path):
    with pytest.raises(DeckError, match="no deck named 'nope'"):
        load_deck(tmp_path, "nope")
    with pytest.raises(DeckError, match="no slides"):
        save_deck(tmp_path, Deck("empty", ()))


def test_default_deck_has_every_kind_for_the_scope():
    deck = default_deck(("420500",), ())
    assert [i.kind for i in deck.items] == list(SLIDE_KINDS)
    assert all(i.city == ("420500",) for i in deck.items)


def test_restrict_keeps_only_what_the_viewer_may_see():
    parents = {"420502": "420500", "420503": "420500", "420102": "420100"}
    deck = Deck(
        "d", (DeckItem("headline"), DeckItem("county", county=("420102",)), DeckItem("behind", city=("420500",)))
    )
    kept, dropped = restrict(deck, {"420502", "420503"}, parents)  # a planner of 宜昌 only
    assert [i.kind for i in kept.items] == ["behind"]
    assert dropped == 2
    everything, none_dropped = restrict(deck, set(parents), parents)
    assert everything == deck
    assert none_dropped == 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, 0), ("", 0), ("20", 20), ("2", 2), ("-1", None), ("1", None), ("3601", None), ("x", None), ("1e9", None)],
)
def test_auto_values(raw, expected):
    assert parse_auto(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [(None, 0), ("1", 0), ("7", 6), ("999", None), ("0", None), ("-3", None), ("a", None)]
)
def test_slide_values(raw, expected):
    assert parse_slide(raw, 7) == expected


@pytest.mark.parametrize(("n", "text"), [(0, "<5"), (4, "<5"), (5, "5"), (1234, "1,234"), (2_402_385, "240.2万")])
def test_small_counts_are_suppressed(n, text):
    assert count_text(n, "zh") == text
