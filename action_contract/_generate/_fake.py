"""Realistic, deterministic values of a catalog's output types, for the mock handler's replies.

A frontend developer calling the mock wants data that looks like their product's: an `email` field that
holds an address, a `price` with cents, a `createdAt` that is a recent timestamp. `OutputFaker` splits each
field's name into words, reads them together with the field's type, and compiles one small generator
closure per (type, name) on first use, so a reply costs a handful of closure calls. Every value is valid by
the strict output rules (`strict_findings`) and depends only on the `random.Random` passed in: the mock
seeds it from the request, so the same call always gets the same reply. The word lists are short and live
here on purpose: no faker dependency, and no locale data that could change the replies between versions.
"""

from __future__ import annotations

import copy
import random
import threading
from typing import Any

from .._catalog._model import Catalog, EnumType, ObjectType, ScalarType, TypeRef, uninhabited_outputs
from .._catalog._scalars import registered, registry_generation
from .._errors import InvalidArgument
from ._fake_hints import Hint, plain_scalar
from ._fake_values import Gen, between, index, pick_one
from ._sampling import draw_examples

__all__ = ["OutputFaker"]

# From this object depth on, lists of objects are empty and nullable object fields null, so recursive
# types (`Node { children: [Node!]!, parent: Node }`) give small, finite values.
_SHALLOW = 3
# An object type that needs itself through non-null fields (`Loop { next: Loop! }`) has no finite value at
# all; its generator gives up with None at this depth, which `strict_findings` then reports.
_GIVE_UP = 8
_NULL_RATE = 1 / 8
_EMPTY_RATE = 1 / 10
_POOL_SIZE = 16
_NEVER = 1 << 30  # a depth no value reaches


# Pools of registered scalars' values, drawn once per scalar and registry generation, shared by all fakers.
_POOLS: dict[tuple[str, int], list[Any]] = {}
_POOL_LOCK = threading.Lock()


def _present(value: Any) -> bool:
    return value is not None


def _pooled(name: str, strategy: Any, fallback: Gen) -> Gen:
    key = (name, registry_generation())

    def pick(rng: random.Random, depth: int) -> Any:
        pool = _POOLS.get(key)
        if pool is None:
            # Drawn at first use, not at compile time (Hypothesis takes tens of milliseconds per pool), and
            # by one thread at a time, as the mock answers calls in threads.
            with _POOL_LOCK:
                pool = _POOLS.get(key)
                if pool is None:
                    pool = _POOLS[key] = draw_examples(strategy.filter(_present), _POOL_SIZE, seed_value=0)
        if not pool:
            return fallback(rng, depth)
        value = pool[index(rng, len(pool))]
        return copy.deepcopy(value) if isinstance(value, dict | list) else value

    return pick


class OutputFaker:
    """Realistic values of a catalog's output types; compiled once per type and field name."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._uninhabited = uninhabited_outputs(catalog.types)
        # Compiling is locked (the mock serves threads); a generator is published only once complete.
        self._lock = threading.Lock()
        self._generation = registry_generation()
        self._top: dict[tuple[TypeRef, str], Gen] = {}
        self._compiled: dict[tuple[TypeRef, str], Gen] = {}
        self._objects: dict[str, Gen] = {}

    def value(self, ref: TypeRef, rng: random.Random, *, name: str = "") -> Any:
        """A value of output type `ref` (`name` is the field or action name it is for, a hint for realism)."""
        if registry_generation() != self._generation:
            with self._lock:  # a scalar registered since: its values come from the new strategy
                self._generation = registry_generation()
                self._top, self._compiled, self._objects = {}, {}, {}
        gen = self._top.get((ref, name))
        if gen is None:
            # The top level is never null: a success reply shows the shape (a null reply is an example's
            # job), unless null is the only valid value of a nullable, impossible type.
            present = TypeRef(name=ref.name, of_type=ref.of_type, non_null=True)
            with self._lock:
                gen = self._compile(ref if self._impossible(present) and not ref.non_null else present, name)
                self._top[(ref, name)] = gen
        return gen(rng, 0)

    def _named(self, name: str) -> ObjectType | EnumType | ScalarType:
        named = self.catalog.types.get(name)
        if not isinstance(named, ObjectType | EnumType | ScalarType):
            raise InvalidArgument(f"type {name!r} is not an output type in the catalog")
        return named

    def _impossible(self, ref: TypeRef) -> bool:
        return ref.non_null and ref.name in self._uninhabited

    def _compile(self, ref: TypeRef, hint: str) -> Gen:
        named = self._named(ref.base_name)
        key = (ref, hint if isinstance(named, ScalarType) else "")  # only scalars read the name
        gen = self._compiled.get(key)
        if gen is None:
            gen = self._compiled[key] = self._build(ref, named, hint)
        return gen

    def _build(self, ref: TypeRef, named: ObjectType | EnumType | ScalarType, hint: str) -> Gen:
        is_object = ref.of_type is None and isinstance(named, ObjectType)
        if not ref.non_null and is_object and named.name in self._uninhabited:
            return lambda rng, _: None  # null is its only finite value
        if ref.of_type is not None:
            inner = self._list(ref.of_type, hint, nullable=not ref.non_null)
        elif isinstance(named, ObjectType):
            inner = self._object(named)
        elif isinstance(named, EnumType):
            values = tuple(v.value for v in named.values if not v.is_deprecated) or named.value_names
            inner = pick_one(values) if values else lambda rng, _: None
        else:
            inner = plain_scalar(named, Hint.parse(hint))
            own = registered(named.name)
            if own is not None:
                inner = _pooled(named.name, own.strategy, inner)
        if ref.non_null:
            return inner

        def maybe(rng: random.Random, depth: int) -> Any:
            if (is_object and depth >= _SHALLOW) or rng.random() < _NULL_RATE:
                return None
            return inner(rng, depth)

        return maybe

    def _list(self, item_ref: TypeRef, hint: str, *, nullable: bool) -> Gen:
        item_ref = TypeRef(name=item_ref.name, of_type=item_ref.of_type, non_null=True)
        if self._impossible(item_ref):
            return lambda rng, _: []  # the only finite list of an impossible type
        # Items are never null: a list with holes in it is rare in real data, whatever `[T]` allows.
        item = self._compile(item_ref, hint)
        # Only lists of objects can recurse; lists of scalars keep their size at every depth.
        shallow = _SHALLOW if isinstance(self._named(item_ref.base_name), ObjectType) else _NEVER

        def many(rng: random.Random, depth: int) -> list[Any]:
            if depth >= shallow or (nullable and rng.random() < _EMPTY_RATE):
                return []
            return [item(rng, depth) for _ in range(between(rng, 1, 4))]

        return many

    def _object(self, obj: ObjectType) -> Gen:
        gen = self._objects.get(obj.name)
        if gen is not None:
            return gen
        fields: list[tuple[str, Gen]] = []  # filled below, after `make` is registered, so cycles find it
        limit = _GIVE_UP if obj.name in self._uninhabited else _NEVER

        def make(rng: random.Random, depth: int) -> Any:
            if depth >= limit:
                return None
            inner = depth + 1
            return {name: field(rng, inner) for name, field in fields}

        self._objects[obj.name] = make
        for field in obj.fields:
            # A bare `id` or `name` borrows the type's name: `Product.id` -> `pro_…`, `User.name` -> a person.
            hint = f"{field.name}@{obj.name}" if field.name.lower() in ("id", "name", "_id") else field.name
            fields.append((field.name, self._compile(field.type, hint)))
        return make
