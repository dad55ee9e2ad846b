"""Overview (/): the report's six areas as KPI cards for the chosen scope and snapshot."""

from __future__ import annotations

import streamlit as st

from uniondash.app import current_view
from uniondash.i18n import t
from uniondash.kpis import load_catalogue
from uniondash.ui import demo_banner, kpi_card, scope_caption

view = current_view()
lang = view.lang
catalogue = load_catalogue()

st.title(t("overview.title", lang))
demo_banner(view)
st.caption(scope_caption(view))

as_ofs = tuple(a for a in (view.snapshot, view.compare) if a)
values = view.kpis(as_ofs).pivot(index="code", columns="as_of", values="value")

for section in catalogue.sections:
    st.subheader(catalogue.section_name(section, lang))
    kpis = catalogue.in_section(section)
    cols = st.columns(4)
    for i, kpi in enumerate(kpis):
        now = values.at[kpi.code, view.snapshot]
        before = values.at[kpi.code, view.compare] if view.compare else None
        with cols[i % 4]:
            kpi_card(kpi, now, before, view)
