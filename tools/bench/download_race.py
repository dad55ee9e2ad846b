"""`python -m tools.bench.download_race [--clicks 40] [--busy 3]`: how many clicks on a download
button built at its click hand over no file within 8 s, with and without the handshake of
uniondash.ui.deferred_downloads, in the system Chromium, while `--busy` processes spin on the CPU
(the races need a loaded machine). Each click is on a freshly opened page; the two variants are
clicked in turn."""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import time

from tools.bench.server import browser, streamlit_server

SPIN = "while True: pass"


def click_once(chromium, url: str, wait_s: float = 8.0) -> bool:
    """Open the page, click its button; True if a download started within wait_s."""
    from tools.bench.measure import wait_drawn

    page = chromium.new_page()
    try:
        page.goto(url)
        wait_drawn(page)
        got: list = []

        def on_download(download) -> None:  # a function: Playwright keeps its wrapper on it
            got.append(download)

        page.on("download", on_download)
        page.get_by_role("button", name="file").click()
        deadline = time.monotonic() + wait_s
        while not got and time.monotonic() < deadline:
            page.wait_for_timeout(50)
        return bool(got)
    finally:
        page.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=40)
    parser.add_argument("--busy", type=int, default=3, help="CPU-spinning processes beside the browser")
    args = parser.parse_args(argv)
    spinners = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(args.busy)]
    try:
        with contextlib.ExitStack() as stack:
            chromium = stack.enter_context(browser())
            urls = {
                name: stack.enter_context(
                    streamlit_server(None, "tools/bench/download_page.py", extra_env={"HANDSHAKE": flag})
                )[0]
                for name, flag in (("st.download_button alone", "0"), ("with the handshake", "1"))
            }
            lost = dict.fromkeys(urls, 0)
            for _ in range(args.clicks):
                for name, url in urls.items():
                    lost[name] += not click_once(chromium, url)
    finally:
        for p in spinners:
            p.kill()
    for name, n in lost.items():
        print(f"{name}: {n} of {args.clicks} clicks handed over no file")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
