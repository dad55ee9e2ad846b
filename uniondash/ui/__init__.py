"""The only package folder that imports Streamlit: cached view, widgets, URL state, page parts."""
