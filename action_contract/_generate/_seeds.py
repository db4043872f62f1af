"""Seeded generation: known-good inputs and the run's own successes, mutated field by field and combined.

A handler's business rules turn most generated inputs away; an input that got past them (given as known
good, or answered 2xx earlier in the run) is the best place to look for what lies behind them. Most generated
requests (all but `FRESH_SHARE`) then start from such a seed and change it in one place: one argument, at any
depth, takes a value drawn through its own strategy (realistic or awkward), everything else stays. Seeds are
also combined (each argument from another seed), and an enum value no seed has yet is tried on a seed. Until
the first success, the seed is the typical input (every argument present).

`Seeds` grows while the run goes (successes with a reply not seen before), so its content is part of what a
draw means, though never of what is drawn. It stops growing at the first failure and at `CAPACITY` entries,
so Hypothesis shrinks and replays a failure against the same pool; a later run starts afresh, which is why
failing inputs are also kept as they are (`_run._replay`).
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
    """Conforming requests, most of them a seed changed in one field or seeds combined (once there are seeds)."""
    if not seeds.pool:
        # Until something gets a 2xx, seeds change the typical input (every argument present): what is drawn
        # must not depend on whether the pool is empty.
        seeds.pool.append(generation.values.edge_arguments(generation.action, "present"))
    arguments = _SeededArguments(
        seeds.pool,
        generation.values.arguments(generation.action),
        generation.values.argument_changes(generation.action),
        tuple(argument.name for argument in generation.action.arguments),
        _enum_arguments(generation),
    )
    return generation.requests(st.composite(arguments.draw)())


def _enum_arguments(generation: Generation) -> dict[str, tuple[str, ...]]:
    """The arguments of enum type, with their values."""
    found = {}
    for argument in generation.action.arguments:
        named = generation.catalog.types.get(argument.type.name or "")
        if isinstance(named, EnumType):
            found[argument.name] = named.value_names
    return found


class _SeededArguments:
    """Draws an `input`: afresh, or from a seed changed in one place, or from seeds combined."""

    def __init__(
        self,
        pool: list[dict[str, Any]],
        fresh: st.SearchStrategy[dict[str, Any]],
        changes: Mapping[str, st.SearchStrategy[Any]],
        names: tuple[str, ...],
        enums: Mapping[str, tuple[str, ...]],
    ) -> None:
        self.pool, self.fresh, self.changes, self.names, self.enums = pool, fresh, changes, names, enums

    def draw(self, draw: st.DrawFn) -> dict[str, Any]:
        # One integer steers (afresh or not, which seed, which argument, how deep); then only what is needed is
        # drawn: a whole input, or one argument's new value. What is drawn depends on drawn values only, never
        # on the pool (Hypothesis requires it); the pool decides only how the draws are used. Hypothesis' own
        # choice among strategies favours the first, so the share of seeded requests is decided here.
        # A small first choice, so the shrinker easily reaches 0: afresh, and a minimal failure needs no seed.
        if draw(st.integers(0, 9)) < FRESH_SHARE * 10:
            return draw(self.fresh)
        rng = random.Random(draw(st.integers(0, 2**32 - 1)))
        key = self.names[int(rng.random() * len(self.names))] if self.names else None
        change = draw(self.changes[key]) if key is not None and key in self.changes else None
        pool = self.pool
        way = rng.random()
        unseen = [
            (name, value)
            for name, values in self.enums.items()
            for value in values
            if all(seed.get(name) != value for seed in pool)
        ]
        if unseen and way < 0.25:
            # Toward distinct successes: an enum value no seed has, on a seed that otherwise got past the rules.
            name, value = unseen[int(rng.random() * len(unseen))]
            return {**pool[int(rng.random() * len(pool))], name: value}
        if len(pool) > 1 and way < 0.5:
            # Combine: every argument from a seed of its own.
            combined: dict[str, Any] = {}
            for name in self.names:
                source = pool[int(rng.random() * len(pool))]
                if name in source:
                    combined[name] = source[name]
            return combined
        changed = dict(pool[int(rng.random() * len(pool))])
        if key is None:
            return changed  # an action without arguments: nothing to change
        if key not in self.changes:
            changed.pop(key, None)  # an argument with no finite value: only left out
            return changed
        changed[key] = _mutate(changed.get(key), change, rng)
        return changed


def _mutate(base: Any, fresh: Any, rng: random.Random) -> Any:
    """`base` with one place replaced by what `fresh` has there (or left out when `fresh` leaves it out)."""
    # Go deeper mostly when both sides have an object or a list there: a leaf changes, not the whole.
    if not (type(base) is type(fresh) and isinstance(base, dict | list) and base and fresh and rng.random() < 0.75):
        return fresh
    if isinstance(base, dict):
        keys = sorted(set(base) | set(fresh))
        key = keys[int(rng.random() * len(keys))]
        changed = dict(base)
        if key in fresh:
            changed[key] = _mutate(base.get(key), fresh[key], rng)
        else:
            changed.pop(key, None)
        return changed
    changed_list = list(base)
    at = int(rng.random() * len(base))
    changed_list[at] = _mutate(base[at], fresh[int(rng.random() * len(fresh))], rng)
    return changed_list
