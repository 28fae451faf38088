"""A scripted OpenAI-protocol model server, for tests and the demo mode.

Example::

    with ScriptedModelServer([Reply([Message("Hello!")]), rate_limited(2)]) as server:
        client = AsyncOpenAI(base_url=server.base_url, api_key="test")
        ...
        assert server.bodies[0]["model"] == "gpt-test"
"""

from __future__ import annotations

from codex_tui.scripted.http_handler import RecordedRequest
from codex_tui.scripted.server import ScriptedModelServer
from codex_tui.scripted.steps import (
    DEFAULT_MODEL,
    Completed,
    DropConnection,
    Ending,
    ErrorEvent,
    Failed,
    FunctionCall,
    Hang,
    HttpError,
    Incomplete,
    Message,
    OutputItem,
    RawBody,
    RawEvents,
    Reasoning,
    Reply,
    Step,
    Usage,
    WebSearch,
    context_length_exceeded,
    error_body,
    previous_response_not_found,
    rate_limited,
    server_error,
    unauthorized,
)

__all__ = [
    "DEFAULT_MODEL",
    "Completed",
    "DropConnection",
    "Ending",
    "ErrorEvent",
    "Failed",
    "FunctionCall",
    "Hang",
    "HttpError",
    "Incomplete",
    "Message",
    "OutputItem",
    "RawBody",
    "RawEvents",
    "Reasoning",
    "RecordedRequest",
    "Reply",
    "ScriptedModelServer",
    "Step",
    "Usage",
    "WebSearch",
    "context_length_exceeded",
    "error_body",
    "previous_response_not_found",
    "rate_limited",
    "server_error",
    "unauthorized",
]
