"""/data shows an import's warnings and notes beside its outcome (uniondash/ui/import_result.py):
under the success message when the snapshot was written, and after the problem table when not."""

from __future__ import annotations

import pytest
from fixtures import build_fixture
from import_corpus import frame, settings_for

from uniondash.data.importer import expand, import_files

NEW = "2024-06-30"


def _page():
    import streamlit as st

    from uniondash.ui.import_result import show_import_result

    show_import_result(st.session_state["result"], b"xlsx", st.session_state["lang"])


def _import(tmp_path, bad: bool):
    data = tmp_path / "data"
    build_fixture(data)
    df = frame("stations", data / "snapshots")
    df["备注"] = "已核对"
    if bad:
        df.loc[1, "站点类型"] = "evil_kind"
    path = tmp_path / "2024年6月站点更新(2).csv"
    path.write_text(df.to_csv(index=False), encoding="utf-8")
    return import_files(expand([path]), NEW, settings_for(data))


def _shown(result, lang):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_page)
    at.session_state["result"] = result
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize(
    ("lang", "count", "severity", "note"),
    [
        ("zh", "2 条警告或提示（不影响导入）", "警告", "列“备注”不是“服务站点”表的列，已忽略"),
        ("en", "2 warnings or notes (the import is not blocked)", "Warning", "column '备注' is not a column"),
    ],
)
def test_warnings_under_a_written_snapshot(tmp_path, lang, count, severity, note):
    result = _import(tmp_path, bad=False)
    assert result.ok
    at = _shown(result, lang)
    assert NEW in at.success[0].value
    assert count in at.warning[0].value
    (table,) = at.dataframe
    shown = table.value
    assert list(shown.iloc[:, -1]) == ["提示" if lang == "zh" else "Note", severity]
    assert shown.iloc[1, 3] == "U 备注"
    assert note in shown.iloc[1, 5]


def test_warnings_after_the_problems_when_nothing_was_written(tmp_path):
    result = _import(tmp_path, bad=True)
    assert not result.ok
    at = _shown(result, "zh")
    assert "发现 1 处问题" in at.error[0].value
    problems, warnings = at.dataframe
    assert list(problems.value.iloc[:, 2]) == [3]  # the problem table keeps its columns: 文件 … 应为
    assert list(problems.value.columns)[-1] == "应为"
    assert list(warnings.value.iloc[:, -1]) == ["提示", "警告"]
    assert "2 条警告或提示" in at.warning[0].value
