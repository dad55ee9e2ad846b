"""Benchmark floor 2: the least a dashboard page costs: one metric, one small Plotly chart,
one small pydeck map (no tiles), and one filter widget to time a rerun against."""

import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

from uniondash.render.maps import offline_deck

choice = st.multiselect("筛选 filter", ["甲", "乙", "丙"], key="floor_filter")
st.query_params["f"] = choice  # the URL carries the filter, as the app's do (the benchmark watches it)
st.metric("站点", f"{8246 + len(choice):,}")
st.plotly_chart(go.Figure(go.Bar(x=["2021", "2022", "2023"], y=[1, 2, 3 + len(choice)])), height=240)
points = [{"lon": 114.3 + i * 0.01, "lat": 30.6 + i * 0.01} for i in range(10)]
layer = pdk.Layer("ScatterplotLayer", points, get_position="[lon, lat]", get_radius=200, get_fill_color=[0, 114, 178])
st.pydeck_chart(offline_deck([layer], pdk.ViewState(longitude=114.3, latitude=30.6, zoom=9)), height=300)
