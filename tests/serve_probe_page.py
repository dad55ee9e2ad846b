"""A page for tests/test_serve.py: shows what the proxy told the app about the client."""

import streamlit as st

st.markdown(f"x-forwarded-for={st.context.headers.get('X-Forwarded-For')}")
st.markdown(f"x-real-ip={st.context.headers.get('X-Real-IP')}")
st.markdown(f"ip={st.context.ip_address}")
