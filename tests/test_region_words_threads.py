"""The region's level words stay readable while another thread sets them again: every
load_settings() sets them, on any session's script thread (uniondash.text.i18n.use_region)."""

from __future__ import annotations

import threading

from uniondash.text.i18n import region_fields, t, use_region


def test_words_are_never_missing_while_they_are_set_again():
    use_region("420000")
    stop = threading.Event()
    failures: list[str] = []

    def set_again() -> None:
        while not stop.is_set():
            use_region("420000")

    def read() -> None:
        for _ in range(20_000):
            try:
                region_fields("zh")
            except RuntimeError as exc:  # the words were cleared and not yet set
                failures.append(str(exc))
                return

    setters = [threading.Thread(target=set_again) for _ in range(2)]
    readers = [threading.Thread(target=read) for _ in range(2)]
    for th in setters + readers:
        th.start()
    for th in readers:
        th.join()
    stop.set()
    for th in setters:
        th.join()
    assert failures == []
    assert region_fields("zh")["whole"] == "全省"  # Hubei (420000) is a province
    assert t("filter.help_city", "zh")  # a string with the region's words still reads
