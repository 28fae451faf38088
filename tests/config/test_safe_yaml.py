"""safe_yaml: SafeLoader's results within limits; one YAMLError past them."""

from __future__ import annotations

import time

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from codex_tui.config import safe_yaml


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda kids: (
            st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=5), kids, max_size=4)
        ),
        max_leaves=30,
    )
)
def test_ordinary_documents_load_as_with_safe_load(value: object) -> None:
    text = yaml.safe_dump(value)
    assert safe_yaml.load(text) == yaml.safe_load(text)


def test_depth_limit_is_exact() -> None:
    ok = "[" * safe_yaml.MAX_DEPTH + "]" * safe_yaml.MAX_DEPTH
    assert safe_yaml.load(ok) is not None
    with pytest.raises(safe_yaml.YAMLLimitError, match="nested more than 32 levels deep"):
        safe_yaml.load("[" + ok + "]")


def test_aliases_may_not_nest_past_the_depth_limit() -> None:
    """Each alias adds a level the composer never saw: checked on the expansion."""
    chain = "".join(
        f"k{i}: &k{i} [{'*k' + str(i - 1) if i else 1}]\n" for i in range(safe_yaml.MAX_DEPTH + 2)
    )
    with pytest.raises(safe_yaml.YAMLLimitError, match="nested more than 32 levels deep"):
        safe_yaml.load(chain)


def test_billion_laughs_is_refused_in_linear_time() -> None:
    lol = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lol += f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]\n"
    started = time.monotonic()
    with pytest.raises(safe_yaml.YAMLLimitError, match="aliases expand to more than 10,000 values"):
        safe_yaml.compose(lol)
    assert time.monotonic() - started < 5  # generous: milliseconds in practice


def test_expansion_within_the_limit_is_allowed() -> None:
    text = "a: &a [" + ", ".join(["x"] * 99) + "]\nb: [" + ", ".join(["*a"] * 100) + "]\n"
    assert len(safe_yaml.load(text)["b"]) == 100
