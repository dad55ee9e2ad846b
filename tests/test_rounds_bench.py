"""The round benchmark's smoke test on the hand-made region: every county submits, one review,
the publish by the command line; the figures are reported (no timing thresholds here: speed is
judged by `python -m tools.bench rounds`, never by tests)."""

from __future__ import annotations

from tools.bench.rounds import run, to_markdown


def test_round_bench_runs_every_county_and_reports(fixture_dir, monkeypatch):
    monkeypatch.setenv("UNIONDASH_REGION", "990000")
    result = run(fixture_dir)
    assert result["units"] == 3
    # the fixture's six stations (S1-S6), none added or removed by the bench's edits
    assert result["stations_published"] == 6
    # 甲一区 has the most stations (S1, S2, S3): reviewed, 3 stations + 1 coverage row
    assert (result["review_unit"], result["review_rows"]) == ("990101", 4)
    assert result["publish_peak_mb"] > 0
    table = to_markdown(result)
    assert "| review one submission |" in table
    assert "| publish |" in table
    assert not (fixture_dir / "rounds").exists()  # the round ran in a scratch folder
