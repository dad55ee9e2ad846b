"""Sharing: "copy link" (the address bar already reproduces the view) with a selectable field when
the browser has no clipboard API (plain http on an intranet address), and PNG export of charts."""

from __future__ import annotations

import html
import json

import streamlit as st

from uniondash.text.i18n import t


def chart_config(name: str) -> dict:
    """Plotly's toolbar with one button: download the chart as a PNG (drawn in the browser)."""
    return {
        "displayModeBar": True,
        "displaylogo": False,
        "modeBarButtons": [["toImage"]],
        "toImageButtonOptions": {"format": "png", "filename": name, "scale": 2},
    }


COPY_JS = """<script>
(() => {
  document.querySelectorAll('.ud-share').forEach((box) => {
    if (box.dataset.ready) return;
    box.dataset.ready = '1';
    const field = box.querySelector('input'), done = box.querySelector('.ud-done'), alt = box.querySelector('.ud-alt');
    box.querySelector('button').addEventListener('click', async () => {
      const url = window.location.href;
      try {
        if (!window.isSecureContext || !navigator.clipboard || !navigator.clipboard.writeText) throw new Error('none');
        await navigator.clipboard.writeText(url);
        done.hidden = false; alt.hidden = true;
      } catch (err) {
        field.value = url; alt.hidden = false; done.hidden = true; field.focus(); field.select();
      }
    });
  });
})();
</script>"""


def copy_link(lang: str) -> None:
    e = html.escape
    words = {k: t(f"share.{k}", lang) for k in ("copy", "copied", "fallback")}
    st.html(
        f"""<div class="ud-share" data-words='{e(json.dumps(words, ensure_ascii=False))}'>
<button type="button" class="ud-copy" style="font-size:16px;padding:4px 12px;border-radius:8px;
border:1px solid #8C96A0;background:transparent;color:inherit;cursor:pointer">{e(words["copy"])}</button>
<span class="ud-done" hidden style="margin-left:8px">{e(words["copied"])}</span>
<div class="ud-alt" hidden><p style="margin:6px 0 4px;font-size:14px">{e(words["fallback"])}</p>
<input readonly aria-label="{e(words["copy"])}" style="width:100%;font-size:14px;padding:4px;color:#1F2329;
background:#FFFFFF;border:1px solid #505A64"></div></div>"""
        + COPY_JS,
        unsafe_allow_javascript=True,
    )
