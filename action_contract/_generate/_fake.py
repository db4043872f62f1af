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
import itertools
import random
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .._catalog._model import Catalog, EnumType, ObjectType, ScalarType, TypeRef, uninhabited_outputs
from .._catalog._scalars import int_range, postgres_category, registered, registry_generation
from .._errors import InvalidArgument
from . import _fake_words as lexicon
from ._sampling import draw_examples

__all__ = ["OutputFaker"]

#: A compiled generator: (rng, object depth) -> value.
Gen = Callable[[random.Random, int], Any]

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
_INT64 = (-(2**63), 2**63 - 1)


# `random.Random.randint` and `choice` go through `_randbelow`, three times slower than scaling
# `random()`; the mock draws dozens of values per reply, so these two are the hot path.
# `random()` is at most 1 - 2**-53, so `int(random() * n)` stays below `n` for every n up to 2**53.
_EXACT = 2**53


def _between(rng: random.Random, low: int, high: int) -> int:
    """A whole number from `low` to `high`, both included."""
    span = high - low + 1
    if span <= _EXACT:
        return low + int(rng.random() * span)
    return min(high, low + int(rng.random() * span))


def _index(rng: random.Random, size: int) -> int:
    return int(rng.random() * size)  # sizes of word lists and options: far below 2**53


def _one_of(rng: random.Random, options: Sequence[Any]) -> Any:
    return options[_index(rng, len(options))]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_IDS = _words("id ids uid pk")
_PEOPLE = _words("full display user customer author person owner member contact")
_COMPANY = _words("company organization organisation org brand vendor supplier merchant")
_MOMENTS = _words("at created updated deleted placed date time timestamp since until expires modified published") | (
    _words("scheduled started ended deadline birthday dob")
)
_COUNTS = _words("quantity qty count limit number imported failed skipped processed attempts retries stock size page")
_MONEY = _words("price amount total cost balance subtotal tax fee revenue salary discount money refund payout")
_RATINGS = _words("rating score stars")
_PERCENT = _words("percent percentage progress")
_NEGATIVE = _words("deleted disabled archived blocked banned locked hidden failed error expired")
# Verbs too: an action such as `cancelOrder: Boolean!` answers whether it worked, which it mostly does.
_POSITIVE = _words("is has can should enabled active verified visible available success ok valid confirmed") | (
    _words("published allowed approved cancel delete send update create set add remove mark confirm reset save")
)

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_START = datetime(2023, 1, 1)
_SPAN = int((datetime(2027, 1, 1) - _START).total_seconds()) - 1
_EPOCH = int((_START - datetime(1970, 1, 1)).total_seconds())
_FIRST_DAY, _LAST_DAY = _START.toordinal(), date(2026, 12, 31).toordinal()


@dataclass(frozen=True, slots=True)
class _Hint:
    """A name as lower-case words, plus their singulars and adjacent pairs (`user`, `name`, `username`)."""

    words: tuple[str, ...]
    set: frozenset[str]
    #: The words of the type that holds the field, for a bare `id` or `name`.
    owner: tuple[str, ...] = ()

    @classmethod
    def parse(cls, hint: str) -> _Hint:
        """`customerId` -> customer, id; `id@Product` is the field `id` of type `Product`."""
        field, _, owner = hint.partition("@")
        words = tuple(w.lower() for w in _WORD.findall(field))
        singular = {w[:-1] for w in words if len(w) > 3 and w.endswith("s") and not w.endswith("ss")}
        pairs = {a + b for a, b in itertools.pairwise(words)}
        return cls(words, frozenset(words) | singular | pairs, tuple(w.lower() for w in _WORD.findall(owner)))

    @property
    def prefix(self) -> str:
        """A readable id's prefix from the last word that is not `id`: `ord` for `orderId`, `pro` for `Product.id`."""
        named = [w for w in self.words if w not in _IDS and w.isalpha()] or list(self.owner)
        return named[-1][:3] if named else "id"


def _pick(options: tuple[Any, ...]) -> Gen:
    return lambda rng, _: _one_of(rng, options)


def _full_name(rng: random.Random, _: int) -> str:
    return f"{_one_of(rng, lexicon.FIRST)} {_one_of(rng, lexicon.LAST)}"


def _product(rng: random.Random, _: int) -> str:
    return f"{_one_of(rng, lexicon.ADJECTIVES)} {_one_of(rng, lexicon.MATERIALS)} {_one_of(rng, lexicon.ITEMS)}"


def _slug(rng: random.Random, depth: int) -> str:
    return _product(rng, depth).lower().replace(" ", "-")


def _phrase(rng: random.Random, _: int) -> str:
    # A name that says nothing still gets something that reads like data, not like a random string.
    return f"{_one_of(rng, lexicon.ADJECTIVES)} {_one_of(rng, lexicon.ITEMS)}".lower()


def _readable_id(prefix: str) -> Gen:
    return lambda rng, _: f"{prefix}_{''.join(rng.choices(lexicon.BASE62, k=8))}"


def _uuid(rng: random.Random, _: int) -> str:
    # Version 4, variant 1, canonical lower case; formatted by hand, as uuid.UUID costs more than the rest.
    h = f"{rng.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48) | (0x4000 << 64) | (0x8000 << 48):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _moment(rng: random.Random) -> str:
    at = _START + timedelta(seconds=_between(rng, 0, _SPAN), milliseconds=_between(rng, 0, 999))
    return at.isoformat(timespec="milliseconds")


def _day(rng: random.Random, _: int) -> str:
    return date.fromordinal(_between(rng, _FIRST_DAY, _LAST_DAY)).isoformat()


def _clock(rng: random.Random, _: int) -> str:
    return f"{_between(rng, 0, 23):02d}:{_between(rng, 0, 59):02d}:{_between(rng, 0, 59):02d}"


def _price(rng: random.Random, _: int) -> float:
    cents: float = _one_of(rng, lexicon.CENTS)
    return round(_between(rng, 1, 499) + cents, 2)


def _rounded(low: float, high: float, digits: int) -> Gen:
    return lambda rng, _: round(rng.uniform(low, high), digits)


_LATITUDE = _rounded(-60, 70, 6)  # where people live


def _json(rng: random.Random, _: int) -> dict[str, Any]:
    tags = rng.sample(("new", "sale", "gift", "priority", "bulk"), 2)
    return {"source": _one_of(rng, ("web", "ios", "android", "api")), "tags": tags, "priority": _between(rng, 1, 5)}


_KINDS: dict[str, Gen] = {
    "date": _day,
    "time": _clock,
    "timetz": lambda rng, d: _clock(rng, d) + "+00:00",
    "timestamp": lambda rng, _: _moment(rng),
    "timestamptz": lambda rng, _: _moment(rng) + "+00:00",  # as Hasura returns one from Postgres
    "bytea": lambda rng, _: f"\\x{rng.getrandbits(64):016x}",
    "uuid": _uuid,
    "json": _json,
    "geo": lambda rng, _: {"type": "Point", "coordinates": [round(rng.uniform(-180, 180), 6), _LATITUDE(rng, 0)]},
    # Postgres text types with a shape of their own; the others read like any string field.
    "inet": lambda rng, _: f"192.168.{_between(rng, 0, 255)}.{_between(rng, 1, 254)}",
    "cidr": lambda rng, _: f"10.{_between(rng, 0, 255)}.0.0/16",
    "macaddr": lambda rng, _: ":".join(f"{b:02x}" for b in rng.randbytes(6)),
    "interval": lambda rng, _: (
        f"{_between(rng, 0, 30)} days {_between(rng, 0, 23):02d}:{_one_of(rng, (0, 15, 30)):02d}:00"
    ),
    "point": lambda rng, _: f"({round(rng.uniform(-180, 180), 4)},{round(rng.uniform(-60, 70), 4)})",
    "ltree": _pick(("shop.clothing.shirts", "shop.home.lamps", "docs.api.v1")),
    "bit": lambda rng, _: f"{rng.getrandbits(8):08b}",
    "char": _pick(tuple("ABCDEFGH")),
    "character": _pick(tuple("ABCDEFGH")),
}  # fmt: skip


def _moment_text(hint: _Hint) -> Gen:
    if hint.set & _words("date birthday dob") and hint.set.isdisjoint(_words("time at timestamp")):
        return _day
    return lambda rng, _: _moment(rng) + "Z"


def _named_text(hint: _Hint) -> Gen:
    everything = hint.set | set(hint.owner)
    return _full_name if everything & _PEOPLE else _pick(lexicon.COMPANIES) if everything & _COMPANY else _product


Rule = Callable[[_Hint], "Gen | None"]


def _always(gen: Gen) -> Rule:
    return lambda _: gen


# (words, rule) in order: the first rule that shares a word with the name and gives a generator wins.
_TEXT_RULES: tuple[tuple[frozenset[str], Rule], ...] = tuple(
    (words if isinstance(words, frozenset) else _words(words), rule) for words, rule in (
    ("email mail", _always(
        lambda rng, _: (
            f"{_one_of(rng, lexicon.FIRST)}.{_one_of(rng, lexicon.LAST)}@{_one_of(rng, lexicon.DOMAINS)}".lower()
        ))),
    ("avatar image photo picture thumbnail logo icon img", _always(
        lambda rng, _: (
            f"https://images.example.com/{_one_of(rng, ('avatars', 'photos'))}/{rng.getrandbits(32):x}.jpg"
        ))),
    ("url link website href homepage uri", _always(
        lambda rng, d: f"https://{_one_of(rng, lexicon.DOMAINS)}/p/{_slug(rng, d)}")),
    ("uuid guid", _always(_uuid)),
    ("token secret key hash signature nonce checksum password", _always(lambda rng, _: rng.randbytes(16).hex())),
    (_IDS, lambda hint: _readable_id(hint.prefix)),
    # Numbers reserved for fiction (UK drama range 020 7946 0xxx).
    ("phone mobile tel telephone fax", _always(lambda rng, _: f"+44 20 7946 0{_between(rng, 0, 999):03d}")),
    ("username login handle nickname", _always(
        lambda rng, _: f"{_one_of(rng, lexicon.FIRST)}_{_one_of(rng, lexicon.LAST)}{_between(rng, 1, 99)}".lower())),
    ("firstname givenname", _always(_pick(lexicon.FIRST))),
    ("lastname surname familyname", _always(_pick(lexicon.LAST))),
    ("createdby updatedby modifiedby approvedby", _always(_full_name)),  # before the timestamps
    ("countrycode countryiso", _always(_pick(tuple(code for code, _ in lexicon.COUNTRIES)))),
    ("country", _always(_pick(tuple(name for _, name in lexicon.COUNTRIES)))),
    ("currency", _always(_pick(("EUR", "USD", "GBP")))),
    ("locale lang language", _always(_pick(("en-GB", "en-US", "de-DE", "fr-FR", "ja-JP")))),
    ("timezone tz", _always(_pick(("Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC")))),
    ("ip", _always(_KINDS["inet"])),
    ("line2 address2", _always(_pick(("Apt 4B", "Suite 210", "Floor 3", "Unit 12", "Flat 7")))),
    ("street address line line1", _always(lambda rng, _: f"{_between(rng, 1, 250)} {_one_of(rng, lexicon.STREETS)}")),
    ("city town", _always(_pick(("London", "Berlin", "Lisbon", "Toronto", "Melbourne", "Osaka", "Nairobi")))),
    ("zip postal postcode zipcode", _always(lambda rng, _: str(_between(rng, 10000, 99999)))),
    ("code", _always(lambda rng, _: "".join(rng.choices(lexicon.BASE62[:36], k=6)))),
    ("domain host hostname", _always(_pick(("example.com", "shop.example.com", "api.example.org")))),
    ("path file filename", _always(lambda rng, d: f"uploads/{_slug(rng, d)}.{_one_of(rng, ('pdf', 'png', 'csv'))}")),
    (_MOMENTS, _moment_text),
    ("status state", _always(_pick(("active", "pending", "completed", "processing", "cancelled")))),
    ("color colour", _always(lambda rng, _: f"#{rng.getrandbits(24):06x}")),
    ("sku", _always(lambda rng, _: f"SKU-{_between(rng, 10000, 99999)}")),
    ("slug", _always(_slug)),
    ("version", _always(lambda rng, _: f"{_between(rng, 0, 3)}.{_between(rng, 0, 12)}.{_between(rng, 0, 20)}")),
    ("role", _always(_pick(("admin", "user", "editor", "viewer")))),
    ("category department", _always(_pick(("Electronics", "Home & Garden", "Books", "Clothing", "Toys")))),
    (_MONEY, lambda hint: None if hint.set & _COUNTS else lambda rng, d: f"{_price(rng, d):.2f}"),
    ("description summary bio comment message note text reason body content details error",
        _always(_pick(lexicon.SENTENCES))),
    ("name title label", _named_text),
))  # fmt: skip


def _text(hint: _Hint) -> Gen | None:
    """Strings that fit the name's words, or None when no word says what the text is."""
    for words, rule in _TEXT_RULES:
        if hint.set & words:
            gen = rule(hint)
            if gen is not None:
                return gen
    return None


# Whole numbers by word, first match wins; a moment is in Unix seconds (they fit a 32-bit Int until 2038).
_SPANS = (
    (_COUNTS, (0, 20)), (_words("cents cent"), (100, 99_999)), (_MONEY, (1, 500)),
    (_words("ttl duration seconds timeout expiresin"), (60, 86_400)), (_words("age"), (18, 90)), (_RATINGS, (0, 5)),
    (_words("year"), (2000, 2026)), (_PERCENT, (0, 100)), (_MOMENTS, (_EPOCH, _EPOCH + _SPAN)), (_IDS, (1, 99_999)),
)  # fmt: skip
_SHAPES = (
    (_RATINGS, (0, 5, 1)), (_words("lat latitude"), (-60, 70, 6)), (_words("lng lon long longitude"), (-180, 180, 6)),
    (_PERCENT, (0, 100, 1)),
)  # fmt: skip


def _whole_range(hint: _Hint) -> tuple[int, int] | None:
    return next((span for words, span in _SPANS if hint.set & words), None)


def _whole(hint: _Hint, bounds: tuple[int, int]) -> Gen:
    low, high = _whole_range(hint) or (0, 100)
    low, high = max(low, bounds[0]), min(high, bounds[1])
    if low > high:
        low, high = max(0, bounds[0]), min(100, bounds[1])
    return lambda rng, _: _between(rng, low, high)


def _number(hint: _Hint) -> Gen:
    w = hint.set
    if w & _MONEY and w.isdisjoint(_COUNTS):
        return _price
    shape = next((shape for words, shape in _SHAPES if w & words), None)
    if shape is not None:
        return _rounded(*shape)
    span = _whole_range(hint)
    return _rounded(0, 100, 1) if span is None else lambda rng, _: float(_between(rng, *span))


def _plain_scalar(scalar: ScalarType, hint: _Hint) -> Gen:
    """A scalar's values without a registration: by its kind, then by the name's words."""
    name = scalar.name
    if scalar.origin == "builtin":
        kind = {"Int": "int", "Float": "decimal", "Boolean": "bool", "String": "text", "ID": "id"}[name]
    else:
        # Postgres rules apply even to a declared custom scalar with a Postgres name (as in `json_schema_for_scalar`).
        kind = postgres_category(name) or "custom"
    if kind in ("int", "bigint"):
        return _whole(hint, int_range(name) or _INT64)
    if kind == "decimal":
        return _number(hint)
    if kind == "bool":
        chance = 0.15 if hint.set & _NEGATIVE else 0.8 if hint.set & _POSITIVE else 0.5
        return lambda rng, _: rng.random() < chance
    if kind in _KINDS:
        return _KINDS[kind]
    if kind == "id":
        return _uuid if hint.set & {"uuid", "guid"} else _readable_id(hint.prefix)
    if kind == "text":
        return _KINDS.get(name) or _text(hint) or _phrase
    # An unregistered custom scalar takes any JSON; its own name says most (`Email`, `DateTime`, `Money`).
    own = _Hint.parse(name)
    if own.set & _words("json jsonb jsonobject object"):
        return _json
    if own.set & _words("bigint long int integer int64 int32"):
        return _whole(hint, _INT64)
    if own.set & _words("decimal float double number numeric money"):
        return _number(_Hint(hint.words, hint.set | own.set, hint.owner))
    return _text(own) or _text(hint) or _phrase


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
        value = pool[_index(rng, len(pool))]
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
            inner = _pick(values) if values else lambda rng, _: None
        else:
            inner = _plain_scalar(named, _Hint.parse(hint))
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
            return [item(rng, depth) for _ in range(_between(rng, 1, 4))]

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
