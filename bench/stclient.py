"""A lightweight Streamlit client: what a browser says to the server, without the browser.

A session opens a page as Chromium does: GET the page (keeping the cookies a proxy sets, and on a
first visit every static file Chromium fetched, see `bench/capacity.py`), open the websocket at
`/_stcore/stream`, and send a `rerun_script` BackMsg with the page and query string; the server
runs the script and streams ForwardMsgs (deltas) until `script_finished`. A widget change is
another `rerun_script` on the same websocket carrying the widget's new state, as the frontend
sends it (radio/selectbox: the option's label; segmented control: a list of labels; checkbox
and toggle: a bool). Streamlit's own protobufs (`streamlit.proto`) encode both directions.

Costs the server what a browser costs it, and the client almost nothing, so a load made of these
measures the server (`bench/capacity.py`) and a proxy in front of several (`tests/test_cluster.py`).
NOTE: only the widget kinds the load uses are encoded; another kind raises.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates
from streamlit.runtime.state.common import is_element_id, user_key_from_element_id
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

FINISHED = ForwardMsg.ScriptFinishedStatus
ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # as Chromium asks


class ClientError(Exception):
    """The server closed the session, answered an HTTP error, or a run did not finish."""


@dataclass
class Http:
    status: int
    headers: list[tuple[str, str]]


async def fetch(base: str, paths: list[str], cookies: dict[str, str]) -> list[Http]:
    """GETs over one persistent HTTP/1.1 connection, as a browser reuses its connections, reading
    every body (Content-Length or chunked)."""
    url = urlsplit(base)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    reader, writer = await asyncio.open_connection(host, port, limit=2**20)
    head = f"Host: {host}:{port}\r\nAccept-Encoding: {ACCEPT_ENCODING}\r\n"
    if cookies:
        head += "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()) + "\r\n"
    out = []
    try:
        for path in paths:
            writer.write(f"GET {path} HTTP/1.1\r\n{head}\r\n".encode())
            await writer.drain()
            out.append(await _answer(reader, path))
    finally:
        writer.close()
    return out


async def _answer(reader: asyncio.StreamReader, path: str) -> Http:
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/"):
        raise ClientError(f"GET {path}: no HTTP answer")
    headers = [(k.strip().lower(), v.strip()) for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)]
    fields = dict(headers)
    if fields.get("transfer-encoding", "").lower() == "chunked":
        while size := int((await reader.readline()).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        await reader.readline()
    else:
        await reader.readexactly(int(fields.get("content-length", "0")))
    return Http(int(lines[0].split()[1]), headers)


@dataclass
class Run:
    """One script run as the client saw it: every new element, by kind, and how it ended."""

    status: str = ""
    seconds: float = 0.0
    elements: list[Any] = field(default_factory=list)  # Element protos, in arrival order
    page_not_found: bool = False

    def kinds(self) -> list[str]:
        return [e.WhichOneof("type") for e in self.elements]

    def count(self, kind: str) -> int:
        return self.kinds().count(kind)

    def texts(self) -> list[str]:
        """The words a person reads: markdown, headings, metric labels and values, alerts, exceptions."""
        out: list[str] = []
        for e in self.elements:
            kind = e.WhichOneof("type")
            if kind in ("markdown", "heading", "alert"):
                out.append(getattr(e, kind).body)
            elif kind == "metric":
                out += [e.metric.label, e.metric.body]
            elif kind == "exception":
                out.append(f"{e.exception.type}: {e.exception.message}")
        return out

    def metric(self, label: str) -> str:
        """The value of the first metric whose label starts with `label`."""
        return next(
            e.metric.body
            for e in self.elements
            if e.WhichOneof("type") == "metric" and e.metric.label.startswith(label)
        )

    def errors(self) -> list[str]:
        """Exceptions and error alerts shown, a run that did not finish cleanly, a missing page."""
        out: list[str] = []
        for e in self.elements:
            kind = e.WhichOneof("type")
            if kind == "exception":
                out.append(f"exception {e.exception.type}: {e.exception.message[:300]}")
            elif kind == "alert" and e.alert.format == Alert.ERROR:
                out.append(f"error: {e.alert.body[:300]}")
        if self.status != "FINISHED_SUCCESSFULLY":
            out.append(f"run ended {self.status or 'without script_finished'}")
        if self.page_not_found:
            out.append("Page not found")
        return out


def _options(kind: str, proto: Any) -> list[str]:
    return [o.content for o in proto.options] if kind == "button_group" else list(proto.options)


def widget_state(element: Any, value: Any = None) -> WidgetState | None:
    """The state the frontend sends for a widget: its value as the server last drew it (value=None),
    or set to `value` (an option's label, a list of labels, a bool, a text, numbers). None for a
    kind the frontend sends only when used (buttons, chart selections)."""
    kind, proto = str(element.WhichOneof("type")), _proto(element)
    ws = WidgetState(id=proto.id)
    drawn = value is None
    if kind in ("radio", "selectbox"):
        options = _options(kind, proto)
        if drawn:
            value = proto.raw_value if proto.set_value else (options[proto.default] if options else "")
        elif value not in options:
            raise ClientError(f"{kind} {proto.id}: no option {value!r} in {options}")
        ws.string_value = value
    elif kind in ("multiselect", "button_group"):
        options = _options(kind, proto)
        if drawn:
            value = list(proto.raw_values) if proto.set_value else [options[i] for i in proto.default]
        value = [value] if isinstance(value, str) else list(value)
        if not set(value) <= set(options):
            raise ClientError(f"{kind} {proto.id}: options {value!r} not in {options}")
        ws.string_array_value.data[:] = value
    elif kind == "slider":
        ws.double_array_value.data[:] = (
            (proto.value if proto.set_value else proto.default) if drawn else value
        )
    elif kind == "checkbox":
        ws.bool_value = (proto.value if proto.set_value else proto.default) if drawn else bool(value)
    elif kind == "text_input":
        ws.string_value = (proto.value if proto.set_value else proto.default) if drawn else str(value)
    elif drawn:
        return None
    else:
        raise ClientError(f"widget kind {kind} is not encoded by bench/stclient.py")
    return ws


class Session:
    """One browser tab's conversation with the server: `open` a page, then `set` widgets."""

    def __init__(self, base: str, cookies: dict[str, str] | None = None, timeout: float = 300.0):
        self.base = base.rstrip("/")
        self.cookies = dict(cookies or {})
        self.timeout = timeout  # a hang guard for one run, never a verdict
        self.ws: ClientConnection | None = None
        self.last = Run()
        self.page_hash = ""
        self.query = ""
        self.widgets: dict[str, WidgetState] = {}  # what the frontend holds: every widget's value

    async def get(self, *paths: str, connections: int = 6) -> None:
        """GET the paths through the session's cookies, spread over up to `connections` kept-alive
        connections as a browser does, keeping any cookie the answers set (a proxy's sticky one)."""
        cookies = dict(self.cookies)
        groups = [list(paths[i::connections]) for i in range(min(connections, len(paths)))]
        results = await asyncio.gather(*(fetch(self.base, g, cookies) for g in groups))
        for group, answers in zip(groups, results, strict=True):
            for path, answer in zip(group, answers, strict=True):
                if answer.status >= 400:
                    raise ClientError(f"GET {path}: HTTP {answer.status}")
                for k, v in answer.headers:
                    if k == "set-cookie":
                        name, _, rest = v.partition("=")
                        self.cookies[name.strip()] = rest.split(";")[0]

    async def open(self, path: str = "/", assets: Iterable[str] = ()) -> Run:
        """Open a page by its URL (`/map?relevance=progressive`): the page, the static files given,
        a new websocket, and the page's first run."""
        await self.close()
        await self.get(path)  # first alone: the answer may set the sticky cookie the rest carry
        if assets:
            await self.get(*assets)
        url = urlsplit(path)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        ws_url = self.base.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.ws = await connect(
            ws_url,
            subprotocols=[Subprotocol("streamlit")],
            additional_headers={"Cookie": cookie} if cookie else None,
            max_size=None,
            compression=None,
        )
        self.query, self.widgets = url.query, {}
        return await self._run(ClientState(query_string=url.query, page_name=url.path.strip("/")))

    async def set(self, key: str, value: Any) -> Run:
        """Change the widget with user key `key` on the current page, as a click would."""
        found = [e for e in self.last.elements if _user_key(e) == key]
        if not found:
            raise ClientError(f"no widget with key {key!r} on the page")
        changed = widget_state(found[0], value)
        assert changed is not None
        self.widgets[changed.id] = changed
        states = WidgetStates(widgets=list(self.widgets.values()))
        return await self._run(
            ClientState(query_string=self.query, page_script_hash=self.page_hash, widget_states=states)
        )

    async def _run(self, state: ClientState) -> Run:
        assert self.ws is not None
        run, start = Run(), time.monotonic()
        try:
            await self.ws.send(BackMsg(rerun_script=state).SerializeToString())
            async with asyncio.timeout(self.timeout):
                while not run.status or run.status == "FINISHED_EARLY_FOR_RERUN":
                    self._take(ForwardMsg.FromString(await self.ws.recv()), run)
        except Exception as exc:
            raise ClientError(f"run not finished: {type(exc).__name__}: {exc}") from exc
        run.seconds = time.monotonic() - start
        self.last = run
        return run

    def _take(self, msg: ForwardMsg, run: Run) -> None:
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            run.elements.append(element)
            proto = _proto(element)
            wid = getattr(proto, "id", "")
            if wid and (wid not in self.widgets or getattr(proto, "set_value", False)):
                drawn = widget_state(element)  # a new widget, or one the script set: as drawn
                if drawn is not None:
                    self.widgets[wid] = drawn
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash  # the page this session is on
        elif kind == "new_session":
            if run.status == "FINISHED_EARLY_FOR_RERUN":  # a rerun the app asked for: a new run
                run.elements.clear()
                run.status = ""
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            run.page_not_found = True
        elif kind == "script_finished":
            status = FINISHED.Name(msg.script_finished)
            if status != "FINISHED_FRAGMENT_RUN_SUCCESSFULLY":
                run.status = status

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None


def _proto(element: Any) -> Any:
    """The element's own message (its `radio`, `metric`, ...)."""
    return getattr(element, str(element.WhichOneof("type")))


def _user_key(element: Any) -> str | None:
    wid = getattr(_proto(element), "id", "")
    return user_key_from_element_id(wid) if isinstance(wid, str) and is_element_id(wid) else None
