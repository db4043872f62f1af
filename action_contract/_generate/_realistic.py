"""Realistic input values by a field's name and type, and the string pieces that break naive handlers.

Awkward values (bounds, zero, empty, huge) find robustness bugs but mostly end in a business 4xx: a
handler that refuses a quantity of zero never shows what lies behind the rule. So conforming generation
also draws from the mock's fake-data generator (`_fake_hints.plain_scalar`): a `quantity` is a small
positive whole number, an `email` an address, a `checkIn` a recent date. The range a name implies is a
preference: the awkward values of the full type keep coming from the other flavours.

Real handlers also crash on what a string carries rather than on its length: `%` passed to %-formatting,
`{0}` to `str.format`, quotes and backslashes in hand-built SQL or JSON, `../` in names used as paths,
`<` and `&` in HTML, NUL, a lone combining mark, right-to-left marks, and input that makes a naive email
regex backtrack. `NAIVE_PIECES` holds them; realistic strings carry one often.
"""

from __future__ import annotations

import random
from typing import Any

from hypothesis import strategies as st

from .._catalog._model import ScalarType
from .._catalog._scalars import postgres_category, registered
from ._fake_hints import _COUNTS, Hint, plain_scalar
from ._fake_values import Gen, between

__all__ = ["EMAIL_BACKTRACK", "NAIVE_PIECES", "naive_text", "realistic_scalar"]

#: 24 characters that make a naive email pattern such as `^([a-zA-Z0-9]+\.?)+@` backtrack exponentially.
EMAIL_BACKTRACK = "a" * 23 + "!"

#: Pieces of text that break naive string handling, each for a reason named beside it.
NAIVE_PIECES: tuple[str, ...] = (
    "%",  # %-formatting: a lone `%` raises, `%s` consumes an argument that is not there
    "100%s",
    "{0}",  # str.format: an index with no argument
    "{}",
    "'",  # hand-built SQL
    '"',  # hand-built JSON
    "\\",  # escapes in SQL, JSON, regular expressions
    "../",  # names used as paths
    "/",
    "<",  # HTML
    "&",
    "\x00",  # NUL: C strings, Postgres text
    "\u0301",  # a combining mark, lone when it starts the value
    "\u200f",  # right-to-left mark
    "\u202e",  # right-to-left override
    EMAIL_BACKTRACK,
)
#: The same without NUL, for Postgres text types (Postgres refuses NUL in text, so Hasura never sends it).
_PG_PIECES = tuple(piece for piece in NAIVE_PIECES if "\x00" not in piece)

#: Scalars whose values are free text, where a naive piece can go: String, ID, Postgres text types.
_TEXT_KINDS = frozenset({"text"})


def _insert(parts: tuple[str, str, int]) -> str:
    text, piece, where = parts
    # At the start (a combining mark there has no base character), at the end, or in the middle.
    at = (0, len(text), len(text) // 2)[where]
    return text[:at] + piece + text[at:]


def naive_text(text: st.SearchStrategy[str], *, postgres: bool = False) -> st.SearchStrategy[str]:
    """Strings of `text` with a naive-breaking piece at the start, middle or end, or the piece alone."""
    pieces = st.sampled_from(_PG_PIECES if postgres else NAIVE_PIECES)
    return st.tuples(st.one_of(text, st.just("")), pieces, st.integers(0, 2)).map(_insert)


def _from_gen(gen: Gen) -> st.SearchStrategy[Any]:
    # One integer draw seeds the generator: a realistic value costs Hypothesis a single choice.
    return st.integers(0, 2**32 - 1).map(lambda value: gen(random.Random(value), 0))


def _is_text(scalar: ScalarType) -> bool:
    if scalar.origin == "builtin":
        return scalar.name in {"String", "ID"}
    return postgres_category(scalar.name) in _TEXT_KINDS


def realistic_scalar(scalar: ScalarType, name: str) -> st.SearchStrategy[Any]:
    """Realistic values of `scalar` for a field called `name`; text values often carry a naive piece.

    A registered strategy is the user's own idea of realistic and is used as it is.
    """
    own = registered(scalar.name)
    if own is not None:
        return own.strategy.filter(lambda value: value is not None)  # type: ignore[no-any-return]
    hint = Hint.parse(name)
    gen = plain_scalar(scalar, hint)
    if scalar.name == "Int" and hint.set & _COUNTS:
        # How many of something someone asks for: one or more (zero and negatives come from the awkward flavours).
        gen = _positive_count
    values = _from_gen(gen)
    if _is_text(scalar):
        return st.one_of(values, naive_text(values, postgres=scalar.origin != "builtin"))
    return values


def _positive_count(rng: random.Random, _: int) -> int:
    return between(rng, 1, 20)
