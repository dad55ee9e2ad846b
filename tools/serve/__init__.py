"""`make serve WORKERS=N`: several Streamlit workers behind nginx (stack.py)."""
