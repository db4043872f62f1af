"""The contract as immutable values: actions, custom types and GraphQL type references.

Everything downstream (schemas, strategies, requests, the judge) reads these values only; no I/O
happens after `load_catalog` returns a `Catalog`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, TypeAlias

from .._errors import InvalidArgument, Problem
from .._suggest import did_you_mean

__all__ = [
    "Action",
    "Argument",
    "Catalog",
    "EnumType",
    "EnumValue",
    "Field",
    "Header",
    "InputObjectType",
    "ObjectType",
    "Permission",
    "Relationship",
    "ScalarType",
    "TypeRef",
    "uninhabited_inputs",
    "uninhabited_outputs",
]

ActionType = Literal["query", "mutation"]
ActionKind = Literal["synchronous", "asynchronous"]
ScalarOrigin = Literal["builtin", "postgres", "custom"]
JSON: TypeAlias = Any

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


@dataclass(frozen=True, slots=True)
class TypeRef:
    """A GraphQL type reference such as `Int`, `[String!]` or `[[Foo!]]!`.

    Exactly one of `name` (a named type) and `of_type` (a list of it) is set.
    """

    name: str | None = None
    of_type: TypeRef | None = None
    non_null: bool = False

    @classmethod
    def named(cls, name: str, *, non_null: bool = False) -> TypeRef:
        """A reference to the named type `name`."""
        return cls(name=name, non_null=non_null)

    @classmethod
    def list_of(cls, item: TypeRef, *, non_null: bool = False) -> TypeRef:
        """A list of `item`."""
        return cls(of_type=item, non_null=non_null)

    @classmethod
    def parse(cls, text: str) -> TypeRef:
        """Parse GraphQL type syntax (`[Int!]!`); raises `ValueError` with the reason."""
        if text.count("[") > MAX_LIST_NESTING:
            raise ValueError(f"lists nested {text.count('[')} deep in {text[:60]!r}...; at most {MAX_LIST_NESTING}")
        ref, rest = _parse_type(text.strip(), text)
        if rest.strip():
            raise ValueError(f"unexpected {rest.strip()!r} after the type in {text!r}")
        return ref

    @property
    def is_list(self) -> bool:
        """True for `[T]` and `[T]!`."""
        return self.of_type is not None

    @property
    def base_name(self) -> str:
        """The innermost named type: `Foo` for `[[Foo!]]!` (Hasura's `getBaseType`)."""
        ref = self
        while ref.of_type is not None:
            ref = ref.of_type
        assert ref.name is not None  # invariant of the constructors, not user input
        return ref.name

    def nullable(self) -> TypeRef:
        """The same reference without the outer `!`."""
        return TypeRef(name=self.name, of_type=self.of_type, non_null=False)

    def __str__(self) -> str:
        inner = f"[{self.of_type}]" if self.of_type is not None else str(self.name)
        return inner + ("!" if self.non_null else "")


#: How deeply list types may nest; real schemas use two or three, and each level is a stack frame below.
MAX_LIST_NESTING = 64


def _parse_type(text: str, whole: str) -> tuple[TypeRef, str]:
    if text.startswith("["):
        item, rest = _parse_type(text[1:].lstrip(), whole)
        rest = rest.lstrip()
        if not rest.startswith("]"):
            raise ValueError(f"missing ']' in type {whole!r}")
        rest = rest[1:].lstrip()
        non_null = rest.startswith("!")
        return TypeRef.list_of(item, non_null=non_null), rest[1:] if non_null else rest
    match = _NAME.match(text)
    if match is None:
        found = text[:1] or "end of text"
        raise ValueError(f"expected a type name in {whole!r}, found {found!r}")
    rest = text[match.end() :].lstrip()
    non_null = rest.startswith("!")
    return TypeRef.named(match.group(), non_null=non_null), rest[1:] if non_null else rest


@dataclass(frozen=True, slots=True, kw_only=True)
class ScalarType:
    """A scalar: GraphQL built-in, a Postgres type Hasura reuses, or a declared custom scalar."""

    name: str
    origin: ScalarOrigin
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumValue:
    """One value of an enum, as Hasura sends it (the value name, case preserved)."""

    value: str
    description: str | None = None
    is_deprecated: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumType:
    """A custom enum type."""

    name: str
    values: tuple[EnumValue, ...]
    description: str | None = None

    @property
    def value_names(self) -> tuple[str, ...]:
        """The values as strings, in declaration order."""
        return tuple(v.value for v in self.values)


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """A field of an input object or object type, or an action argument."""

    name: str
    type: TypeRef
    description: str | None = None


Argument = Field


@dataclass(frozen=True, slots=True, kw_only=True)
class InputObjectType:
    """A custom input object type."""

    name: str
    fields: tuple[Field, ...]
    description: str | None = None
    #: The fields by name: `field` is called for every field of every reply judged and shaped.
    _by_name: Mapping[str, Field] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in reversed(self.fields)})

    def field(self, name: str) -> Field | None:
        """The field called `name`, or None."""
        return self._by_name.get(name)


@dataclass(frozen=True, slots=True, kw_only=True)
class Relationship:
    """A relationship from a custom object type to a database table (Hasura joins it, not the handler)."""

    name: str
    type: Literal["object", "array"]
    remote_table: tuple[str, str]  # (schema, name)
    field_mapping: Mapping[str, str] = field(hash=False)
    source: str = "default"


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectType:
    """A custom object type, used as (part of) an action's output."""

    name: str
    fields: tuple[Field, ...]
    relationships: tuple[Relationship, ...] = ()
    description: str | None = None
    #: The fields by name: `field` is called for every field of every reply judged and shaped.
    _by_name: Mapping[str, Field] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in reversed(self.fields)})

    def field(self, name: str) -> Field | None:
        """The field called `name`, or None."""
        return self._by_name.get(name)


NamedType: TypeAlias = ScalarType | EnumType | InputObjectType | ObjectType


def uninhabited_inputs(types: Mapping[str, NamedType]) -> frozenset[str]:
    """Input types with no finite value: each needs another of a cycle through non-null, non-list fields.

    Hasura accepts such types (`input Loop { next: Loop! }`), but no client can ever send a value.
    """
    return _uninhabited(types, InputObjectType)


def uninhabited_outputs(types: Mapping[str, NamedType]) -> frozenset[str]:
    """Object types with no finite value (`type Loop { next: Loop! }`): no handler can ever return one."""
    return _uninhabited(types, ObjectType)


def _uninhabited(types: Mapping[str, NamedType], kind: type[InputObjectType] | type[ObjectType]) -> frozenset[str]:
    needs = {
        named.name: [f.type.base_name for f in named.fields if f.type.non_null and not f.type.is_list]
        for named in types.values()
        if isinstance(named, kind)
    }
    inhabited: set[str] = set()
    changed = True
    while changed:
        changed = False
        for name, required in needs.items():
            if name not in inhabited and all(t in inhabited or t not in needs for t in required):
                inhabited.add(name)
                changed = True
    return frozenset(set(needs) - inhabited)


@dataclass(frozen=True, slots=True, kw_only=True)
class Header:
    """A configured webhook header: a `value` template or the name of an env var (`value_from_env`)."""

    name: str
    value: str | None = None
    value_from_env: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Permission:
    """A role allowed to call the action."""

    role: str
    comment: str | None = None


# Hasura's default list (`commonClientHeadersIgnored`, contract §1.2); `ignored_client_headers`
# replaces it (≈v2.42+).
DEFAULT_IGNORED_CLIENT_HEADERS: tuple[str, ...] = (
    "Content-Length", "Content-MD5", "User-Agent", "Host", "Origin", "Referer", "Accept",
    "Accept-Encoding", "Accept-Language", "Accept-Datetime", "Cache-Control", "Connection", "DNT",
    "Content-Type",
)  # fmt: skip

DEFAULT_TIMEOUT = 30  # seconds, `defaultActionTimeoutSecs` (contract §5)


# repr=False: a failing Hypothesis test prints its arguments, and a catalog in full fills pages.
@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Action:
    """One Hasura Action: its GraphQL signature and how Hasura calls its handler."""

    name: str
    type: ActionType
    kind: ActionKind
    arguments: tuple[Argument, ...]
    output_type: TypeRef
    handler: str
    headers: tuple[Header, ...] = ()
    forward_client_headers: bool = False
    ignored_client_headers: tuple[str, ...] = DEFAULT_IGNORED_CLIENT_HEADERS
    timeout: int = DEFAULT_TIMEOUT
    request_transform: Mapping[str, JSON] | None = field(default=None, hash=False)
    response_transform: Mapping[str, JSON] | None = field(default=None, hash=False)
    permissions: tuple[Permission, ...] = ()
    comment: str | None = None
    description: str | None = None

    @property
    def is_async(self) -> bool:
        """True for asynchronous mutations (queries are always synchronous)."""
        return self.kind == "asynchronous"

    def argument(self, name: str) -> Argument | None:
        """The argument called `name`, or None."""
        return next((a for a in self.arguments if a.name == name), None)

    def __repr__(self) -> str:
        return f"<Action {self.name}: {self.type} -> {self.output_type}, {self.kind} at {self.handler}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis (and IPython) print dataclasses field by field unless told otherwise.
        printer.text(repr(self))


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Catalog:
    """Every action and custom type of one Hasura metadata source, ready to use."""

    actions: Mapping[str, Action] = field(hash=False)
    types: Mapping[str, NamedType] = field(hash=False)
    #: What was loaded, e.g. "Hasura CLI project (config v3)".
    source_kind: str = "metadata"
    source: str | None = None
    #: Values of the template variables the metadata refers to, as found at load time.
    variables: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: `actions.handler_webhook_baseurl` from a CLI project's config.yaml, if any.
    handler_base_url: str | None = None
    #: Warnings found while loading (errors make loading fail instead).
    warnings: tuple[Problem, ...] = ()

    def __post_init__(self) -> None:
        # Freeze the mappings so a Catalog can be shared between threads and test items safely.
        object.__setattr__(self, "actions", MappingProxyType(dict(self.actions)))
        object.__setattr__(self, "types", MappingProxyType(dict(self.types)))
        object.__setattr__(self, "variables", MappingProxyType(dict(self.variables)))

    def __iter__(self) -> Iterator[Action]:
        return iter(self.actions.values())

    def __len__(self) -> int:
        return len(self.actions)

    def action(self, name: str) -> Action:
        """The action called `name`; raises `InvalidArgument` with suggestions when there is none."""
        try:
            return self.actions[name]
        except KeyError:
            raise InvalidArgument(
                f"no action named {name!r} in {self.source or 'this catalog'}" + _did_you_mean(name, list(self.actions))
            ) from None

    def type(self, name: str) -> NamedType:
        """The named type `name` (custom, Postgres or built-in)."""
        try:
            return self.types[name]
        except KeyError:
            raise InvalidArgument(f"no type named {name!r}" + _did_you_mean(name, list(self.types))) from None

    def custom_types(self) -> list[NamedType]:
        """The declared custom types (enums, input objects, objects, custom scalars), by name."""
        return sorted(
            (t for t in self.types.values() if not (isinstance(t, ScalarType) and t.origin != "custom")),
            key=lambda t: t.name,
        )

    def __repr__(self) -> str:
        names = ", ".join(list(self.actions)[:5]) + (", ..." if len(self.actions) > 5 else "")
        return f"<Catalog of {len(self.actions)} action(s) from {self.source or self.source_kind}: {names}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # Hypothesis (and IPython) print dataclasses field by field unless told otherwise.
        printer.text(repr(self))


def _did_you_mean(name: str, options: list[str]) -> str:
    text = did_you_mean(name, options)
    if text:
        return "." + text
    if options and len(options) <= 12:
        return ". Available: " + ", ".join(sorted(options))
    return ""
