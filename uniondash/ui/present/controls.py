"""The presenter's controls: previous/next on → ← and PageDown/PageUp (what clickers send) by
Streamlit's own button shortcuts, a slide counter, full screen by a button or F, auto-advance
by a timed fragment, paused by any key."""

from __future__ import annotations

import time

import streamlit as st

from uniondash.text.i18n import t

# Full screen needs a user gesture in the page itself, so it is a small script: the button, F,
# and "any key pauses auto-advance" (it clicks the hidden pause button; Streamlit does the rest).
KEYS_JS = """<script>
(() => {
  const root = document.documentElement;
  const fs = () => document.fullscreenElement ? document.exitFullscreen() : root.requestFullscreen();
  document.querySelectorAll('.ud-fs').forEach((b) => {
    if (!b.dataset.ready) { b.dataset.ready = 1; b.onclick = fs; }
  });
  if (window.__udKeys) return;
  window.__udKeys = true;
  document.addEventListener('keydown', (ev) => {
    if (ev.target && ['INPUT', 'TEXTAREA'].includes(ev.target.tagName)) return;
    if (ev.key === 'f' || ev.key === 'F') fs();
    const pause = document.querySelector('.st-key-present_pause button');
    if (pause && document.querySelector('.ud-auto-on')) pause.click();
  });
})();
</script>"""


EACH_COUNTIES = "_each_counties"  # a county playlist's county per slide (state.open_presentation)


def follow_county(ss) -> None:
    """In a county playlist, the shared county filter follows the slide about to be drawn, so the
    router writes the right county= into the URL from the start of the run (no moment without it)."""
    counties = ss.get(EACH_COUNTIES)
    if counties:
        ss["county"] = [counties[ss["present_slide"]]]


def move(n: int, delta: int) -> None:
    ss = st.session_state
    ss["present_slide"] = (ss["present_slide"] + delta) % n
    ss["_auto_paused"] = True
    follow_county(ss)


def pause() -> None:
    st.session_state["_auto_paused"] = True


def resume() -> None:
    st.session_state["_auto_paused"] = False
    st.session_state["_slide_shown_at"] = time.monotonic()


def nav_bar(n: int, lang: str) -> None:
    """Counter and buttons, right-aligned in the slide's top row."""
    ss = st.session_state
    row = st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center", width="content")
    row.button(t("present.prev", lang), key="present_prev", shortcut="Left", on_click=move, args=(n, -1))
    row.html(
        f'<span class="ud-counter">{t("present.counter", lang, i=ss["present_slide"] + 1, n=n)}</span>', width="content"
    )
    row.button(t("present.next", lang), key="present_next", shortcut="Right", on_click=move, args=(n, 1))
    row.html(
        f'<button type="button" class="ud-fs" style="font-size:16px;padding:6px 12px;border-radius:8px;'
        'border:1px solid #8C96A0;background:transparent;color:inherit;cursor:pointer">'
        f"{t('present.fullscreen', lang)}</button>{KEYS_JS}",
        width="content",
        unsafe_allow_javascript=True,
    )
    with st.container(key="present_keys"):  # clickers' keys, and the target of "any key pauses"
        st.button("PageUp", key="present_pgup", shortcut="PageUp", on_click=move, args=(n, -1))
        st.button("PageDown", key="present_pgdn", shortcut="PageDown", on_click=move, args=(n, 1))
        st.button("pause", key="present_pause", on_click=pause)


def auto_advance(seconds: int, n: int, lang: str) -> None:
    """Every `seconds`, unless paused, the next slide (the whole page reruns to draw it)."""
    ss = st.session_state
    if not seconds:
        return
    if ss.get("_auto_paused"):
        st.button(t("present.resume", lang), key="present_resume", on_click=resume, icon=":material/play_arrow:")
        st.html(f'<p class="ud-cap">{t("present.auto_paused", lang)}</p>')
        return
    st.html(f'<p class="ud-cap ud-auto-on">{t("present.auto_on", lang, s=seconds)}</p>')

    @st.fragment(run_every=seconds)
    def tick() -> None:
        if ss.get("_auto_paused") or ss.get("_shown_index") != ss["present_slide"]:
            return  # paused, or the slide is not drawn yet (its time starts when it is: page.py)
        if time.monotonic() - ss.get("_slide_shown_at", 0) >= seconds - 0.5:
            ss["present_slide"] = (ss["present_slide"] + 1) % n
            follow_county(ss)
            st.rerun(scope="app")

    tick()
