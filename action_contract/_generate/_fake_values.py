"""The generators of fake values: realistic names, ids, moments, prices and Postgres-typed text, one closure each.

A generator (`Gen`) takes the `random.Random` and the object depth and gives one value; every value here is
valid for the type it is chosen for and depends only on the `random.Random`. `_fake_hints` chooses among
them by a field's name and type.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from . import _fake_words as lexicon

__all__ = [
    "EPOCH",
    "KINDS",
    "SPAN",
    "Gen",
    "between",
    "day",
    "full_name",
    "index",
    "json_object",
    "moment",
    "one_of",
    "phrase",
    "pick_one",
    "price",
    "product",
    "readable_id",
    "rounded",
    "slug",
    "uuid",
]

#: A compiled generator: (rng, object depth) -> value.
Gen = Callable[[random.Random, int], Any]


# `random.Random.randint` and `choice` go through `_randbelow`, three times slower than scaling
# `random()`; the mock draws dozens of values per reply, so these two are the hot path.
# `random()` is at most 1 - 2**-53, so `int(random() * n)` stays below `n` for every n up to 2**53.
_EXACT = 2**53


def between(rng: random.Random, low: int, high: int) -> int:
    """A whole number from `low` to `high`, both included."""
    span = high - low + 1
    if span <= _EXACT:
        return low + int(rng.random() * span)
    return min(high, low + int(rng.random() * span))


def index(rng: random.Random, size: int) -> int:
    """A position in a sequence of `size` items."""
    return int(rng.random() * size)  # sizes of word lists and options: far below 2**53


def one_of(rng: random.Random, options: Sequence[Any]) -> Any:
    """One of `options`."""
    return options[index(rng, len(options))]


_START = datetime(2023, 1, 1)
#: Moments span 2023 to 2026: `SPAN` seconds from the start, which is `EPOCH` seconds after 1970.
SPAN = int((datetime(2027, 1, 1) - _START).total_seconds()) - 1
EPOCH = int((_START - datetime(1970, 1, 1)).total_seconds())
_FIRST_DAY, _LAST_DAY = _START.toordinal(), date(2026, 12, 31).toordinal()


def pick_one(options: tuple[Any, ...]) -> Gen:
    """A generator of one of `options`."""
    return lambda rng, _: one_of(rng, options)


def full_name(rng: random.Random, _: int) -> str:
    """A person's first and last name."""
    return f"{one_of(rng, lexicon.FIRST)} {one_of(rng, lexicon.LAST)}"


def product(rng: random.Random, _: int) -> str:
    """A product name: adjective, material, item."""
    return f"{one_of(rng, lexicon.ADJECTIVES)} {one_of(rng, lexicon.MATERIALS)} {one_of(rng, lexicon.ITEMS)}"


def slug(rng: random.Random, depth: int) -> str:
    """A product name in lower case with dashes, as in a URL."""
    return product(rng, depth).lower().replace(" ", "-")


def phrase(rng: random.Random, _: int) -> str:
    """Two lower-case words, for text whose name says nothing."""
    # A name that says nothing still gets something that reads like data, not like a random string.
    return f"{one_of(rng, lexicon.ADJECTIVES)} {one_of(rng, lexicon.ITEMS)}".lower()


def readable_id(prefix: str) -> Gen:
    """A generator of ids such as `ord_3kT9xQ2a`."""
    return lambda rng, _: f"{prefix}_{''.join(rng.choices(lexicon.BASE62, k=8))}"


def uuid(rng: random.Random, _: int) -> str:
    """A version 4 UUID in canonical form."""
    # Version 4, variant 1, canonical lower case; formatted by hand, as uuid.UUID costs more than the rest.
    h = f"{rng.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48) | (0x4000 << 64) | (0x8000 << 48):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def moment(rng: random.Random) -> str:
    """A recent timestamp in ISO 8601, to the millisecond, without a zone."""
    at = _START + timedelta(seconds=between(rng, 0, SPAN), milliseconds=between(rng, 0, 999))
    return at.isoformat(timespec="milliseconds")


def day(rng: random.Random, _: int) -> str:
    """A recent date in ISO 8601."""
    return date.fromordinal(between(rng, _FIRST_DAY, _LAST_DAY)).isoformat()


def _clock(rng: random.Random, _: int) -> str:
    return f"{between(rng, 0, 23):02d}:{between(rng, 0, 59):02d}:{between(rng, 0, 59):02d}"


def price(rng: random.Random, _: int) -> float:
    """A price with cents."""
    cents: float = one_of(rng, lexicon.CENTS)
    return round(between(rng, 1, 499) + cents, 2)


def rounded(low: float, high: float, digits: int) -> Gen:
    """A generator of numbers from `low` to `high` rounded to `digits`."""
    return lambda rng, _: round(rng.uniform(low, high), digits)


_LATITUDE = rounded(-60, 70, 6)  # where people live


def json_object(rng: random.Random, _: int) -> dict[str, Any]:
    """A small JSON object, for json and jsonb values."""
    tags = rng.sample(("new", "sale", "gift", "priority", "bulk"), 2)
    return {"source": one_of(rng, ("web", "ios", "android", "api")), "tags": tags, "priority": between(rng, 1, 5)}


#: Generators by Postgres category or type name, for the types whose values have a shape of their own.
KINDS: dict[str, Gen] = {
    "date": day,
    "time": _clock,
    "timetz": lambda rng, d: _clock(rng, d) + "+00:00",
    "timestamp": lambda rng, _: moment(rng),
    "timestamptz": lambda rng, _: moment(rng) + "+00:00",  # as Hasura returns one from Postgres
    "bytea": lambda rng, _: f"\\x{rng.getrandbits(64):016x}",
    "uuid": uuid,
    "json": json_object,
    "geo": lambda rng, _: {"type": "Point", "coordinates": [round(rng.uniform(-180, 180), 6), _LATITUDE(rng, 0)]},
    # Postgres text types with a shape of their own; the others read like any string field.
    "inet": lambda rng, _: f"192.168.{between(rng, 0, 255)}.{between(rng, 1, 254)}",
    "cidr": lambda rng, _: f"10.{between(rng, 0, 255)}.0.0/16",
    "macaddr": lambda rng, _: ":".join(f"{b:02x}" for b in rng.randbytes(6)),
    "interval": lambda rng, _: (
        f"{between(rng, 0, 30)} days {between(rng, 0, 23):02d}:{one_of(rng, (0, 15, 30)):02d}:00"
    ),
    "point": lambda rng, _: f"({round(rng.uniform(-180, 180), 4)},{round(rng.uniform(-60, 70), 4)})",
    "ltree": pick_one(("shop.clothing.shirts", "shop.home.lamps", "docs.api.v1")),
    "bit": lambda rng, _: f"{rng.getrandbits(8):08b}",
    "char": pick_one(tuple("ABCDEFGH")),
    "character": pick_one(tuple("ABCDEFGH")),
}  # fmt: skip
