"""`find_secrets`: the redactor's secrets with their kind and place, for the
response checker's flags (#15 bug 11). It finds what `redact` replaces, and it
stays linear on hostile text as `redact` does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_tui.policy.redaction import MARK, find_secrets, redact
from tests.policy.test_linear_time import _PIECES, _PLANTED, _SEP, LIMIT, _repeat, within
from tests.policy.test_redact import CASES

# What each of test_redact's cases looks like: kind, and the prefix naming it.
KINDS = {
    name: kind.split(" | ")
    for name, kind in (
        ("openai", "OpenAI key | sk-"),
        ("openai project", "OpenAI key | sk-proj-"),
        ("anthropic", "Anthropic key | sk-ant-api03-"),
        ("github classic", "GitHub token | ghp_"),
        ("github oauth", "GitHub token | gho_"),
        ("github fine-grained", "GitHub token | github_pat_"),
        ("aws access key", "AWS access key ID | AKIA"),
        ("aws secret key", "AWS secret key | "),
        ("slack bot", "Slack token | xoxb-"),
        ("slack webhook", "Slack webhook | https://hooks.slack.com/services/"),
        ("google api key", "Google API key | AIza"),
        ("google oauth", "Google OAuth token | ya29."),
        ("bearer", "bearer token | "),
        ("password=", "password | "),
        ("json password", "password | "),
        ("env password", "password | "),
        ("url credentials", "password in a URL | "),
        ("curl -u", "password | "),
        ("postgres url", "password in a URL | "),
        ("pem", "RSA private key | "),
        ("pem cut before END", "OPENSSH private key | "),
        ("pem cut before BEGIN", "private key | "),
    )
}


def masked_out(text: str) -> str:
    """`text` with every secret `find_secrets` found replaced by the mark."""
    out, at = [], 0
    for secret in find_secrets(text):
        out += [text[at : secret.start], MARK]
        at = secret.end
    return "".join(out) + text[at:]


@pytest.mark.parametrize(("name", "text", "secret"), CASES, ids=[c[0] for c in CASES])
def test_each_kind_is_named_and_placed(name: str, text: str, secret: str) -> None:
    (found,) = find_secrets(text)
    kind, prefix = KINDS[name]
    assert found.kind == kind
    value = text[found.start : found.end]
    assert secret in value and value[: found.prefix] == prefix
    assert secret not in masked_out(text)


def test_the_secret_not_what_surrounds_it() -> None:
    text = 'db = connect(password="correct horse", host="db")'
    (found,) = find_secrets(text)
    assert text[found.start : found.end] == "correct horse"
    text = "OPENAI_API_KEY=sk-" + "a" * 40 + " and https://bob:pw12345678@example.com/x"
    first, second = find_secrets(text)
    assert (first.kind, text[first.start : first.end]) == ("OpenAI key", "sk-" + "a" * 40)
    assert (second.kind, text[second.start : second.end]) == ("password in a URL", "pw12345678")


@pytest.mark.parametrize(
    "text",
    ["password = getpass.getpass()", "export TOKEN=$GITHUB_TOKEN", "sk-short", "ls -la"],
)
def test_code_about_secrets_is_no_secret(text: str) -> None:
    assert find_secrets(text) == [] and redact(text) == text


def test_tens_of_thousands_of_secrets() -> None:
    text = "password=hunter2 " * 20_000
    found = within(LIMIT, lambda: find_secrets(text))
    assert len(found) == 20_000


# The shapes that made the redactor's patterns slow, each around a planted secret.
@pytest.mark.parametrize("unit", ["a-", "pwd=", "a+", "A" * 16 + "\n", "password=x ", "sk-a "])
@pytest.mark.parametrize("planted", _PLANTED, ids=[p[1] for p in _PLANTED])
def test_finding_is_linear_and_finds_what_redact_removes(
    unit: str, planted: tuple[str, str]
) -> None:
    filler = _repeat(unit, 20_000)
    text = filler + _SEP + planted[0] + _SEP + filler
    within(LIMIT, lambda: find_secrets(text))
    assert planted[1] not in masked_out(text)


@settings(max_examples=3_000, deadline=None, database=None)
@given(st.lists(_PIECES, max_size=14).map("".join))
def test_whatever_redact_replaces_is_found(text: str) -> None:
    """The checker flags every text the redactor changes (it reads the same patterns)."""
    if redact(text) != text:
        assert find_secrets(text)
