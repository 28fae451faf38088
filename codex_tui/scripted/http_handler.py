"""HTTP plumbing of the scripted model server: routes, streaming, faults, recording.

One :class:`ScriptHandler` thread serves each connection; it asks the owning
:class:`~codex_tui.scripted.server.ScriptedModelServer` for the next step.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Literal

from codex_tui.scripted import chat_wire, responses_wire
from codex_tui.scripted.sse import WireEvent
from codex_tui.scripted.steps import (
    DropConnection,
    ErrorEvent,
    Failed,
    Hang,
    HttpError,
    RawBody,
    RawEvents,
    Reply,
    Step,
    error_body,
    new_id,
)

if TYPE_CHECKING:
    from codex_tui.scripted.server import ScriptedModelServer

Wire = Literal["responses", "chat"]
MODEL_PATHS: dict[str, Wire] = {"/v1/responses": "responses", "/v1/chat/completions": "chat"}

# Connection errors are how clients hang up (timeouts, dropped streams): not server bugs.
_HANGUP_ERRORS = (ConnectionError, TimeoutError)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it.

    ``headers`` has lower-cased names. ``body`` is the parsed JSON (raw text when it
    is not JSON, None when empty). ``step_index`` is the script step that answered
    it, None for other requests and for those that found the script exhausted.
    """

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    step_index: int | None = None


def shut(conn: socket.socket) -> None:
    """Shut a connection both ways; fine if the peer already closed it."""
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)


class ScriptHttpServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its owning scripted server."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        owner: ScriptedModelServer,
    ) -> None:
        self.owner = owner
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, which can stall on DNS.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.owner._record_error(traceback.format_exc())


class ScriptHandler(BaseHTTPRequestHandler):
    """Serves one connection: records each request and answers it from the script."""

    protocol_version = "HTTP/1.1"  # keep-alive and chunked streams, like a real API server
    server_version = "scripted-openai/1.0"
    server: ScriptHttpServer

    @property
    def owner(self) -> ScriptedModelServer:
        return self.server.owner

    def setup(self) -> None:
        super().setup()
        if not self.owner._open(self.connection):
            shut(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.owner._close(self.connection)

    def handle(self) -> None:
        try:
            super().handle()
        except _HANGUP_ERRORS:
            pass
        except Exception:
            self.owner._record_error(traceback.format_exc())

    def log_message(self, format: str, *args: Any) -> None:
        pass  # requests are recorded instead; the TUI must not get stray stderr lines

    # --- routes ----------------------------------------------------------------------

    def do_GET(self) -> None:
        path = self._path()
        self.owner._record(self._recorded(path, None))
        model_id = path.removeprefix("/v1/models/")
        if path == "/v1/models":
            models = [_model_json(m) for m in self.owner.models]
            self._send_json(200, {"object": "list", "data": models})
        elif model_id != path and model_id in self.owner.models:
            self._send_json(200, _model_json(model_id))
        else:
            self._send_not_found(path)

    def do_POST(self) -> None:
        path = self._path()
        body = self._read_body()
        wire = MODEL_PATHS.get(path)
        if wire is None or not isinstance(body, dict):
            self.owner._record(self._recorded(path, body))
            if wire is None:
                self._send_not_found(path)
            else:
                message = "scripted server: the request body is not a JSON object."
                self._send_json(400, error_body(message, error_type="invalid_request_error"))
            return
        step = self.owner._record_and_take_step(self._recorded(path, body))
        if isinstance(step, str):
            self._send_json(500, error_body(step, error_type="script_exhausted"))
        else:
            self._answer(step, wire, body)

    # --- answering a step ------------------------------------------------------------

    def _answer(self, step: Step, wire: Wire, body: dict[str, Any]) -> None:
        streaming = body.get("stream") is True
        match step:
            case HttpError(status=status, body=error, headers=headers):
                self._send_json(status, error, headers)
            case Reply() if streaming:
                if self._send_stream(_wire_events(wire, step, body), step.delay_per_delta_s):
                    self._end_chunks()
                else:
                    self._drop()
            case Reply():
                self._send_complete(step, wire, body)
            case DropConnection(after_events=limit, reply=reply, graceful=graceful):
                if streaming:
                    events = _wire_events(wire, reply, body)
                    self._send_stream(events, reply.delay_per_delta_s, limit)
                if streaming and graceful:
                    self._end_chunks()
                    self.close_connection = True
                else:
                    self._drop()
            case RawEvents(events=raw):
                self._send_stream(iter([WireEvent(None, item) for item in raw]), 0.0)
                self._end_chunks()
            case RawBody(status=status, body=text, content_type=content_type):
                self._send_raw(status, text.encode(), content_type)
            case Hang(after_events=limit, reply=reply, timeout_s=timeout_s):
                if streaming and limit is not None:
                    events = _wire_events(wire, reply, body)
                    self._send_stream(events, reply.delay_per_delta_s, limit)
                self.owner._stopping.wait(timeout_s)
                self._drop()

    def _send_complete(self, reply: Reply, wire: Wire, body: dict[str, Any]) -> None:
        match reply.end:
            case Failed(code=code, message=message) | ErrorEvent(code=code, message=message):
                self._send_json(500, error_body(message, error_type="server_error", code=code))
                return
        if wire == "responses":
            self._send_json(200, responses_wire.response_body(reply, body))
        else:
            self._send_json(200, chat_wire.completion_body(reply, body))

    def _send_stream(
        self, events: Iterator[WireEvent], delay_per_delta_s: float, limit: int | None = None
    ) -> bool:
        """Send headers and events (at most ``limit``); True when every event went out."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("x-request-id", new_id("req"))
        self.end_headers()
        stopping = self.owner._stopping
        for count, event in enumerate(events):
            if limit is not None and count >= limit:
                return False
            if event.is_delta and delay_per_delta_s > 0:
                stopping.wait(delay_per_delta_s)
            if stopping.is_set():
                return False
            data = event.encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        return True

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")

    def _drop(self) -> None:
        self.close_connection = True
        shut(self.connection)

    def _send_json(
        self, status: int, body: dict[str, Any] | str | None, headers: dict[str, str] | None = None
    ) -> None:
        if isinstance(body, dict):
            data, content_type = json.dumps(body).encode(), "application/json"
        else:
            data, content_type = (body or "").encode(), "text/plain; charset=utf-8"
        self._send_raw(status, data, content_type, headers)

    def _send_raw(
        self,
        status: int,
        data: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", new_id("req"))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_not_found(self, path: str) -> None:
        message = f"scripted server: no route for {self.command} {path}."
        self._send_json(404, error_body(message, error_type="invalid_request_error"))

    # --- reading the request ---------------------------------------------------------

    def _path(self) -> str:
        return self.path.split("?", 1)[0]

    def _read_body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        if not raw:
            return None
        text = raw.decode("utf-8", errors="replace")
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text

    def _recorded(self, path: str, body: Any) -> RecordedRequest:
        headers = {name.lower(): value for name, value in self.headers.items()}
        return RecordedRequest(self.command, path, headers, body)


def _wire_events(wire: Wire, reply: Reply, body: dict[str, Any]) -> Iterator[WireEvent]:
    if wire == "responses":
        return responses_wire.ResponsesStream(reply, body).events()
    return chat_wire.ChatStream(reply, body).events()


def _model_json(model_id: str) -> dict[str, Any]:
    return {"id": model_id, "object": "model", "created": 0, "owned_by": "scripted"}
