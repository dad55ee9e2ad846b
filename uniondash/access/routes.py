"""The HTTP side of sign-in, mounted beside Streamlit's own routes (serve.py, st.App(routes=...)).

A Streamlit script cannot set a cookie, so after the script has checked a password it hands the
browser a one-time ticket; the page POSTs it here and the response sets the signed, HttpOnly
session cookie. Sign-out revokes the session server-side and clears the cookie.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from uniondash.access.accounts import accounts_path, load_accounts
from uniondash.access.network import trusted_proxies
from uniondash.access.sessions import COOKIE_NAME, Store, cookie_secret, sign, unsign

SESSION_PATH = "/access/session"
SIGNOUT_PATH = "/access/signout"
BAD_BODY = '请求体应为 JSON 对象，例如 {"ticket": "…"} / the body must be a JSON object such as {"ticket": "…"}'
COOKIE_MAX_AGE_S = 7 * 24 * 3600  # the server's idle expiry ends a session long before this


def _secure(request: Request) -> bool:
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else ""
    return peer in trusted_proxies() and request.headers.get("x-forwarded-proto") == "https"


def _same_origin(request: Request) -> bool:
    """A cross-site page must not post tickets or sign-outs (the browser sends Origin on POST)."""
    origin = request.headers.get("origin")
    return origin is None or origin.split("://", 1)[-1] == request.headers.get("host")


async def _json_object(request: Request) -> dict | None:
    """The body as a JSON object ({} without a JSON content type); None when it is not one
    (malformed, an array, a string): answered 400, never a server error."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        return {}
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


async def session(request: Request) -> Response:
    if not _same_origin(request):
        return JSONResponse({"error": "cross-origin"}, status_code=403)
    body = await _json_object(request)
    if body is None:
        return JSONResponse({"error": BAD_BODY}, status_code=400)
    folder = accounts_path().parent
    sid = Store(folder).redeem(str(body.get("ticket", ""))[:100])
    if sid is None:
        return JSONResponse({"error": "invalid or expired ticket"}, status_code=400)
    response = JSONResponse({"ok": True})
    response.set_cookie(
        COOKIE_NAME,
        sign(cookie_secret(folder), sid),
        max_age=COOKIE_MAX_AGE_S,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


async def signout(request: Request) -> Response:
    if not _same_origin(request):
        return JSONResponse({"error": "cross-origin"}, status_code=403)
    folder = accounts_path().parent
    sid = unsign(cookie_secret(folder), request.cookies.get(COOKIE_NAME))
    if sid:
        Store(folder).revoke(sid)
    response = JSONResponse({"ok": True})
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="strict", secure=_secure(request))
    return response


def access_routes() -> list[Route]:
    load_accounts()  # a malformed accounts file fails at start, not at the first sign-in
    return [Route(SESSION_PATH, session, methods=["POST"]), Route(SIGNOUT_PATH, signout, methods=["POST"])]
