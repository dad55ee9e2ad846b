"""Data access: the data contract, immutable snapshots, the DuckDB warehouse, geography. No Streamlit."""
