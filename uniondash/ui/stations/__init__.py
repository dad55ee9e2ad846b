"""The stations page's Streamlit parts: its URL filters, map and tabs."""
