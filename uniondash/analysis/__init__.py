"""Analysis: pure DataFrame work for each page (DataFrames in, DataFrames out). No Streamlit."""
