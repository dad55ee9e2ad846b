"""Presentation mode (/present): slides built from one fixed snapshot, drawn without Streamlit chrome."""
