"""Name hints: the words of a field's name, and the generator they choose for a value of the field's type.

`Hint.parse` splits `customerId` into `customer`, `id`; `plain_scalar` reads those words together with a
scalar's kind (Int, a Postgres type, an unregistered custom scalar) and picks a generator of
`_fake_values`, so an `email` field holds an address and a `createdAt` a recent timestamp.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from .._catalog._model import ScalarType
from .._catalog._scalars import int_range, postgres_category
from . import _fake_words as lexicon
from ._fake_values import (
    EPOCH,
    KINDS,
    SPAN,
    Gen,
    between,
    day,
    full_name,
    json_object,
    moment,
    one_of,
    phrase,
    pick_one,
    price,
    product,
    readable_id,
    rounded,
    slug,
    uuid,
)

__all__ = ["Hint", "plain_scalar"]

_INT64 = (-(2**63), 2**63 - 1)


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


@dataclass(frozen=True, slots=True)
class Hint:
    """A name as lower-case words, plus their singulars and adjacent pairs (`user`, `name`, `username`)."""

    words: tuple[str, ...]
    set: frozenset[str]
    #: The words of the type that holds the field, for a bare `id` or `name`.
    owner: tuple[str, ...] = ()

    @classmethod
    def parse(cls, hint: str) -> Hint:
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


def _moment_text(hint: Hint) -> Gen:
    if hint.set & _words("date birthday dob") and hint.set.isdisjoint(_words("time at timestamp")):
        return day
    return lambda rng, _: moment(rng) + "Z"


def _named_text(hint: Hint) -> Gen:
    everything = hint.set | set(hint.owner)
    return full_name if everything & _PEOPLE else pick_one(lexicon.COMPANIES) if everything & _COMPANY else product


Rule = Callable[[Hint], "Gen | None"]


def _always(gen: Gen) -> Rule:
    return lambda _: gen


# (words, rule) in order: the first rule that shares a word with the name and gives a generator wins.
_TEXT_RULES: tuple[tuple[frozenset[str], Rule], ...] = tuple(
    (words if isinstance(words, frozenset) else _words(words), rule) for words, rule in (
    ("email mail", _always(
        lambda rng, _: (
            f"{one_of(rng, lexicon.FIRST)}.{one_of(rng, lexicon.LAST)}@{one_of(rng, lexicon.DOMAINS)}".lower()
        ))),
    ("avatar image photo picture thumbnail logo icon img", _always(
        lambda rng, _: (
            f"https://images.example.com/{one_of(rng, ('avatars', 'photos'))}/{rng.getrandbits(32):x}.jpg"
        ))),
    ("url link website href homepage uri", _always(
        lambda rng, d: f"https://{one_of(rng, lexicon.DOMAINS)}/p/{slug(rng, d)}")),
    ("uuid guid", _always(uuid)),
    ("token secret key hash signature nonce checksum password", _always(lambda rng, _: rng.randbytes(16).hex())),
    (_IDS, lambda hint: readable_id(hint.prefix)),
    # Numbers reserved for fiction (UK drama range 020 7946 0xxx).
    ("phone mobile tel telephone fax", _always(lambda rng, _: f"+44 20 7946 0{between(rng, 0, 999):03d}")),
    ("username login handle nickname", _always(
        lambda rng, _: f"{one_of(rng, lexicon.FIRST)}_{one_of(rng, lexicon.LAST)}{between(rng, 1, 99)}".lower())),
    ("firstname givenname", _always(pick_one(lexicon.FIRST))),
    ("lastname surname familyname", _always(pick_one(lexicon.LAST))),
    ("createdby updatedby modifiedby approvedby", _always(full_name)),  # before the timestamps
    ("countrycode countryiso", _always(pick_one(tuple(code for code, _ in lexicon.COUNTRIES)))),
    ("country", _always(pick_one(tuple(name for _, name in lexicon.COUNTRIES)))),
    ("currency", _always(pick_one(("EUR", "USD", "GBP")))),
    ("locale lang language", _always(pick_one(("en-GB", "en-US", "de-DE", "fr-FR", "ja-JP")))),
    ("timezone tz", _always(pick_one(("Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo", "UTC")))),
    ("ip", _always(KINDS["inet"])),
    ("line2 address2", _always(pick_one(("Apt 4B", "Suite 210", "Floor 3", "Unit 12", "Flat 7")))),
    ("street address line line1", _always(lambda rng, _: f"{between(rng, 1, 250)} {one_of(rng, lexicon.STREETS)}")),
    ("city town", _always(pick_one(("London", "Berlin", "Lisbon", "Toronto", "Melbourne", "Osaka", "Nairobi")))),
    ("zip postal postcode zipcode", _always(lambda rng, _: str(between(rng, 10000, 99999)))),
    ("code", _always(lambda rng, _: "".join(rng.choices(lexicon.BASE62[:36], k=6)))),
    ("domain host hostname", _always(pick_one(("example.com", "shop.example.com", "api.example.org")))),
    ("path file filename", _always(lambda rng, d: f"uploads/{slug(rng, d)}.{one_of(rng, ('pdf', 'png', 'csv'))}")),
    (_MOMENTS, _moment_text),
    ("status state", _always(pick_one(("active", "pending", "completed", "processing", "cancelled")))),
    ("color colour", _always(lambda rng, _: f"#{rng.getrandbits(24):06x}")),
    ("sku", _always(lambda rng, _: f"SKU-{between(rng, 10000, 99999)}")),
    ("slug", _always(slug)),
    ("version", _always(lambda rng, _: f"{between(rng, 0, 3)}.{between(rng, 0, 12)}.{between(rng, 0, 20)}")),
    ("role", _always(pick_one(("admin", "user", "editor", "viewer")))),
    ("category department", _always(pick_one(("Electronics", "Home & Garden", "Books", "Clothing", "Toys")))),
    (_MONEY, lambda hint: None if hint.set & _COUNTS else lambda rng, d: f"{price(rng, d):.2f}"),
    ("description summary bio comment message note text reason body content details error",
        _always(pick_one(lexicon.SENTENCES))),
    ("name title label", _named_text),
))  # fmt: skip


def _text(hint: Hint) -> Gen | None:
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
    (_words("year"), (2000, 2026)), (_PERCENT, (0, 100)), (_MOMENTS, (EPOCH, EPOCH + SPAN)), (_IDS, (1, 99_999)),
)  # fmt: skip
_SHAPES = (
    (_RATINGS, (0, 5, 1)), (_words("lat latitude"), (-60, 70, 6)), (_words("lng lon long longitude"), (-180, 180, 6)),
    (_PERCENT, (0, 100, 1)),
)  # fmt: skip


def _whole_range(hint: Hint) -> tuple[int, int] | None:
    return next((span for words, span in _SPANS if hint.set & words), None)


def _whole(hint: Hint, bounds: tuple[int, int]) -> Gen:
    low, high = _whole_range(hint) or (0, 100)
    low, high = max(low, bounds[0]), min(high, bounds[1])
    if low > high:
        low, high = max(0, bounds[0]), min(100, bounds[1])
    return lambda rng, _: between(rng, low, high)


def _number(hint: Hint) -> Gen:
    w = hint.set
    if w & _MONEY and w.isdisjoint(_COUNTS):
        return price
    shape = next((shape for words, shape in _SHAPES if w & words), None)
    if shape is not None:
        return rounded(*shape)
    span = _whole_range(hint)
    return rounded(0, 100, 1) if span is None else lambda rng, _: float(between(rng, *span))


def plain_scalar(scalar: ScalarType, hint: Hint) -> Gen:
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
    if kind in KINDS:
        return KINDS[kind]
    if kind == "id":
        return uuid if hint.set & {"uuid", "guid"} else readable_id(hint.prefix)
    if kind == "text":
        return KINDS.get(name) or _text(hint) or phrase
    # An unregistered custom scalar takes any JSON; its own name says most (`Email`, `DateTime`, `Money`).
    own = Hint.parse(name)
    if own.set & _words("json jsonb jsonobject object"):
        return json_object
    if own.set & _words("bigint long int integer int64 int32"):
        return _whole(hint, _INT64)
    if own.set & _words("decimal float double number numeric money"):
        return _number(Hint(hint.words, hint.set | own.set, hint.owner))
    return _text(own) or _text(hint) or phrase
