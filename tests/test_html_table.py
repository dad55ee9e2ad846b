"""html_table: the county profile's printed table, one escaped HTML table."""

import math

import pandas as pd

from uniondash.render.html_table import html_table


def test_headers_and_cells_in_order_escaped_and_blank_cells_as_dashes():
    frame = pd.DataFrame(
        {"指标 <b>": ["<img src=x onerror=alert(1)>", "覆盖率"], "值 & 单位": [None, "85.0%"], "n": [math.nan, 3]}
    )
    assert html_table(frame) == (
        "<table><thead><tr><th>指标 &lt;b&gt;</th><th>值 &amp; 单位</th><th>n</th></tr></thead><tbody>"
        "<tr><td>&lt;img src=x onerror=alert(1)&gt;</td><td>—</td><td>—</td></tr>"
        "<tr><td>覆盖率</td><td>85.0%</td><td>3.0</td></tr>"
        "</tbody></table>"
    )


def test_a_frame_without_rows_keeps_its_header():
    assert html_table(pd.DataFrame({"a": []})) == "<table><thead><tr><th>a</th></tr></thead><tbody></tbody></table>"
