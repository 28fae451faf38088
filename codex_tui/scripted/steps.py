"""Script steps for the scripted model server: what the model says, and how the server fails.

A script is a list of steps; each model request (``/v1/responses`` or
``/v1/chat/completions``) consumes the next one. A step is either a :class:`Reply`
(streamed or not, on either wire) or a fault (:class:`HttpError`,
:class:`DropConnection`, :class:`Hang`).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, TypeAlias

DEFAULT_MODEL = "scripted-model"
"""The model name reported when neither the reply nor the request names one."""


def new_id(prefix: str) -> str:
    """Return an id shaped like OpenAI's: ``prefix_`` followed by 32 hex digits."""
    return f"{prefix}_{uuid.uuid4().hex}"


# --- what the model says ------------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    """Token counts reported at the end of a reply, on both wires."""

    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


@dataclass
class Reasoning:
    """A reasoning item; each string in ``summary`` is one summary part.

    On the chat wire the parts become ``reasoning_content`` deltas (joined by a blank line).
    """

    summary: str | list[str] = ""
    encrypted_content: str | None = None
    id: str = field(default_factory=lambda: new_id("rs"))

    @property
    def parts(self) -> list[str]:
        """The summary parts, as a list even when given as one string."""
        if isinstance(self.summary, str):
            return [self.summary] if self.summary else []
        return list(self.summary)


@dataclass
class Message:
    """An assistant message with one ``output_text`` content part."""

    text: str
    id: str = field(default_factory=lambda: new_id("msg"))


@dataclass
class FunctionCall:
    """A function tool call; a dict ``arguments`` is JSON-encoded, a str is sent verbatim."""

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    call_id: str = field(default_factory=lambda: new_id("call"))
    id: str = field(default_factory=lambda: new_id("fc"))

    @property
    def arguments_json(self) -> str:
        """The arguments exactly as they go on the wire."""
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments)


@dataclass
class WebSearch:
    """A hosted web search the server ran (``web_search_call``; Responses wire only)."""

    query: str
    sources: list[str] = field(default_factory=list)
    id: str = field(default_factory=lambda: new_id("ws"))


OutputItem: TypeAlias = Reasoning | Message | FunctionCall | WebSearch


# --- how a reply ends ----------------------------------------------------------------


@dataclass(frozen=True)
class Completed:
    """Normal end: ``response.completed``; chat: finish_reason ``stop``/``tool_calls``."""


@dataclass(frozen=True)
class Failed:
    """End with ``response.failed`` carrying ``error``; chat: an in-stream error object."""

    code: str = "server_error"
    message: str = "The model failed to generate a response."


@dataclass(frozen=True)
class Incomplete:
    """End with ``response.incomplete`` and this reason; chat: finish_reason ``length``/…"""

    reason: str = "max_output_tokens"


@dataclass(frozen=True)
class ErrorEvent:
    """End with a bare ``error`` event (chat: an error object), then close the stream."""

    message: str = "An error occurred while processing your request."
    code: str | None = "server_error"


Ending: TypeAlias = Completed | Failed | Incomplete | ErrorEvent


@dataclass
class Reply:
    """One model turn: output items in order, the usage to report, and how it ends.

    ``usage=None`` reports an estimate (about four characters a token). Text and
    arguments are cut into deltas of ``chunk_size`` characters (0: one delta each);
    ``delay_per_delta_s`` pauses before each delta so a client sees a live stream.
    ``model=None`` echoes the request's model.
    """

    items: list[OutputItem] = field(default_factory=list)
    usage: Usage | None = None
    end: Ending = field(default_factory=Completed)
    id: str = field(default_factory=lambda: new_id("resp"))
    model: str | None = None
    chunk_size: int = 8
    delay_per_delta_s: float = 0.0

    @property
    def function_calls(self) -> list[FunctionCall]:
        """The reply's function calls, in order."""
        return [item for item in self.items if isinstance(item, FunctionCall)]

    def usage_for(self, request_body: Any) -> Usage:
        """The usage to report: the scripted one, or an estimate from the sizes involved."""
        if self.usage is not None:
            return self.usage
        reasoning = sum(len(p) for i in self.items if isinstance(i, Reasoning) for p in i.parts)
        visible = sum(
            len(i.text) if isinstance(i, Message) else len(i.name) + len(i.arguments_json)
            for i in self.items
            if isinstance(i, Message | FunctionCall)
        )
        reasoning_tokens = _tokens(reasoning)
        return Usage(
            input_tokens=_tokens(len(json.dumps(request_body))),
            output_tokens=_tokens(visible) + reasoning_tokens,
            reasoning_tokens=reasoning_tokens,
        )


def _tokens(chars: int) -> int:
    return (chars + 3) // 4


def split_deltas(text: str, chunk_size: int) -> list[str]:
    """Cut ``text`` into deltas of ``chunk_size`` characters (0 or less: one delta)."""
    if chunk_size <= 0 or len(text) <= chunk_size:
        return [text]
    return [text[start : start + chunk_size] for start in range(0, len(text), chunk_size)]


# --- faults --------------------------------------------------------------------------


@dataclass
class HttpError:
    """Answer with an HTTP error: any status, a JSON (dict) or raw text body, extra headers."""

    status: int
    body: dict[str, Any] | str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _cut_off_reply() -> Reply:
    return Reply([Message("This answer is cut off before it ends.")])


@dataclass
class DropConnection:
    """Stream ``reply`` but cut the connection after ``after_events`` events.

    ``response.completed`` (chat: ``[DONE]``) never arrives. With ``graceful=True`` the
    HTTP body ends cleanly (a stream that just stops); otherwise the socket is shut
    mid-body, which clients see as a broken connection. A non-streamed request gets
    its connection closed before any response.
    """

    after_events: int = 3
    reply: Reply = field(default_factory=_cut_off_reply)
    graceful: bool = False


@dataclass
class Hang:
    """Stall until ``stop()`` or ``timeout_s``, then close the connection.

    ``after_events=None`` stalls before any header is sent; a number streams that
    many events of ``reply`` first (non-streamed requests always stall before headers).
    """

    after_events: int | None = None
    reply: Reply = field(default_factory=_cut_off_reply)
    timeout_s: float = 60.0


@dataclass
class RawEvents:
    """Stream exactly these server-sent events (hostile or malformed ones included):
    a str is sent as the ``data:`` text verbatim, anything else as its JSON. The
    stream ends cleanly after them; the wire's own framing (``[DONE]``,
    ``response.completed``) is only there if the list has it."""

    events: list[Any]


@dataclass
class RawBody:
    """Answer with this body as it is (an HTML error page, say), any status."""

    status: int = 200
    body: str = "<html><body><h1>Welcome to nginx!</h1></body></html>"
    content_type: str = "text/html"


Step: TypeAlias = Reply | HttpError | DropConnection | Hang | RawEvents | RawBody


def error_body(
    message: str, *, error_type: str, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    """An OpenAI-style error body: ``{"error": {message, type, param, code}}``."""
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


def _seconds_text(seconds: float) -> str:
    # OpenAI words short waits in milliseconds ("try again in 20ms") and others in seconds.
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    return f"{seconds:g}s"


def rate_limited(retry_after_s: float = 1.0, *, model: str = DEFAULT_MODEL) -> HttpError:
    """HTTP 429 with a ``Retry-After`` header and a "Please try again in Ns." message."""
    message = (
        f"Rate limit reached for {model} in organization org-scripted on tokens per min "
        f"(TPM): Limit 30000, Used 30000, Requested 1200. "
        f"Please try again in {_seconds_text(retry_after_s)}."
    )
    return HttpError(
        429,
        error_body(message, error_type="tokens", code="rate_limit_exceeded"),
        {"Retry-After": f"{retry_after_s:g}"},
    )


def server_error(status: int = 500) -> HttpError:
    """HTTP 500 (or another 5xx) with the error body OpenAI sends for its own failures."""
    message = "The server had an error while processing your request. Sorry about that!"
    return HttpError(status, error_body(message, error_type="server_error"))


def context_length_exceeded() -> HttpError:
    """HTTP 400 with code ``context_length_exceeded``."""
    message = (
        "Your input exceeds the context window of this model. "
        "Please adjust your input and try again."
    )
    return HttpError(
        400,
        error_body(
            message,
            error_type="invalid_request_error",
            code="context_length_exceeded",
            param="input",
        ),
    )


def unauthorized() -> HttpError:
    """HTTP 401 with code ``invalid_api_key``."""
    message = "Incorrect API key provided. You can find your API key in your account settings."
    return HttpError(
        401, error_body(message, error_type="invalid_request_error", code="invalid_api_key")
    )


def previous_response_not_found(response_id: str = "resp_unknown") -> HttpError:
    """HTTP 404 with code ``previous_response_not_found``."""
    return HttpError(
        404,
        error_body(
            f"Previous response with id '{response_id}' not found.",
            error_type="invalid_request_error",
            code="previous_response_not_found",
            param="previous_response_id",
        ),
    )
