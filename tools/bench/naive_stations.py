"""The naive stations page, for the benchmark's comparison: pandas reads every parquet file,
filters in Python, and sends every point with every column to pydeck. Not part of the app."""

import glob
import os

import pandas as pd
import pydeck as pdk
import streamlit as st

from uniondash.render.maps import offline_deck

data = os.environ["UNIONDASH_DATA"]
frames = []
for path in sorted(glob.glob(f"{data}/snapshots/*/stations.parquet")):
    df = pd.read_parquet(path)
    df["as_of"] = path.split("/")[-2]
    frames.append(df)
stations = pd.concat(frames)
latest = stations[stations.as_of == stations.as_of.max()]
regions = pd.read_parquet(sorted(glob.glob(f"{data}/snapshots/*/regions.parquet"))[-1])
cities = regions[regions.level == "city"]
chosen = st.multiselect("市（州）", list(cities.name), key="naive_city")
if chosen:
    codes = set(cities[cities.name.isin(chosen)].adcode)
    counties = set(regions[(regions.level == "county") & regions.parent_adcode.isin(codes)].adcode)
    latest = latest[latest.adcode.isin(counties)]
latest = latest[latest.status != "closed"]
st.metric("站点", f"{len(latest):,}")
points = latest.drop(columns=["opened_on"]).assign(star=latest.star.astype("float"))
layer = pdk.Layer(
    "ScatterplotLayer",
    points,
    get_position="[lon, lat]",
    get_radius=80,
    radius_min_pixels=2,
    get_fill_color=[0, 114, 178],
    pickable=True,
)
st.pydeck_chart(
    offline_deck([layer], pdk.ViewState(longitude=112.3, latitude=31.0, zoom=6), tooltip={"text": "{name}\n{address}"}),
    height=560,
)
