"""The request `/review` sends: our review instructions and the diff."""

from __future__ import annotations

__all__ = ["MAX_DIFF_CHARS", "review_request"]

MAX_DIFF_CHARS = 400_000

REVIEW_INSTRUCTIONS = """\
Review the change below as a careful senior engineer would before it is merged.
Do not edit anything: read files and run read-only commands only where you need
more context than the diff gives.

Report findings, most severe first: bugs and data loss, then security, then
behaviour that contradicts the change's intent, then missing tests, then
maintainability. For each finding give:
- a severity (critical, major, minor, nit) and a one-line title,
- the location as `path:line` (the line in the new version),
- why it is a problem, concretely (the input or sequence that breaks it),
- the fix, as specific as a short code suggestion.
Skip style preferences a formatter would settle. If you find nothing worth
reporting, say so plainly and name what you checked. End with a one-paragraph
verdict: ready to merge, or what must change first."""


def review_request(what: str, diff: str) -> str:
    """The message for reviewing `what` (its diff capped at MAX_DIFF_CHARS)."""
    cut = ""
    if len(diff) > MAX_DIFF_CHARS:
        cut = f"\n[… {len(diff) - MAX_DIFF_CHARS} more characters of the diff not shown]"
        diff = diff[:MAX_DIFF_CHARS]
    return f"{REVIEW_INSTRUCTIONS}\n\nThe change: {what}.\n\n```diff\n{diff}\n```{cut}"
