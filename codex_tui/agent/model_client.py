"""The model client: one streaming request with bounded retries on either wire.

`openai` is imported on first use (it costs ~0.5 s), never at module import,
so the TUI's first frame does not wait for it.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
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

    def api_key(self) -> str:
        if not self.provider.env_key:
            return "not-needed"  # local servers ignore it; the SDK wants something
        key = os.environ.get(self.provider.env_key)
        if not key:
            raise ModelError(missing_key_message(self.provider_id, self.provider), "auth")
        return key

    def client(self) -> Any:
        if self._client is None:
            import openai

            self._client = openai.AsyncOpenAI(
                api_key=self.api_key(),
                base_url=self.provider.base_url,
                max_retries=0,  # retries are ours: bounded, visible, with backoff
                timeout=self.provider.stream_idle_timeout_ms / 1000,
            )
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def stream(self, req: ModelRequest) -> AsyncIterator[StreamEvent]:
        """Yield the response's events; on a retryable failure yield Retrying and
        start over (consumers drop what the failed attempt streamed)."""
        failures = {"request": 0, "stream": 0}
        limits = {
            "request": self.provider.request_max_retries,
            "stream": self.provider.stream_max_retries,
        }
        while True:
            try:
                async for event in self._attempt(req):
                    yield event
                return
            except RetryableError as exc:
                failures[exc.stage] += 1
                attempt, limit = failures[exc.stage], limits[exc.stage]
                if attempt > limit:
                    tries = "no retries" if limit == 0 else f"{limit} retries"
                    raise ModelError(f"{exc.reason} (gave up after {tries})") from None
                delay = exc.retry_after if exc.retry_after is not None else self.backoff(attempt)
                yield Retrying(
                    attempt=attempt, max_attempts=limit, delay_s=delay, reason=exc.reason
                )
                await self._sleep(delay)

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: base * 2^(n-1), ±20 %, capped."""
        delay = min(self.backoff_max_s, self.backoff_base_s * 2.0 ** (attempt - 1))
        return float(delay * random.uniform(0.8, 1.2))

    async def _attempt(self, req: ModelRequest) -> AsyncIterator[StreamEvent]:
        import openai

        chat = self.provider.wire_api == "chat"
        wire = wire_chat if chat else wire_responses
        params = wire.request_params(req)
        api = self.client().chat.completions if chat else self.client().responses
        try:
            response_cm = api.with_streaming_response.create(stream=True, **params)
            response = await response_cm.__aenter__()
        except openai.APIStatusError as exc:
            raise classify_status(exc, self.provider_id, self.provider) from None
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            url = self.provider.base_url
            raise RetryableError(f"cannot reach {url}: {reason_of(exc)}", "request") from None

        idle = self.provider.stream_idle_timeout_ms / 1000
        completed = False
        try:
            lines = with_idle_timeout(response.iter_lines(), idle)
            async for event in wire.translate(sse_payloads(lines)):
                completed = completed or isinstance(event, Completed)
                yield event
        except (RetryableError, ModelError):
            raise
        except ValueError as exc:  # malformed JSON in the stream
            raise ModelError(f"the model server sent a malformed event: {exc}") from None
        except Exception as exc:  # transport errors come from several libraries
            raise RetryableError(f"stream interrupted: {reason_of(exc)}", "stream") from None
        finally:
            await response_cm.__aexit__(None, None, None)
        if not completed:
            raise RetryableError("stream closed before response.completed", "stream")


async def with_idle_timeout(stream: Any, idle_s: float) -> AsyncIterator[Any]:
    """Re-yield `stream`, failing when no event arrives for `idle_s` seconds."""
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
        yield event


def classify_status(exc: Any, provider_id: str, provider: ModelProvider) -> Exception:
    """Map an HTTP error status to a retry or a final, readable failure."""
    status = exc.status_code
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error", body) if isinstance(body.get("error", body), dict) else {}
    message = error.get("message") or str(exc)
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
