"""Benchmark floor 1: the emptiest Streamlit page."""

import streamlit as st

st.write("ok")
