"""Server entry: Streamlit's ASGI app for dashboard.py with the sign-in cookie routes beside it.

`streamlit run serve.py` behaves as `streamlit run dashboard.py` (same flags, same config) and adds
/access/session and /access/signout (uniondash.access.routes), which set and clear the HttpOnly
session cookie that a Streamlit script cannot set itself, and the guard middleware
(uniondash.ui.guard: uploads only for entitled sessions, framing headers, no cache clearing by
clients, no /_stcore/metrics)."""

from starlette.middleware import Middleware
from streamlit.starlette import App

from uniondash.access.routes import access_routes
from uniondash.ui.guard import Guard

app = App("dashboard.py", routes=access_routes(), middleware=[Middleware(Guard)])
