"""Words and numbers for people: the string catalogue (zh, en) and Chinese number formatting. No Streamlit."""
