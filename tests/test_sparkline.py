"""The KPI cards' trend line (uniondash.render.sparkline): positions worked out by hand."""

from __future__ import annotations

from urllib.parse import unquote

from uniondash.render.sparkline import points, sparkline_img, sparkline_svg


def test_points_span_the_box_lowest_at_the_bottom():
    # 44 px tall, 3 px kept free above and below: 38 px between the lowest (y 41) and highest (y 3)
    assert points([1.0, 2.0, 3.0]) == [(0.0, 41.0), (50.0, 22.0), (100.0, 3.0)]
    assert points([0.9, 0.6]) == [(0.0, 3.0), (100.0, 41.0)]  # a fall: down to the right
    assert points([5.0, 5.0, 5.0]) == [(0.0, 22.0), (50.0, 22.0), (100.0, 22.0)]  # flat: mid-height


def test_svg_line_and_area():
    svg = sparkline_svg([0.62, 0.668, 0.818], "#005A8C")
    # 0.668 is (0.668 − 0.62) / (0.818 − 0.62) = 0.2424 of the way up: 3 + (1 − 0.2424) × 38 = 31.79
    assert 'points="0.0,41.0 50.0,31.79 100.0,3.0"' in svg
    assert 'd="M0.0,44 L0.0,41.0 L50.0,31.79 L100.0,3.0 L100.0,44 Z"' in svg
    assert 'stroke="#005A8C"' in svg
    assert 'fill="#005A8C" fill-opacity="0.12"' in svg


def test_img_carries_the_svg_and_an_escaped_label():
    img = sparkline_img([1, 2], '<img src=x onerror=alert(1)> "x"', "#8FD0F5")
    assert img.count("<img") == 1  # the label's markup is text
    assert 'alt="&lt;img src=x onerror=alert(1)&gt; &quot;x&quot;"' in img
    src = img.split('src="', 1)[1].split('"', 1)[0]
    assert src.startswith("data:image/svg+xml,")
    assert unquote(src.split(",", 1)[1]) == sparkline_svg([1, 2], "#8FD0F5")
    assert sparkline_img([1.0], "one", "#000") == ""
    assert sparkline_img([], "none", "#000") == ""
    assert sparkline_img([1.0, float("nan")], "one known", "#000") == ""
