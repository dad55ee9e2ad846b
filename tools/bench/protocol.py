"""A Streamlit session without a browser: the load test's many users.

It speaks the app's own WebSocket protocol (BackMsg / ForwardMsg protobufs, as the browser does):
asks for a page with a query string, changes a multiselect by its label, and times each rerun
from the request to the server's script_finished message. The server does all of its work
(runs the page, serialises every element, compresses and sends it); nothing is drawn, so twenty
of them do not take the machine's two cores from the server, as twenty Chromium tabs do.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
import uuid
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState


def _put_file(url: str, name: str, data: bytes, xsrf_cookie: str, cookie: str) -> None:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Cookie": "; ".join(x for x in (cookie, f"_streamlit_xsrf={xsrf_cookie}") if x),
        "X-Xsrftoken": xsrf_cookie,
    }
    request = urllib.request.Request(url, body, headers=headers, method="PUT")
    with urllib.request.urlopen(request, timeout=60) as r:
        r.read()


@dataclass
class Rerun:
    seconds: float
    bytes: int
    exceptions: list[str] = field(default_factory=list)
    query_string: str = ""  # the URL's query string as the app rewrote it during the rerun
    texts: list[str] = field(default_factory=list)  # markdown bodies, in order
    alerts: list[str] = field(default_factory=list)  # st.error/warning/info bodies, in order
    htmls: list[str] = field(default_factory=list)  # st.html bodies (the sign-in hand-over script)
    selectboxes: dict[str, list[str]] = field(default_factory=dict)  # label → options


class ProtocolSession:
    """One Streamlit session on ws://host/_stcore/stream. Use as an async context manager.

    `headers` go with the WebSocket handshake (a browser sends its cookies there: behind nginx
    the sticky-session cookie picks the worker); `local_host` is the address to connect from."""

    def __init__(self, base_url: str, headers: dict[str, str] | None = None, local_host: str | None = None):
        self.ws_url = base_url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.headers = headers
        self.local_host = local_host
        self.ws = None
        self.worker = ""  # behind the serve stack's nginx: the worker that took the handshake
        self.multiselects: dict[str, str] = {}  # label → widget id, from the last rerun's elements
        self.text_inputs: dict[str, str] = {}  # label → widget id (a form's fields)
        self.buttons: dict[str, str] = {}  # label → widget id (buttons and form submit buttons)
        self.file_uploaders: dict[str, str] = {}  # label → widget id
        self.page = ""
        self.query = ""
        self.session_id = ""  # the server's id for this session (from its new_session message)

    async def __aenter__(self) -> ProtocolSession:
        extra = {"local_addr": (self.local_host, 0)} if self.local_host else {}
        self.ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, additional_headers=self.headers, **extra
        )
        self.worker = self.ws.response.headers.get("X-Uniondash-Worker", "")
        return self

    async def __aexit__(self, *exc) -> None:
        await self.ws.close()

    async def open(self, page: str, query: str = "") -> Rerun:
        """Run a page (its URL path without the slash, "" for the default) with a query string."""
        self.page, self.query = page, query
        return await self._rerun([])

    async def pick(self, label: str, values: list[str]) -> Rerun:
        """Set the multiselect whose label starts with `label` to the given displayed values."""
        widget_id = next(i for lab, i in self.multiselects.items() if lab.startswith(label))
        state = WidgetState(id=widget_id)
        state.string_array_value.data.extend(values)
        return await self._rerun([state])

    async def submit(self, fields: dict[str, str], button: str) -> Rerun:
        """Fill text inputs (by label) and press a button or a form's submit button (by label), as
        one rerun: what a browser sends when a form is submitted."""
        states = []
        for label, value in fields.items():
            state = WidgetState(id=self.text_inputs[label])
            state.string_value = value
            states.append(state)
        press = WidgetState(id=self.buttons[button])
        press.trigger_value = True
        return await self._rerun([*states, press])

    async def upload(
        self, label: str, files: dict[str, bytes], button: str, xsrf_cookie: str, cookie: str = ""
    ) -> Rerun:
        """Upload files into the file uploader `label` and press `button`, as a browser does: each
        file PUT to /_stcore/upload_file/<session>/<file id> with the XSRF cookie and header, then
        one rerun whose widget states name the uploaded files."""
        base = self.ws_url.replace("ws://", "http://").removesuffix("/_stcore/stream")
        state = WidgetState(id=self.file_uploaders[label])
        for name, data in files.items():
            file_id = uuid.uuid4().hex
            url = f"{base}/_stcore/upload_file/{self.session_id}/{file_id}"
            await asyncio.to_thread(_put_file, url, name, data, xsrf_cookie, cookie)
            info = state.file_uploader_state_value.uploaded_file_info.add()
            info.name, info.size, info.file_id = name, len(data), file_id
            info.file_urls.file_id, info.file_urls.upload_url, info.file_urls.delete_url = file_id, url, url
        press = WidgetState(id=self.buttons[button])
        press.trigger_value = True
        return await self._rerun([state, press])

    async def press(self, button: str) -> Rerun:
        """Press the button whose label is `button` (e.g. the sidebar's sign-out)."""
        return await self.submit({}, button)

    async def send_raw(self, msg: BackMsg) -> None:
        """Send any BackMsg as a browser (or a hostile client) could."""
        await self.ws.send(msg.SerializeToString())

    def _element(self, element, exceptions, texts, alerts, htmls, selectboxes) -> None:
        which = element.WhichOneof("type")
        if which == "multiselect":
            self.multiselects[element.multiselect.label] = element.multiselect.id
        elif which == "exception":
            exceptions.append(element.exception.message[:200])
        elif which == "markdown":
            texts.append(element.markdown.body)
        elif which == "alert":
            alerts.append(element.alert.body)
        elif which == "html":
            htmls.append(element.html.body)
        elif which == "text_input":
            self.text_inputs[element.text_input.label] = element.text_input.id
        elif which == "button":
            self.buttons[element.button.label] = element.button.id
        elif which == "file_uploader":
            self.file_uploaders[element.file_uploader.label] = element.file_uploader.id
        elif which == "selectbox":
            selectboxes[element.selectbox.label] = list(element.selectbox.options)

    async def _rerun(self, states: list[WidgetState]) -> Rerun:
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self.query
        rerun.page_name = self.page
        rerun.widget_states.widgets.extend(states)
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        received, exceptions, texts, query = 0, [], [], self.query
        alerts, htmls, selectboxes = [], [], {}
        self.multiselects, self.text_inputs, self.buttons, self.file_uploaders = {}, {}, {}, {}
        while True:
            raw = await self.ws.recv()
            received += len(raw)
            fwd = ForwardMsg.FromString(raw)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._element(fwd.delta.new_element, exceptions, texts, alerts, htmls, selectboxes)
            elif kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
            elif kind == "page_info_changed":
                query = fwd.page_info_changed.query_string
            elif kind == "script_finished" and fwd.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                self.query = query  # the browser's URL follows the app: the next rerun sends it back
                seconds = time.perf_counter() - t0
                return Rerun(seconds, received, exceptions, query, texts, alerts, htmls, selectboxes)
