"""What a turn cost, roughly: tokens times the model's list price.

The table holds published per-million-token prices of common OpenAI models as
of late 2025 (input, cached input, output; reasoning tokens are billed as
output and are already counted in it). `model_prices` in the config adds or
corrects entries; a model in neither has no estimate (local servers cost
nothing we could know). Prefixes match, the longest first.
"""

from __future__ import annotations

from collections.abc import Mapping

from codex_tui.agent.events import TokenUsage
from codex_tui.config.schema import ModelPrice

__all__ = ["PRICES", "cost_usd", "describe_usage", "price_for"]

PRICES: dict[str, ModelPrice] = {
    # The "pro" models share a prefix with far cheaper ones: listed on their own.
    "gpt-5-pro": ModelPrice(input=15.00, cached_input=15.00, output=120.00),
    "o3-pro": ModelPrice(input=20.00, cached_input=20.00, output=80.00),
    "o1-pro": ModelPrice(input=150.00, cached_input=150.00, output=600.00),
    "gpt-5-nano": ModelPrice(input=0.05, cached_input=0.005, output=0.40),
    "gpt-5-mini": ModelPrice(input=0.25, cached_input=0.025, output=2.00),
    "gpt-5": ModelPrice(input=1.25, cached_input=0.125, output=10.00),
    "gpt-4.1-nano": ModelPrice(input=0.10, cached_input=0.025, output=0.40),
    "gpt-4.1-mini": ModelPrice(input=0.40, cached_input=0.10, output=1.60),
    "gpt-4.1": ModelPrice(input=2.00, cached_input=0.50, output=8.00),
    "gpt-4o-mini": ModelPrice(input=0.15, cached_input=0.075, output=0.60),
    "gpt-4o": ModelPrice(input=2.50, cached_input=1.25, output=10.00),
    "o4-mini": ModelPrice(input=1.10, cached_input=0.275, output=4.40),
    "o3": ModelPrice(input=2.00, cached_input=0.50, output=8.00),
    "codex-mini": ModelPrice(input=1.50, cached_input=0.375, output=6.00),
}


def price_for(model: str, overrides: Mapping[str, ModelPrice] | None = None) -> ModelPrice | None:
    table = {**PRICES, **(overrides or {})}
    for prefix in sorted(table, key=len, reverse=True):
        if model == prefix or model.startswith(prefix):
            return table[prefix]
    return None


def cost_usd(
    usage: TokenUsage, model: str, overrides: Mapping[str, ModelPrice] | None = None
) -> float | None:
    """Dollars for `usage` at `model`'s price; None when the price is unknown."""
    price = price_for(model, overrides)
    if price is None:
        return None
    cached = min(usage.cached_input_tokens, usage.input_tokens)
    fresh = usage.input_tokens - cached
    total = fresh * price.input + cached * price.cached_input + usage.output_tokens * price.output
    return total / 1_000_000


def describe_usage(usage: TokenUsage, cost: float | None) -> str:
    """`5,972 in (1,200 cached) · 40 out (12 reasoning) · ~$0.0081`."""
    text = f"{usage.input_tokens:,} in"
    if usage.cached_input_tokens:
        text += f" ({usage.cached_input_tokens:,} cached)"
    text += f" · {usage.output_tokens:,} out"
    if usage.reasoning_tokens:
        text += f" ({usage.reasoning_tokens:,} reasoning)"
    if cost is not None:
        text += f" · ~${cost:.4f}" if cost < 1 else f" · ~${cost:.2f}"
    return text
