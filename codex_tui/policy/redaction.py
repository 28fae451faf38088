"""The secret redactor: everything returned to the model passes through it.

Known key formats (OpenAI, Anthropic, GitHub, AWS, Slack, Google), bearer
tokens, `password=…`-style assignments, `.netrc` passwords, credentials in URLs
(and `curl -u user:password`) and PEM private keys are replaced by `[REDACTED]`,
keeping enough around them (the variable name, the URL's user and host) for the
output to still make sense. Every pattern runs in time linear in the text: the
model's replies and commands' output are hostile input (tests/policy/test_linear_time.py).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["MARK", "Secret", "find_secrets", "redact", "redact_json"]

MARK = "[REDACTED]"

_PEM = re.compile(
    r"-----BEGIN (?P<kind>[A-Z0-9 ]*)PRIVATE KEY(?: BLOCK)?-----"
    r"(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|.*\Z)",
    re.S,
)
# The tail of a key whose BEGIN line was cut off (e.g. by output capping): base64
# lines right before an END line, found from the END line backwards (see _pem_tails).
_PEM_END = re.compile(r"^-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----", re.M)
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/=]{16,}\r?")

# (kind, pattern): `prefix` is the part that names the kind, not the secret.
_TOKENS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Anthropic (before OpenAI's broader sk- form).
    ("Anthropic key", re.compile(r"\b(?P<prefix>sk-ant-[A-Za-z0-9]+-)[A-Za-z0-9_\-]{20,}")),
    # OpenAI: sk-…, sk-proj-…, sk-svcacct-…, sk-admin-…
    (
        "OpenAI key",
        re.compile(r"\b(?P<prefix>sk-(?:proj-|svcacct-|admin-|None-)?)[A-Za-z0-9_\-]{20,}"),
    ),
    # GitHub: classic and fine-grained tokens.
    ("GitHub token", re.compile(r"\b(?P<prefix>(?:ghp|gho|ghu|ghs|ghr)_)[A-Za-z0-9]{36,}")),
    ("GitHub token", re.compile(r"\b(?P<prefix>github_pat_)[A-Za-z0-9_]{40,}")),
    # AWS access key ids.
    (
        "AWS access key ID",
        re.compile(r"\b(?P<prefix>AKIA|ASIA|ABIA|ACCA|AROA|AIDA)[A-Z0-9]{16}\b"),
    ),
    # Slack tokens and incoming webhooks.
    ("Slack token", re.compile(r"\b(?P<prefix>xox[abposre]-)[A-Za-z0-9\-]{10,}")),
    ("Slack token", re.compile(r"\b(?P<prefix>xapp-\d-)[A-Za-z0-9\-]{10,}")),
    (
        "Slack webhook",
        re.compile(
            r"(?P<prefix>https://hooks\.slack\.com/(?:services|workflows|triggers)/)"
            r"[A-Za-z0-9/_\-]+"
        ),
    ),
    # Google API keys, OAuth access tokens and client secrets.
    ("Google API key", re.compile(r"\b(?P<prefix>AIza)[0-9A-Za-z_\-]{35}")),
    ("Google OAuth token", re.compile(r"\b(?P<prefix>ya29\.)[0-9A-Za-z_\-]{20,}")),
    ("Google client secret", re.compile(r"\b(?P<prefix>GOCSPX-)[0-9A-Za-z_\-]{20,}")),
)

# AWS secret keys have no prefix of their own: recognise them by their name.
_AWS_SECRET = re.compile(
    r"(?i)(aws_?secret_?access_?key|secretaccesskey)(\W{1,4})([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"
)
# `Bearer …` (and GitHub's `Authorization: token …`); the token holds a digit,
# which keeps ordinary prose ("bearer bonds") out.
_BEARER = re.compile(
    r"(?i)\b(bearer|authorization:\s*token)\s+((?=[A-Za-z._~+/\-]*\d)[A-Za-z0-9._~+/\-]{12,}=*)"
)
_BASIC = re.compile(r"(?i)\b(authorization:\s*basic)\s+([A-Za-z0-9+/]{8,}=*)")
# `password=…`, `"password": "…"`, `PGPASSWORD=…`, `api_key: …`, `DB_SECRET=…`.
# Linear by construction. A name ends where its run of name characters does (the
# separator is none of them), so the first form takes the run whole, once, from
# its start, and then looks behind for the secret word; trying it from every word
# boundary in the run made `a-a-a-…` quadratic. A bare value is always taken
# whole (a call after it is checked in _assigned: failing here made every later
# start scan the same value again). After a path separator only `=` assigns:
# `/etc/passwd: denied` is a file name and a message.
_SECRET_NAMES = (
    "password", "passwd", "passphrase", "secret",
    *(a + joint + b for a, b in (("api", "key"), ("access", "token"), ("auth", "token"),
                                 ("refresh", "token"), ("private", "key"))
      for joint in ("_", "-", "")),
)  # fmt: skip
_ASSIGNED = re.compile(
    r"""(?ix)
    (?=[\w.\-])  # every name starts so: most positions fail here, quickly
    (?!(?<=[/\\])(?![\w.\-]*+["']?\s*=))  # after / or \, only `=` (one test, no retry)
    (?P<key>
        (?<![\w.\-])[\w.\-]*+(?:"""
    + "|".join(f"(?<={name})" for name in _SECRET_NAMES)
    + r""")
        |\b(?-i:[A-Z][A-Z0-9_]*(?:_KEY|_TOKEN|_SECRET|_PASS|PASSWORD|_PWD))\b
        |\bpwd
    )
    (?P<sep>["']?\s*[:=]\s*)
    (?P<value>"[^"\n]+"(?!\s*\()|'[^'\n]+'(?!\s*\()|[^\s"',;&)(\]\[}{<>]++)
    """
)
_CALL = re.compile(r"\s*\(")  # `password=get_password()` is code, not a secret
# `.netrc` entries: `machine HOST login USER password PASS` (also over several
# lines, numbered as read_file, `cat -n` or `grep -n` show them; `default` for any
# host; `password` before `login`). A `login` must be there, so prose such as
# "the default password is …" stays.
# Between two words: white space, and the numbers read_file, `cat -n` and `grep -n`
# put at the start of lines (atomic: never given back, so never tried twice).
_GAP = r"(?>(?:(?<=\n)[ \t]*\d+[\t:]|\s)+)"
_NETRC = re.compile(
    rf"(?P<head>(?:machine(?<!\wmachine){_GAP}\S+|default(?<!\wdefault))"
    rf"(?P<tokens>(?:{_GAP}(?:login|account|port){_GAP}\S+){{0,3}})"
    rf"{_GAP}password{_GAP})(?P<value>\S+)(?P<login>{_GAP}login\b)?"
)
# `curl -u user:password`, `--user=user:password`.
_USER_OPTION = re.compile(r"(?<!\S)(-u|--user)(\s+|=)([^\s:]+):(\S+)")
# The scheme starts where its run of scheme characters does (tried once a run,
# not from every boundary in it), at its first letter.
_URL_CREDENTIALS = re.compile(
    r"(?<![a-z0-9+.\-])([0-9+.\-]*[a-z][a-z0-9+.\-]*://)([^\s:/@]+):([^\s/@]+)@", re.I
)


_NOT_SECRETS = frozenset(
    {"none", "null", "nil", "undefined", "true", "false", "str", "string", "bytes", "int",
     "secretstr", "optional", "any"}
)  # fmt: skip
_ATTRIBUTE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


def _assigned_value(m: re.Match[str]) -> tuple[int, int] | None:
    """Where the secret of an assignment is (inside its quotes); None when the
    value is code about a secret (a type, a variable, an attribute, a call)."""
    value = m["value"]
    start, end = m.span("value")
    if value[0] in "\"'":
        return (start + 1, end - 1) if len(value) > 2 else None
    if value.lower() in _NOT_SECRETS or value.startswith("$") or _ATTRIBUTE.fullmatch(value):
        return None
    if _CALL.match(m.string, m.end()):
        return None
    return start, end


def _assigned(m: re.Match[str]) -> str:
    span = _assigned_value(m)
    if span is None:
        return m[0]
    at = m.start()
    return m[0][: span[0] - at] + MARK + m[0][span[1] - at :]


def _netrc_secret(m: re.Match[str]) -> bool:
    return "login" in m["tokens"].split() or m["login"] is not None


def _netrc(m: re.Match[str]) -> str:
    if not _netrc_secret(m):
        return m[0]
    return m["head"] + MARK + (m["login"] or "")


def _pem_tail_spans(text: str) -> Iterator[tuple[int, re.Match[str]]]:
    """(start of the base64 lines, the END line) for each key whose BEGIN line is
    missing, each line looked at once."""
    done = 0
    for end in _PEM_END.finditer(text):
        first = end.start()
        while first > done and text[first - 1] == "\n":
            line = text.rfind("\n", done, first - 1) + 1
            if line == 0 and done > 0:
                break  # the line began before the last replacement ended: not all base64
            if not _BASE64_LINE.fullmatch(text, line, first - 1):
                break
            first = line
        if first < end.start():
            yield first, end
            done = end.end()


def _pem_tails(text: str) -> str:
    """Replace base64 lines followed by an END line."""
    out: list[str] = []
    done = 0
    for first, end in _pem_tail_spans(text):
        out += (text[done:first], MARK)
        done = end.end()
    return "".join(out) + text[done:] if out else text


# After the private keys (_PEM, then _pem_tails) and before .netrc entries and
# assignments (_NETRC, _ASSIGNED), in this order.
_STEPS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (_URL_CREDENTIALS, lambda m: f"{m[1]}{m[2]}:{MARK}@"),
    (_USER_OPTION, lambda m: f"{m[1]}{m[2]}{m[3]}:{MARK}"),
    *((p, MARK) for _, p in _TOKENS),
    (_AWS_SECRET, lambda m: f"{m[1]}{m[2]}{MARK}"),
    (_BEARER, lambda m: f"{m[1]} {MARK}"),
    (_BASIC, lambda m: f"{m[1]} {MARK}"),
)


def redact(text: str) -> str:
    """`text` with every secret it recognises replaced by `[REDACTED]`."""
    if not text:
        return text
    text = _PEM.sub(lambda m: f"-----BEGIN {m['kind']}PRIVATE KEY----- {MARK}", text)
    if "-----END " in text:
        text = _pem_tails(text)
    for pattern, replacement in _STEPS:
        text = pattern.sub(replacement, text)
    if "password" in text:
        text = _NETRC.sub(_netrc, text)
    return _ASSIGNED.sub(_assigned, text)


@dataclass(frozen=True, slots=True)
class Secret:
    """A secret in a text: what it looks like and where it is (`text[start:end]`;
    the first `prefix` characters name its kind, like `sk-proj-`, and are no secret).
    A private key's BEGIN line with nothing after it is a secret of no characters."""

    kind: str
    start: int
    end: int
    prefix: int = 0


def find_secrets(text: str) -> list[Secret]:
    """The secrets `redact` replaces in `text`, in order, each with its kind and
    span. The patterns are tried in `redact`'s order; a match inside a secret an
    earlier one found is the same secret. Linear, as `redact` is."""
    found: list[Secret] = []
    if not text:
        return found
    for step in _secret_steps(text):
        starts = [s.start for s in found]
        fresh = [s for s in step if not _inside(found, starts, s)]
        if fresh:
            found = sorted([*found, *fresh], key=lambda s: s.start)
    return found


def _inside(found: list[Secret], starts: list[int], secret: Secret) -> bool:
    """`secret` overlaps one of `found` (sorted, not overlapping each other)."""
    at = bisect.bisect_right(starts, secret.start)
    before = at > 0 and found[at - 1].end > secret.start
    return before or (at < len(found) and found[at].start < secret.end)


def _trimmed(kind: str, text: str, start: int, end: int) -> Secret:
    """A secret without the white space around it (a key's base64 lines)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Secret(kind, start, end)


def _group(kind: str, m: re.Match[str], group: int | str) -> Secret:
    return Secret(kind, *m.span(group))


def _assigned_kind(key: str) -> str:
    name = key.lower()
    if "pass" in name or "pwd" in name:
        return "password"
    if "token" in name:
        return "token"
    if "key" in name and ("api" in name or "private" in name):
        return "API key" if "api" in name else "private key"
    return "secret"


def _secret_steps(text: str) -> Iterator[Iterable[Secret]]:
    """What each of `redact`'s steps replaces in `text`, step by step."""
    pems = []
    for m in _PEM.finditer(text):
        body_end = text.rfind("-----END ", m.start(), m.end())
        body_start = text.index("-----", m.start() + 11) + 5  # after the BEGIN line
        kind = f"{m['kind'].strip()} private key".strip()
        pems.append(_trimmed(kind, text, body_start, m.end() if body_end < 0 else body_end))
    yield pems
    if "-----END " in text:
        yield [
            _trimmed("private key", text, first, end.start())
            for first, end in _pem_tail_spans(text)
        ]
    yield (_group("password in a URL", m, 3) for m in _URL_CREDENTIALS.finditer(text))
    yield (_group("password", m, 4) for m in _USER_OPTION.finditer(text))
    for kind, pattern in _TOKENS:
        yield (Secret(kind, m.start(), m.end(), len(m["prefix"])) for m in pattern.finditer(text))
    yield (_group("AWS secret key", m, 3) for m in _AWS_SECRET.finditer(text))
    yield (_group("bearer token", m, 2) for m in _BEARER.finditer(text))
    yield (_group("basic auth credentials", m, 2) for m in _BASIC.finditer(text))
    if "password" in text:
        netrc = (m for m in _NETRC.finditer(text) if _netrc_secret(m))
        yield (_group("password", m, "value") for m in netrc)
    assigned = ((m, _assigned_value(m)) for m in _ASSIGNED.finditer(text))
    yield [Secret(_assigned_kind(m["key"]), *span) for m, span in assigned if span is not None]


def redact_json(value: Any) -> Any:
    """A copy of a JSON-like value with every string redacted (keys kept)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if len(value) > 1 and all(isinstance(v, str) for v in value):
            return _redact_argv(list(value))
        return [redact_json(v) for v in value]
    return value


_SEP = "\x1f"  # counts as whitespace for the patterns, absent from real arguments


def _redact_argv(argv: list[str]) -> list[str]:
    """Redact an argv as one line, so `-u` `user:pw` is seen as a pair."""
    if any(_SEP in a for a in argv):
        return [redact(a) for a in argv]
    parts = redact(_SEP.join(argv)).split(_SEP)
    return parts if len(parts) == len(argv) else [redact(a) for a in argv]
