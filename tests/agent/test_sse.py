"""The server-sent-events decoder: the same payloads however the bytes are cut."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from hypothesis import given, settings
from hypothesis import strategies as st

from codex_tui.agent.sse import sse_payloads

PAYLOADS = st.lists(
    st.dictionaries(st.sampled_from(["type", "delta", "text"]), st.text(max_size=12), min_size=1),
    max_size=6,
)


def decoded(chunks: list[bytes]) -> list[dict]:
    async def feed() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    async def collect() -> list[dict]:
        return [payload async for payload in sse_payloads(feed())]

    return asyncio.run(collect())


def cut(body: bytes, points: list[int]) -> list[bytes]:
    at = sorted({min(p, len(body)) for p in points})
    return [body[a:b] for a, b in zip([0, *at], [*at, len(body)], strict=True)]


@settings(max_examples=300, deadline=None)
@given(
    payloads=PAYLOADS,
    newline=st.sampled_from([b"\n", b"\r\n", b"\r"]),
    points=st.lists(st.integers(min_value=0, max_value=400), max_size=12),
    split_json=st.booleans(),
)
def test_any_cut_of_the_bytes_gives_the_same_payloads(
    payloads: list[dict], newline: bytes, points: list[int], split_json: bool
) -> None:
    body = b""
    for payload in payloads:
        text = json.dumps(payload, ensure_ascii=False)
        if split_json and len(text) > 2:
            # One event's data over two `data:` lines (joined with a newline).
            lines = [b"data: " + text[:1].encode(), b"data:" + text[1:].encode()]
        else:
            lines = [b"data: " + text.encode()]
        body += newline.join([b": keep-alive", b"event: x", *lines, b""]) + newline
    # Cuts fall anywhere: inside a CRLF, inside a multi-byte character.
    assert decoded(cut(body, points)) == payloads


def test_done_ends_the_stream_and_a_last_event_needs_no_blank_line() -> None:
    assert decoded([b'data: {"a": 1}\n\ndata: [DONE]\n\ndata: {"b": 2}\n\n']) == [{"a": 1}]
    assert decoded([b'data: {"a": 1}\n\ndata: {"b"', b": 2}"]) == [{"a": 1}, {"b": 2}]
    assert decoded([b'data: {"a": 1}\r']) == [{"a": 1}]
    # Not an object: skipped; invalid UTF-8 is replaced, not an error.
    assert decoded([b'data: [1]\n\ndata: {"t": "\xff"}\n\n']) == [{"t": "\ufffd"}]


def test_a_crlf_cut_in_two_is_one_line_end() -> None:
    # One event's data on two lines: a CR and its LF in separate chunks must not
    # read as a blank line, which would end the event halfway.
    body = b'data: {"a":\r\ndata: "\xc3\xa9"}\r\n\r\ndata: {"b": 2}\r\n\r\n'
    for at in range(len(body) + 1):
        assert decoded([body[:at], body[at:]]) == [{"a": "é"}, {"b": 2}], at
