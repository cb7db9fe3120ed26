"""A browserless Streamlit session for the load bench: speaks the app's websocket protocol
(``/_stcore/stream``, protobuf ``BackMsg`` up, ``ForwardMsg`` down) as the browser's client does, so
one process can hold many sessions without drawing anything.

A run is timed from the ``rerun_script`` BackMsg to the ``script_finished`` ForwardMsg that ends the
run chain (``FINISHED_SUCCESSFULLY``; a run stopped early for a rerun is followed by the next one).
What a run sent back is kept as a :class:`Run`: the checkboxes (label, widget id, value), the text of
the page (titles, captions, markdown), the query string the script set, and the bytes received.
Widgets the client changed are sent with every later rerun, as the browser sends its widget states, and
so are the hashes of the large messages it keeps: the server then sends a reference instead of the
message again (the map, unchanged by a sidebar click, is not sent twice), as it does to a browser."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect


class ProtocolError(RuntimeError):
    """The server answered a run with something a browser would show as an error."""


@dataclass
class Checkbox:
    """A checkbox as the run drew it."""

    id: str
    label: str
    value: bool


@dataclass
class Run:
    """One script run as the client saw it."""

    seconds: float
    received_bytes: int = 0
    messages: int = 0
    checkboxes: dict[str, Checkbox] = field(default_factory=dict)  # label -> checkbox
    texts: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)  # st.info/warning bodies
    errors: list[str] = field(default_factory=list)  # st.error bodies
    cached_refs: int = 0  # messages the server referred to instead of sending them again
    components: int = 0  # custom components (the map) drawn
    query_string: str | None = None  # set by the script (st.query_params), None when unchanged
    page_title: str | None = None

    def checkbox(self, prefix: str) -> Checkbox:
        """The checkbox whose label starts with ``prefix``."""
        hits = [c for label, c in self.checkboxes.items() if label.startswith(prefix)]
        if len(hits) != 1:
            raise ProtocolError(f"expected one checkbox labelled {prefix!r}..., got {sorted(self.checkboxes)}")
        return hits[0]


class Session:
    """One user's session over a websocket: ``await open()``, ``await run()`` (the first page run),
    ``await toggle(label_prefix)`` (a checkbox click, which reruns the script), ``await close()``."""

    def __init__(self, base_url: str, query_string: str = "", *, timeout_s: float = 600.0) -> None:
        self.ws_url = base_url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.query_string = query_string
        self.timeout_s = timeout_s
        self.page_script_hash = ""
        self.widgets: dict[str, bool] = {}  # widget id -> value the user set
        self._cache: dict[str, ForwardMsg] = {}  # hash -> cacheable message received
        self.last: Run | None = None
        self._ws: ClientConnection | None = None

    async def open(self) -> None:
        # the browser names the protocol first (then an XSRF token and a session id to resume; none here)
        self._ws = await connect(self.ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=60)  # type: ignore[list-item]

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()

    async def run(self) -> Run:
        """One rerun with the widget states set so far; returns when the run chain has finished."""
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query_string
        state.page_script_hash = self.page_script_hash
        state.cached_message_hashes.extend(self._cache)
        for wid, value in self.widgets.items():
            w = state.widget_states.widgets.add()
            w.id, w.bool_value = wid, value
        assert self._ws is not None, "open() the session first"
        t0 = time.perf_counter()
        await self._ws.send(msg.SerializeToString())
        run = Run(seconds=0.0)
        await asyncio.wait_for(self._receive(run), self.timeout_s)
        run.seconds = time.perf_counter() - t0
        if run.query_string is not None:
            self.query_string = run.query_string
        self.last = run
        return run

    async def toggle(self, label_prefix: str) -> tuple[bool, Run]:
        """Click the checkbox labelled ``label_prefix``...: its new value and the rerun it caused."""
        if self.last is None:
            raise ProtocolError("run the page before clicking in it")
        box = self.last.checkbox(label_prefix)
        on = not self.widgets.get(box.id, box.value)
        self.widgets[box.id] = on
        return on, await self.run()

    async def _receive(self, run: Run) -> None:
        assert self._ws is not None
        while True:
            data = await self._ws.recv()
            if isinstance(data, str):
                raise ProtocolError(f"text frame from the server: {data[:200]!r}")
            run.received_bytes += len(data)
            run.messages += 1
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            if fwd.WhichOneof("type") == "ref_hash":
                if fwd.ref_hash not in self._cache:
                    raise ProtocolError(f"the server referred to message {fwd.ref_hash}, which it never sent")
                run.cached_refs += 1
                fwd = self._cache[fwd.ref_hash]
            elif fwd.metadata.cacheable:
                self._cache[fwd.hash] = fwd
            if self._read(fwd, run):
                return

    def _read(self, fwd: ForwardMsg, run: Run) -> bool:
        """File one ForwardMsg into ``run``; True when it ends the run chain."""
        kind = fwd.WhichOneof("type")
        if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            _element(fwd.delta.new_element, run)
        elif kind == "page_info_changed":
            run.query_string = fwd.page_info_changed.query_string
        elif kind == "page_config_changed":
            run.page_title = fwd.page_config_changed.title
        elif kind == "navigation" and fwd.navigation.page_script_hash:
            self.page_script_hash = fwd.navigation.page_script_hash
        elif kind == "session_event" and fwd.session_event.WhichOneof("type") == "script_compilation_exception":
            raise ProtocolError(f"the script did not compile: {fwd.session_event.script_compilation_exception.message}")
        elif kind == "script_finished":
            if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                raise ProtocolError("the script finished with a compile error")
            return fwd.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
        return False


def _element(el, run: Run) -> None:  # noqa: ANN001 - an Element protobuf
    kind = el.WhichOneof("type")
    if kind == "checkbox":
        c = el.checkbox
        run.checkboxes[c.label] = Checkbox(c.id, c.label, c.value if c.set_value else c.default)
    elif kind in ("heading", "markdown", "text"):
        run.texts.append(getattr(el, kind).body)
    elif kind == "alert":
        (run.errors if el.alert.format == el.alert.ERROR else run.alerts).append(el.alert.body)
    elif kind == "exception":
        raise ProtocolError(f"the page raised {el.exception.type}: {el.exception.message}")
    elif kind in ("component_instance", "bidi_component"):
        run.components += 1
