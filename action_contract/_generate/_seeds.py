"""Seeded generation: known-good inputs and the run's own successes, mutated field by field and combined.

A handler's business rules turn most generated inputs away; an input that got past them (given as known
good, or answered 2xx earlier in the run) is the best place to look for what lies behind them. Half the
generated requests then start from such a seed and change it in one place: one field, at any depth,
takes a value drawn through its own strategy (realistic or awkward), everything else stays. Seeds are
also combined: each argument taken from another seed.

`Seeds` grows while the run goes (successes with a reply not seen before), so its content is part of
what a draw means. It stops growing at the first failure and at `CAPACITY` entries: from then on the
same draw gives the same request, which Hypothesis needs to shrink and replay a failure.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from hypothesis import strategies as st

from .._catalog._model import EnumType
from ._action_request import ActionRequest
from ._requests import Generation

__all__ = ["FRESH_SHARE", "Seeds", "known_requests", "seeded_requests"]

#: The share of requests generated afresh once there are seeds; the others start from a seed.
FRESH_SHARE = 0.3


class Seeds:
    """The inputs generation starts from: known-good ones first, then distinct successes of the run."""

    #: Successes kept at most; each has a reply or input not seen before.
    CAPACITY = 32

    def __init__(self, known: Sequence[Mapping[str, Any]] = ()) -> None:
        self.known: tuple[dict[str, Any], ...] = tuple(dict(value) for value in known)
        self.pool: list[dict[str, Any]] = list(self.known)
        self._seen: set[Hashable] = set()
        self.frozen = False

    def add(self, arguments: Mapping[str, Any], signature: Hashable) -> bool:
        """Keep `arguments` (which got a 2xx) when its `signature` is new; False when it was not kept."""
        if self.frozen or signature in self._seen or len(self.pool) >= len(self.known) + self.CAPACITY:
            return False
        self._seen.add(signature)
        self.pool.append(dict(arguments))
        return True

    def freeze(self) -> None:
        """Keep the pool as it is: a failure was found, and Hypothesis will replay its draws."""
        self.frozen = True


def known_requests(
    generation: Generation, known: Sequence[Mapping[str, Any]], *, known_good: bool = True
) -> list[ActionRequest]:
    """One request per input (known good, unless told otherwise), with the edge requests' session."""
    action = generation.action
    client = generation.client_headers.edge() if action.forward_client_headers else None
    session = generation.sessions.edge(with_user=True)
    every_field = (2**generation.printer.bits - 1) >> (3 + len(action.arguments)) << (3 + len(action.arguments))
    return [
        dataclasses.replace(generation.request(dict(arguments), session, every_field, client), known_good=known_good)
        for arguments in known
    ]


def seeded_requests(generation: Generation, seeds: Seeds) -> st.SearchStrategy[ActionRequest]:
    """Conforming requests, half of them a seed changed in one field or seeds combined (once there are seeds)."""
    fresh = generation.values.arguments(generation.action)
    changes = generation.values.every_argument(generation.action)
    names = tuple(argument.name for argument in generation.action.arguments)
    enums = _enum_arguments(generation)
    # One integer steers (seeded or not, which seed, which field, how deep). Hypothesis' own choice among
    # strategies favours the first, so the share of seeded requests is decided here instead.
    return generation.requests(
        st.builds(
            lambda value, change, steer: _seeded(seeds.pool, names, enums, value, change, steer),
            fresh,
            changes,
            st.integers(0, 2**32 - 1),
        )
    )


def _enum_arguments(generation: Generation) -> dict[str, tuple[str, ...]]:
    """The arguments of enum type, with their values."""
    found = {}
    for argument in generation.action.arguments:
        named = generation.catalog.types.get(argument.type.name or "")
        if isinstance(named, EnumType):
            found[argument.name] = named.value_names
    return found


def _seeded(
    pool: list[dict[str, Any]],
    names: tuple[str, ...],
    enums: Mapping[str, tuple[str, ...]],
    fresh: dict[str, Any],
    change: dict[str, Any],
    steer: int,
) -> dict[str, Any]:
    rng = random.Random(steer)
    # 0 (where Hypothesis shrinks to) means a fresh request: a minimal failure then needs no seed, and replays
    # from the example database in a later run, whose pool starts empty.
    if not pool or steer == 0 or rng.random() < FRESH_SHARE:
        return fresh
    unseen = [
        (name, value) for name, values in enums.items() for value in values if all(s.get(name) != value for s in pool)
    ]
    if unseen and rng.random() < 0.25:
        # Toward distinct successes: an enum value no seed has, on a seed that otherwise got past the rules.
        name, value = unseen[int(rng.random() * len(unseen))]
        return {**pool[int(rng.random() * len(pool))], name: value}
    if len(pool) > 1 and rng.random() < 0.25:
        # Combine: every argument from a seed of its own.
        combined: dict[str, Any] = {}
        for name in names:
            source = pool[int(rng.random() * len(pool))]
            if name in source:
                combined[name] = source[name]
        return combined
    base = pool[int(rng.random() * len(pool))]
    mutated: dict[str, Any] = _mutate(base, change, rng, names)
    return mutated


def _mutate(base: Any, fresh: Any, rng: random.Random, names: Sequence[str]) -> Any:
    """`base` with one place replaced by what `fresh` has there (or left out when `fresh` leaves it out)."""
    if isinstance(base, dict) and isinstance(fresh, dict):
        keys = list(names) or sorted(set(base) | set(fresh))
        if not keys:
            return base  # an action without arguments, an input object without fields: nothing to change
        key = keys[int(rng.random() * len(keys))]
        changed = dict(base)
        inner_base, inner_fresh = base.get(key), fresh.get(key)
        # Go deeper mostly when both sides have an object or a list there: a leaf changes, not the whole.
        deeper = type(inner_base) is type(inner_fresh) and isinstance(inner_base, dict | list) and inner_fresh
        if deeper and inner_base and rng.random() < 0.75:
            changed[key] = _mutate(inner_base, inner_fresh, rng, ())
        elif key in fresh:
            changed[key] = inner_fresh
        else:
            changed.pop(key, None)
        return changed
    if isinstance(base, list) and isinstance(fresh, list) and base and fresh:
        changed_list = list(base)
        at = int(rng.random() * len(base))
        changed_list[at] = _mutate(base[at], fresh[int(rng.random() * len(fresh))], rng, ())
        return changed_list
    return fresh
