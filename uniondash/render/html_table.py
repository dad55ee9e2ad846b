"""A table as one piece of HTML: for what is printed rather than read on screen (the county
profile's every indicator). One st.html element draws it; st.table would draw each cell as a
Markdown element of its own (about 250 on the county page), which the browser renders on every
visit though the table is hidden until printed."""

from __future__ import annotations

import html
import math

import pandas as pd


def html_table(frame: pd.DataFrame) -> str:
    """`frame`'s columns and rows as a <table> (no index); every header and cell escaped, an
    empty cell (None, NaN) written "—"."""

    def cell(value: object) -> str:
        return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else html.escape(str(value))

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = ("".join(f"<td>{cell(v)}</td>" for v in row) for row in frame.itertuples(index=False))
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
