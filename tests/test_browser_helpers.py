"""click_download (tests/browser.py), which every download test relies on: it must hand over the
file, and when the button's builder fails it must report Streamlit's error text (shown under the
button for 5 s only) after one retry, not an empty list after its timeout."""

from __future__ import annotations

import pytest
from browser import DEFERRED_RACE, browser, click_download, require_chromium, streamlit_server, wait_until_drawn


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    require_chromium()
    calls = tmp_path_factory.mktemp("download") / "calls.txt"
    with (
        streamlit_server(None, script="tests/download_app.py", extra_env={"DOWNLOAD_CALLS": str(calls)}) as (url, _),
        browser() as chromium,
    ):
        p = chromium.new_page()
        p.goto(url)
        wait_until_drawn(p)
        p.calls = calls
        yield p
        p.close()


def test_a_download_is_handed_over(page):
    got = click_download(page, page.get_by_role("button", name="builds"))
    assert got.suggested_filename == "built.csv"
    with open(got.path(), "rb") as f:
        assert f.read() == b"a,b\n1,2\n"


def test_a_failing_builder_is_reported_with_its_message_after_one_retry(page):
    with pytest.raises(AssertionError) as failed:
        click_download(page, page.get_by_role("button", name="fails"), timeout_ms=30_000)
    assert DEFERRED_RACE in str(failed.value)  # the button's own text, read while it was shown
    assert page.calls.read_text().splitlines() == ["called", "called"]  # clicked twice, no more
