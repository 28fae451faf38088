"""The scripted model server: a loopback HTTP server that answers OpenAI API calls from a script.

Each model request (``POST /v1/responses`` or ``POST /v1/chat/completions``) takes
the next script step; every request is recorded. Stdlib only, so the app's demo
mode can run it in-process as well as the tests.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from codex_tui.scripted.http_handler import (
    MODEL_PATHS,
    RecordedRequest,
    ScriptHandler,
    ScriptHttpServer,
    shut,
)
from codex_tui.scripted.steps import DEFAULT_MODEL, Step

# How long stop() waits for request threads before giving up on them (they are daemons).
_STOP_JOIN_S = 2.0


class ScriptedModelServer:
    """An OpenAI-protocol HTTP server on 127.0.0.1 that plays a script of replies and faults.

    Use it as a context manager or call :meth:`start` and :meth:`stop`; point a client
    at :attr:`base_url`.
    """

    def __init__(
        self,
        steps: Iterable[Step] = (),
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        models: Iterable[str] = (DEFAULT_MODEL,),
    ) -> None:
        self.host = host
        self.models = list(models)
        self._requested_port = port
        self._steps: list[Step] = list(steps)
        self._next_step = 0
        self._requests: list[RecordedRequest] = []
        self._errors: list[str] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ScriptHttpServer | None = None
        self._serve_thread: threading.Thread | None = None
        self._open_connections: dict[socket.socket, threading.Thread] = {}

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> ScriptedModelServer:
        """Bind a port and serve in a background thread; returns self."""
        if self._httpd is not None:
            raise RuntimeError("the scripted server was already started")
        self._httpd = ScriptHttpServer((self.host, self._requested_port), ScriptHandler, self)
        self._serve_thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"scripted-model-server:{self.port}",
            daemon=True,
        )
        self._serve_thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release hanging and streaming requests, close every connection."""
        if self._httpd is None or self._stopping.is_set():
            return
        self._stopping.set()
        self._httpd.shutdown()
        with self._lock:
            connections = dict(self._open_connections)
        for conn in connections:
            shut(conn)
        self._httpd.server_close()
        deadline = time.monotonic() + _STOP_JOIN_S
        threads = [self._serve_thread, *connections.values()]
        for thread in threads:
            if thread is not None:
                thread.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self) -> ScriptedModelServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound TCP port (chosen by the OS when constructed with ``port=0``)."""
        if self._httpd is None:
            raise RuntimeError("the scripted server is not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """What a client takes as its base URL: ``http://127.0.0.1:PORT/v1``."""
        return f"http://{self.host}:{self.port}/v1"

    # --- script and records ----------------------------------------------------------

    def add(self, *steps: Step) -> None:
        """Append steps to the script; safe while requests are being served."""
        with self._lock:
            self._steps.extend(steps)

    @property
    def pending_steps(self) -> int:
        """How many script steps no request has taken yet."""
        with self._lock:
            return len(self._steps) - self._next_step

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def bodies(self) -> list[Any]:
        """The JSON bodies of the model requests (responses and chat), in arrival order."""
        return [r.body for r in self.requests if r.path in MODEL_PATHS]

    @property
    def last_body(self) -> Any:
        """The body of the latest model request; fails if there was none."""
        bodies = self.bodies
        if not bodies:
            raise AssertionError("the scripted server received no model request")
        return bodies[-1]

    @property
    def errors(self) -> list[str]:
        """Tracebacks of unexpected exceptions in request handlers (server bugs)."""
        with self._lock:
            return list(self._errors)

    # --- used by the request handler -------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        """Record a request that takes no script step."""
        with self._lock:
            self._requests.append(request)

    def _record_and_take_step(self, request: RecordedRequest) -> Step | str:
        """Record a model request and take the next step, or say why there is none."""
        with self._lock:
            index = self._next_step
            if index < len(self._steps):
                self._next_step += 1
                self._requests.append(dataclasses.replace(request, step_index=index))
                return self._steps[index]
            self._requests.append(request)
            number = sum(r.path in MODEL_PATHS for r in self._requests)
            return (
                f"scripted server: script exhausted: model request #{number} "
                f"({request.method} {request.path}) found no step left ({len(self._steps)} "
                "scripted). Script more replies or call server.add()."
            )

    def _open(self, conn: socket.socket) -> bool:
        with self._lock:
            if self._stopping.is_set():
                return False
            self._open_connections[conn] = threading.current_thread()
            return True

    def _close(self, conn: socket.socket) -> None:
        with self._lock:
            self._open_connections.pop(conn, None)

    def _record_error(self, text: str) -> None:
        with self._lock:
            self._errors.append(text)
