"""Metrics: the KPI catalogue, scopes and measures (counts in, KPI values out). No Streamlit."""
