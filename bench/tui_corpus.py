"""Deterministic content for the TUI benchmarks: a long markdown answer cut into
stream deltas, and the events of one ordinary agent turn."""

from __future__ import annotations

import random
from pathlib import Path

from codex_tui.agent import events as ev

END_MARK = "終"  # a streamed answer's last delta; nothing else here is CJK

PROSE = (
    "the parser keeps a stack of open blocks and closes them when a line cannot continue "
    "them; inline spans are matched afterwards so emphasis never crosses a block boundary "
    "while the renderer caches each settled block by width and theme until either changes "
    "a request is retried with backoff when the server closes the stream early and the "
    "partial answer is dropped before the retry starts"
)
WORDS = PROSE.split()

CODE = {
    "python": (
        "def settle_point(text: str, start: int) -> int:\n"
        '    """The end of the last complete block."""\n'
        "    point = start\n"
        "    for index, line in enumerate(text[start:].splitlines(True)):\n"
        "        if not line.strip():\n"
        "            point = start + index\n"
        "    return point\n"
    ),
    "rust": (
        "fn apply(patch: &Patch, root: &Path) -> Result<Vec<Change>, Error> {\n"
        "    let mut changes = Vec::new();\n"
        "    for hunk in &patch.hunks {\n"
        "        changes.push(hunk.apply(root)?);\n"
        "    }\n"
        "    Ok(changes)\n"
        "}\n"
    ),
    "typescript": (
        "export async function* stream(url: string): AsyncGenerator<Delta> {\n"
        "  const response = await fetch(url, { method: 'POST' });\n"
        "  for await (const chunk of response.body!) {\n"
        "    yield decode(chunk) as Delta;\n"
        "  }\n"
        "}\n"
    ),
    "bash": (
        'set -euo pipefail\nfor f in "$@"; do\n  git diff --stat -- "$f"\n'
        "  wc -l \"$f\" | awk '{ print $1 }'\ndone\n"
    ),
    "go": (
        "func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {\n"
        "\tctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)\n"
        "\tdefer cancel()\n"
        "\tif err := s.store.Save(ctx, r.Body); err != nil {\n"
        "\t\thttp.Error(w, err.Error(), http.StatusInternalServerError)\n"
        "\t}\n}\n"
    ),
    "json": (
        '{\n  "model": "gpt-5-codex",\n  "stream": true,\n  "tools": ["shell", "apply_patch"]\n}\n'
    ),
}


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"`{words[i]}()`"
    if rng.random() < 0.2:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    if rng.random() < 0.1:
        i = rng.randrange(len(words))
        words[i] = f"[{words[i]}](https://example.com/{words[i]})"
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))


def bullet_list(rng: random.Random) -> str:
    ordered = rng.random() < 0.4
    items = []
    for n in range(rng.randint(3, 7)):
        mark = f"{n + 1}." if ordered else "-"
        items.append(f"{mark} {sentence(rng)}")
        if rng.random() < 0.2:
            items.append(f"   - {sentence(rng)}")
    return "\n".join(items)


def code_block(rng: random.Random) -> str:
    language = rng.choice(sorted(CODE))
    return f"```{language}\n{CODE[language]}```"


def table(rng: random.Random) -> str:
    rows = ["| file | change | lines |", "|---|---|---:|"]
    for _ in range(rng.randint(3, 8)):
        name = rng.choice(WORDS)
        rows.append(
            f"| `src/{name}.py` | {' '.join(rng.choices(WORDS, k=4))} | {rng.randint(1, 400)} |"
        )
    return "\n".join(rows)


def markdown_answer(size: int, seed: int = 1) -> str:
    """About `size` characters of mixed markdown: headings, paragraphs, lists,
    fenced code in several languages, tables and quotes."""
    rng = random.Random(seed)
    blocks: list[str] = []
    total = 0
    while total < size:
        roll = rng.random()
        if roll < 0.08:
            block = f"## {sentence(rng)[:-1]}"
        elif roll < 0.45:
            block = paragraph(rng)
        elif roll < 0.65:
            block = bullet_list(rng)
        elif roll < 0.85:
            block = code_block(rng)
        elif roll < 0.95:
            block = table(rng)
        else:
            block = "> " + sentence(rng)
        blocks.append(block)
        total += len(block) + 2
    return "\n\n".join(blocks)


def deltas(text: str, seed: int = 2, low: int = 1, high: int = 8) -> list[str]:
    """`text` cut into token-sized pieces (1–8 characters, ~4.5 on average)."""
    rng = random.Random(seed)
    pieces, pos = [], 0
    while pos < len(text):
        step = rng.randint(low, high)
        pieces.append(text[pos : pos + step])
        pos += step
    return pieces


# -- one ordinary turn --------------------------------------------------------

OUTPUT = "\n".join(f"tests/test_{w}.py::test_{w}_{i} PASSED" for i, w in enumerate(WORDS[:30]))


def turn_events(n: int, answer_chars: int = 1_500) -> tuple[str, list[ev.Event]]:
    """The user's request and the events of turn `n`: a streamed answer with a code
    block, a command with output, a patch, the turn's end."""
    rng = random.Random(n)
    user = f"Turn {n}: {sentence(rng)}"
    parts = []
    while sum(map(len, parts)) < answer_chars:
        parts.append(paragraph(rng) if rng.random() < 0.7 else bullet_list(rng))
        if len(parts) == 2:
            parts.append(code_block(rng))
    answer = "\n\n".join(parts)
    item, call, patch = f"msg_{n}", f"cmd_{n}", f"patch_{n}"
    command = ("bash", "-lc", f"pytest -q tests/test_{n}.py")
    path = f"src/module_{n}.py"
    diff = (
        f"--- a/{path}\n+++ b/{path}\n@@ -1,3 +1,3 @@\n def run():\n"
        f"-    return {n}\n+    return {n + 1}\n     # end\n"
    )
    change = ev.ChangedFile(path=path, kind="update", added=1, removed=1)
    events: list[ev.Event] = [ev.TurnStarted(turn_id=f"turn_{n}", user_input=user)]
    events += [
        ev.AgentMessageDelta(item_id=item, delta=d)
        for d in deltas(answer, seed=n, low=20, high=120)
    ]
    events += [
        ev.AgentMessage(item_id=item, text=answer),
        ev.ExecBegin(call_id=call, command=command, cwd=Path("/tmp"), sandboxed=True),
        ev.ExecOutput(call_id=call, chunk=OUTPUT),
        ev.ExecEnd(
            call_id=call,
            command=command,
            exit_code=0,
            output=OUTPUT,
            duration_s=1.2,
            status="completed",
        ),
        ev.PatchBegin(call_id=patch, changes=(change,), diff=diff),
        ev.PatchEnd(
            call_id=patch, changes=(change,), success=True, output="Success", status="completed"
        ),
        ev.TurnComplete(
            turn_id=f"turn_{n}",
            last_message=answer,
            usage=ev.TokenUsage(
                input_tokens=1000, cached_input_tokens=0, output_tokens=400, reasoning_tokens=0
            ),
            duration_s=4.2,
        ),
    ]
    return user, events
