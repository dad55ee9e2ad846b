"""The guard in front of Streamlit's own routes (serve.py: App(middleware=[Middleware(Guard)])):
pure ASGI, so Streamlit's WebSocket passes through untouched but for the frames named below.

- Uploads (`/_stcore/upload_file/<session id>/…`) are refused, before a byte is read, unless the
  sign-in gate entitled that Streamlit session to upload (uniondash.access.entitlements) and the
  declared size is within the one upload limit (uniondash.toml [import] max_file_mb).
- `clear_cache` frames on `/_stcore/stream` are dropped: Streamlit empties every shared cache for
  everyone on one, and a signed-out client could send it (admins refresh caches on /data).
- `/_stcore/metrics` (module names, cache sizes) is not served.
- Every HTTP response says who may frame it: `X-Frame-Options: SAMEORIGIN` and CSP
  `frame-ancestors 'self'`, or with `[security] frame_portal` set, that portal too (and no
  X-Frame-Options, which cannot name another origin). nginx passes these through.
"""

from __future__ import annotations

import json
import re

from streamlit.proto.BackMsg_pb2 import BackMsg

from uniondash.access import entitlements
from uniondash.config import load_settings

UPLOAD_RE = re.compile(r"^/_stcore/upload_file/([^/]+)/")
STREAM_PATH = "/_stcore/stream"
METRICS_PATH = "/_stcore/metrics"
DROPPED_FRAMES = ("clear_cache",)


def frame_headers(portal: str) -> list[tuple[bytes, bytes]]:
    """The framing headers: same origin only, or same origin and the configured portal."""
    if portal:
        return [(b"content-security-policy", f"frame-ancestors 'self' {portal}".encode())]
    return [(b"x-frame-options", b"SAMEORIGIN"), (b"content-security-policy", b"frame-ancestors 'self'")]


def dropped(frame: bytes) -> bool:
    """A browser frame the server must not act on (an unparsable one goes on: Streamlit refuses it)."""
    msg = BackMsg()
    try:
        msg.ParseFromString(frame)
    except Exception:  # noqa: BLE001  (protobuf's DecodeError; Streamlit answers it itself)
        return False
    return msg.WhichOneof("type") in DROPPED_FRAMES


async def _refuse(send, status: int, zh: str, en: str, extra: list | None = None) -> None:
    body = json.dumps({"error": f"{zh} / {en}"}, ensure_ascii=False).encode()
    headers = [(b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})


class Guard:
    def __init__(self, app):
        self.app = app
        settings = load_settings()
        self.max_bytes = int(settings.import_max_mb * 1024 * 1024)
        self.headers = frame_headers(settings.frame_portal)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            if scope.get("path") == STREAM_PATH:
                receive = self._filtered(receive)
            return await self.app(scope, receive, send)
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        if path == METRICS_PATH:
            return await _refuse(send, 404, "不提供", "not served", self.headers)
        upload = UPLOAD_RE.match(path)
        if upload and scope.get("method") in ("PUT", "POST"):
            if not entitlements.may_upload(upload.group(1)):
                zh, en = "此会话无权上传文件，请以管理员身份登录", "this session may not upload files"
                return await _refuse(send, 403, zh, en, self.headers)
            length = dict(scope.get("headers") or []).get(b"content-length", b"0")
            if int(length or 0) > self.max_bytes:
                mb = self.max_bytes // (1024 * 1024)
                return await _refuse(send, 413, f"文件超过 {mb} MB", f"the file is larger than {mb} MB", self.headers)
        return await self.app(scope, receive, self._with_headers(send))

    def _with_headers(self, send):
        extra = self.headers

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                message = {**message, "headers": headers + [h for h in extra if h[0] not in names]}
            await send(message)

        return sending

    @staticmethod
    def _filtered(receive):
        async def receiving():
            while True:
                message = await receive()
                if message["type"] == "websocket.receive" and message.get("bytes") and dropped(message["bytes"]):
                    continue
                return message

        return receiving
