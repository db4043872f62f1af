"""Drawing a fixed number of values from a strategy outside a test, reproducibly from a seed.

`strategy.example()` is random on every call and warns outside interactive use; running Hypothesis'
own engine with a seed gives the same values for the same seed and Hypothesis version.
"""

from __future__ import annotations

from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

__all__ = ["draw_examples"]

T = TypeVar("T")


def draw_examples(strategy: st.SearchStrategy[T], count: int, *, seed_value: int = 0) -> list[T]:
    """Up to `count` values of `strategy` (fewer only when it has fewer distinct values)."""
    drawn: list[T] = []

    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )
    @seed(seed_value)
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn[:count]
