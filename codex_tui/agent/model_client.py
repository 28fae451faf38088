"""The model client: one streaming request with bounded retries on either wire.

`openai` is imported on first use (it costs ~0.5 s), never at module import,
so the TUI's first frame does not wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import os
import platform
import random
import re
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from codex_tui.agent import wire_chat, wire_responses
from codex_tui.agent.model_stream import (
    Completed,
    ModelError,
    ModelRequest,
    RetryableError,
    Retrying,
    StreamEvent,
)
from codex_tui.agent.sse import sse_payloads
from codex_tui.config.schema import ModelProvider

TRY_AGAIN = re.compile(r"try again in\s+([0-9.]+)\s*(ms|s)", re.IGNORECASE)
TITLE = re.compile(r"<title[^>]*>([^<]{0,200})", re.IGNORECASE)


def missing_key_message(provider_id: str, provider: ModelProvider) -> str:
    return (
        f"{provider.env_key} is not set: `export {provider.env_key}=<your key>`, or point"
        f" `model_provider` in config.yaml at a local server (provider {provider_id!r})"
    )


class ModelClient:
    """Streams one request at a time to the configured provider."""

    def __init__(
        self,
        provider_id: str,
        provider: ModelProvider,
        backoff_base_s: float = 0.5,
        backoff_max_s: float = 20.0,
        sleep: Callable[[float], Any] = asyncio.sleep,
    ) -> None:
        self.provider_id = provider_id
        self.provider = provider
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self._sleep = sleep
        self._client: Any = None
        self._client_lock = threading.Lock()  # warm_up may build it on another thread

    def api_key(self) -> str:
        if not self.provider.env_key:
            return "not-needed"  # local servers ignore it; the SDK wants something
        key = os.environ.get(self.provider.env_key)
        if not key:
            raise ModelError(missing_key_message(self.provider_id, self.provider), "auth")
        return key

    def client(self) -> Any:
        with self._client_lock:
            if self._client is None:
                import openai

                self._client = openai.AsyncOpenAI(
                    api_key=self.api_key(),
                    base_url=self.provider.base_url,
                    max_retries=0,  # retries are ours: bounded, visible, with backoff
                    timeout=self.provider.stream_idle_timeout_ms / 1000,
                )
            return self._client

    def warm_up(self) -> None:
        """Do now, on a worker thread, what the first request would otherwise do on
        the event loop (~0.5-0.8 s on a small machine): import the SDK, build its
        client and HTTP transport, and ask the platform
        what the SDK's headers report (`uname -p` runs once, then it is cached).
        Whatever fails here is left for the request to report."""
        try:
            platform.platform()
            self.client()
        except Exception:  # the request reports it, with context
            return
        with contextlib.suppress(ImportError):
            # The async backend the SDK's HTTP transport loads at its first request.
            importlib.import_module("anyio._backends._asyncio")

    async def ready_client(self) -> Any:
        """The SDK client, built on a worker thread when it is not yet: the first
        request must not hold the event loop for the SDK's import, nor wait there for
        a warm-up that is still importing it on another thread."""
        if self._client is None:
            return await asyncio.to_thread(self.client)
        return self._client

    async def list_models(self, timeout_s: float = 5.0) -> list[str] | None:
        """The model ids the server lists (`GET /models`); None when it cannot say
        (no key yet, unreachable, no such endpoint, a malformed answer)."""
        try:
            async with asyncio.timeout(timeout_s):
                client = await self.ready_client()
                page = await client.models.list()
                return sorted({m.id for m in page.data if isinstance(m.id, str) and m.id})
        except Exception:  # any failure just means "unknown": the caller falls back
            return None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    @property
    def streaming(self) -> bool:
        """False for a provider set to `stream: false` (one plain request each time)."""
        return self.provider.stream

    async def stream(self, req: ModelRequest) -> AsyncIterator[StreamEvent]:
        """Yield the response's events; on a retryable failure yield Retrying and
        start over (consumers drop what the failed attempt streamed)."""
        failures = {"request": 0, "stream": 0}
        limits = {
            "request": self.provider.request_max_retries,
            "stream": self.provider.stream_max_retries,
        }
        empty_closes = 0
        while True:
            got_any = False
            try:
                async for event in self._attempt(req):
                    got_any = True
                    yield event
                return
            except RetryableError as exc:
                reason = exc.reason
                if exc.stage == "stream" and not got_any and exc.closed:
                    empty_closes += 1
                    if empty_closes >= 2:
                        reason += f"; {self.no_stream_hint()}"
                failures[exc.stage] += 1
                attempt, limit = failures[exc.stage], limits[exc.stage]
                if attempt > limit:
                    tries = "no retries" if limit == 0 else f"{limit} retries"
                    raise ModelError(f"{reason} (gave up after {tries})") from None
                delay = exc.retry_after if exc.retry_after is not None else self.backoff(attempt)
                yield Retrying(attempt=attempt, max_attempts=limit, delay_s=delay, reason=reason)
                await self._sleep(delay)

    def no_stream_hint(self) -> str:
        return (
            "the server closed the stream before sending anything, twice: it may not"
            " support streaming (with tools); set"
            f" `model_providers.{self.provider_id}.stream: false` to send plain requests"
        )

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: base * 2^(n-1), ±20 %, capped."""
        delay = min(self.backoff_max_s, self.backoff_base_s * 2.0 ** (attempt - 1))
        return float(delay * random.uniform(0.8, 1.2))

    async def _attempt(self, req: ModelRequest) -> AsyncIterator[StreamEvent]:
        client = await self.ready_client()
        import openai  # imported by now: the client is built

        chat = self.provider.wire_api == "chat"
        wire = wire_chat if chat else wire_responses
        params = wire.request_params(req)
        url = self.provider.base_url
        # The body goes to the client's own `post` (its auth, base URL, headers and
        # errors), already JSON-ready: the typed `create` methods walk the history
        # through a transform (~0.5 s per 1,000 items, on the event loop), and their
        # resources cost ~0.1-0.2 s to import. The raw-response header is the one
        # the SDK's with_streaming_response sets: the body is left unread for us.
        body: dict[str, Any] = {"model": params.pop("model"), "stream": self.streaming}
        if chat:
            body["messages"] = []  # where the typed call put it; the real list follows
        body.update(params)
        try:
            response = await client.post(
                "/chat/completions" if chat else "/responses",
                cast_to=object,
                body=body,
                options={"headers": {"X-Stainless-Raw-Response": "stream"}},
                stream=self.streaming,
            )
        except openai.APIStatusError as exc:
            raise classify_status(exc, self.provider_id, self.provider) from None
        except openai.APITimeoutError:
            idle = self.provider.stream_idle_timeout_ms / 1000
            raise RetryableError(f"no answer from {url} within {idle:g}s", "request") from None
        except openai.APIConnectionError as exc:
            raise RetryableError(f"cannot reach {url}: {reason_of(exc)}", "request") from None
        try:
            events = await self._events(response, wire, url)
            completed = False
            async for event in wire.translate(events):
                completed = completed or isinstance(event, Completed)
                yield event
        except (RetryableError, ModelError):
            raise
        except ValueError as exc:  # malformed JSON in the stream
            raise ModelError(f"the model server sent a malformed event: {exc}") from None
        except Exception as exc:  # our reading of its events failed: not worth a retry
            problem = f"{type(exc).__name__}: {exc}"
            raise ModelError(
                f"the model server sent an event codex-tui cannot read ({problem})"
            ) from None
        finally:
            await response.close()
        if not completed:
            raise RetryableError("stream closed before response.completed", "stream", closed=True)

    async def _events(self, response: Any, wire: Any, url: str | None) -> AsyncIterator[Any]:
        """The response's events: streamed ones as they come, or those of a whole
        JSON response (`stream: false`, or a server that ignored `stream: true`)."""
        content_type = str(response.headers.get("content-type", "")).lower()
        if "text/event-stream" in content_type:
            idle = self.provider.stream_idle_timeout_ms / 1000
            return sse_payloads(with_idle_timeout(response.iter_bytes(), idle))
        body = await response.read()
        whole = parse_json_object(body) if "json" in content_type else None
        if whole is not None and wire.is_complete(whole):
            return _aiter(wire.complete_events(whole))
        what = describe_body(content_type, body)
        raise ModelError(
            f"the server at {url} answered with {what}, not an event stream; is base_url right?"
        )


async def _aiter(items: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    for item in items:
        yield item


def parse_json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def describe_body(content_type: str, body: bytes) -> str:
    """A few words on a body that is not what was asked for."""
    text = body[:4096].decode("utf-8", "replace")
    if "html" in content_type or text.lstrip().lower().startswith(("<!doctype", "<html")):
        title = TITLE.search(text)
        return f"an HTML page ({title.group(1).strip()[:80]})" if title else "an HTML page"
    first = " ".join(text.split())[:120]
    kind = content_type.split(";")[0] or "no content type"
    if not first:
        return f"an empty {kind} body"
    return first if kind == "text/plain" else f"{kind} ({first})"


async def with_idle_timeout(stream: Any, idle_s: float) -> AsyncIterator[Any]:
    """Re-yield `stream`, failing when nothing arrives for `idle_s` seconds; any
    error of the transport is a retryable interruption."""
    iterator = stream.__aiter__()
    while True:
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a
            # cancellation that lands as the item arrives, and interrupts must win.
            async with asyncio.timeout(idle_s):
                event = await iterator.__anext__()
        except StopAsyncIteration:
            return
        except TimeoutError:
            raise RetryableError(f"no data from the model for {idle_s:g}s", "stream") from None
        except Exception as exc:  # transport errors come from several libraries
            raise RetryableError(f"stream interrupted: {reason_of(exc)}", "stream") from None
        yield event


# How servers word a refusal of image input (OpenAI, vLLM, Ollama, llama.cpp, LM Studio).
IMAGE_WORDS = re.compile(r"image|vision|multi-?modal|mmproj", re.IGNORECASE)


def classify_status(exc: Any, provider_id: str, provider: ModelProvider) -> Exception:
    """Map an HTTP error status to a retry or a final, readable failure."""
    status = exc.status_code
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error", body) if isinstance(body.get("error", body), dict) else {}
    message = error.get("message") if isinstance(error.get("message"), str) else None
    if not message:
        content_type = str(exc.response.headers.get("content-type", "")).lower()
        raw = exc.body if isinstance(exc.body, str) else exc.response.text
        message = describe_body(content_type, str(raw).encode()) if raw else str(exc)
    code = error.get("code")
    if status == 429 or status >= 500:
        retry_after = retry_after_s(exc.response.headers, message)
        return RetryableError(f"HTTP {status}: {message}", "request", retry_after)
    if status in (401, 403):
        hint = f"check {provider.env_key}" if provider.env_key else "check the provider's settings"
        return ModelError(
            f"the server refused the credentials (HTTP {status}: {message}); {hint}", "auth"
        )
    if code == "context_length_exceeded" or "context length" in message.lower():
        return ModelError(message, "context_window")
    if code == "previous_response_not_found":
        return ModelError(message, "previous_response_not_found")
    if 400 <= status < 500 and IMAGE_WORDS.search(message):
        # The agent decides whether images were in the request (else it is fatal).
        return ModelError(f"HTTP {status} from {provider.base_url}: {message}", "images_rejected")
    return ModelError(f"HTTP {status} from {provider.base_url}: {message}")


def retry_after_s(headers: Any, message: str) -> float | None:
    """Seconds the server asked us to wait: Retry-After, or "try again in Ns"."""
    value = headers.get("retry-after-ms")
    if value:
        try:
            return float(value) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value:
        try:
            return float(value)
        except ValueError:
            pass
    match = TRY_AGAIN.search(message)
    if match:
        amount = float(match.group(1))
        return amount / 1000 if match.group(2).lower() == "ms" else amount
    return None


def reason_of(exc: BaseException) -> str:
    """The most specific message in an exception chain."""
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    text = str(exc).strip()
    return text or type(exc).__name__
