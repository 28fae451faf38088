"""The redactor: each secret kind goes, ordinary text and code stay."""

from __future__ import annotations

import pytest

from codex_tui.policy import redact, redact_json

PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB\n"

CASES = [
    ("openai", "key: sk-abcdefghijklmnopqrstuvwxyz012345", "sk-abcdefghijklmnop"),
    ("openai project", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z_AB-cd", "Ab3dEf6hIj"),
    ("anthropic", "ANTHROPIC=sk-ant-api03-" + "x" * 90 + "AA", "sk-ant-api03"),
    ("github classic", "token ghp_" + "a1B2" * 9, "ghp_a1B2"),
    ("github oauth", "gho_" + "Z" * 36, "gho_ZZZZ"),
    ("github fine-grained", "github_pat_11ABCDEFG0" + "x" * 70, "github_pat_11"),
    ("aws access key", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
    (
        "aws secret key",
        "aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "wJalrXUtnFEMI",
    ),
    ("slack bot", "SLACK: xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "xoxb-1234"),
    ("slack webhook", "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX", "T000/B000"),
    ("google api key", "key=AIzaSyA-1234567890abcdefghijklmnopqrstu", "AIzaSyA-123"),
    ("google oauth", "ya29.a0AfH6SMBx1234567890abcdefghijkl", "ya29.a0AfH6"),
    ("bearer", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig123", "eyJhbGci"),
    ("password=", "mysql --user=app password=hunter2 --host db", "hunter2"),
    ("json password", '{"user": "a", "password": "correct horse"}', "correct horse"),
    ("env password", "DB_PASSWORD='s3cr3t!'", "s3cr3t!"),
    ("url credentials", "git clone https://alice:Pa55w0rd@git.example.com/r.git", "Pa55w0rd"),
    ("curl -u", "curl -u alice:hunter2 https://api", "hunter2"),
    ("postgres url", "DATABASE_URL=postgres://app:hunter2@db:5432/app", "hunter2"),
    (
        "pem",
        "-----BEGIN RSA PRIVATE KEY-----\n" + PEM_BODY + "-----END RSA PRIVATE KEY-----\nafter",
        "MIIEvQIBADAN",
    ),
    ("pem cut before END", "-----BEGIN OPENSSH PRIVATE KEY-----\n" + PEM_BODY, "b3BlbnNzaC1r"),
    ("pem cut before BEGIN", PEM_BODY + "-----END PRIVATE KEY-----\n", "MIIEvQIBADAN"),
]


@pytest.mark.parametrize(("text", "secret"), [(t, s) for _, t, s in CASES],
                         ids=[name for name, _, _ in CASES])  # fmt: skip
def test_secret_is_removed(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out
    assert "[REDACTED]" in out


def test_context_is_kept() -> None:
    assert redact("password=hunter2") == "password=[REDACTED]"
    assert redact("https://alice:pw@example.com/x") == "https://alice:[REDACTED]@example.com/x"
    assert redact("OPENAI_API_KEY=sk-" + "a" * 40) == "OPENAI_API_KEY=[REDACTED]"
    assert "after" in redact(CASES[-3][1])


@pytest.mark.parametrize(
    "text",
    [
        "def login(password: str) -> None:",
        "password = getpass.getpass()",
        "password=get_password()",
        "password=settings.db.password",
        'password = os.environ["DB_PASSWORD"]',
        "export TOKEN=$GITHUB_TOKEN",
        "bearer bonds are a kind of security",
        "the tokenizer splits text",
        "https://example.com/path@v1",
        "git@github.com:owner/repo.git",
        "sk-short",
        "ls -la && echo done",
        # A file name before a colon is not an assignment (read_file's own error).
        "../../etc/passwd: outside the workspace (/home/me/repo)",
        "cat: /etc/passwd: Permission denied",
        "/etc/passwd: ASCII text",
        "/usr/bin/pwd: invalid option -- 'x'",
        "C:\\secrets\\db_password: file not found",
        # Nor is prose that only looks like a .netrc entry.
        "by default password authentication is disabled",
        "the build machine uses password auth",
    ],
)
def test_code_and_prose_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_redact_json_walks_structures() -> None:
    value = {"command": ["curl", "-H", "Authorization: Bearer abcdef1234567890xyz"], "n": 3}
    out = redact_json(value)
    assert out["n"] == 3
    assert "abcdef1234567890xyz" not in str(out)
    assert value["command"][2].endswith("xyz")  # the input is not changed


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("machine x login y password z", " z"),
        ("machine api.example.com\n  login alice\n  password hunter2\n", "hunter2"),
        ("default login anonymous password me@example.com", "me@example"),
        ("machine db password s3cr3t login bob", "s3cr3t"),
        ("1\tmachine api.example.com\n2\t  login alice\n3\t  password hunter2", "hunter2"),
    ],
    ids=["one-line", "multi-line", "default", "password-first", "numbered-by-read_file"],
)
def test_netrc_passwords_are_removed(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out and "[REDACTED]" in out
    assert out.startswith(text.split("password")[0])  # host and login are kept


@pytest.mark.parametrize(
    "text",
    ["password: hunter2", "passwd=hunter2", "DB_PASSWORD=hunter2", "run/secrets/passwd=hunter2",
     "/srv/app/password=hunter2", "login failed, passwd: hunter2"],
)  # fmt: skip
def test_real_assignments_still_are(text: str) -> None:
    out = redact(text)
    assert "hunter2" not in out and out.endswith("[REDACTED]")
