"""Rendering: pure chart, map and file builders with one theme (data in, figure, deck or bytes out). No Streamlit."""
