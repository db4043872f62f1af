"""'Did you mean' suggestions for unknown names in error messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["did_you_mean", "suggestion"]


def did_you_mean(name: str, options: Iterable[str], *, limit: int = 3) -> str:
    """A sentence such as ` Did you mean "UserInput"?`, or "" when nothing is close.

    Case-insensitive matches come first (the commonest slip in hand-written metadata is `string` for
    `String`), then names that `difflib` finds similar.
    """
    pool = list(dict.fromkeys(options))
    folded = [o for o in pool if o.lower() == name.lower() and o != name]
    close = difflib.get_close_matches(name, pool, n=limit, cutoff=0.6)
    by_case = {o.lower(): o for o in pool}
    close += [by_case[c] for c in difflib.get_close_matches(name.lower(), list(by_case), n=limit, cutoff=0.6)]
    picks = list(dict.fromkeys(folded + [c for c in close if c != name]))[:limit]
    if not picks:
        return ""
    quoted = [f'"{p}"' for p in picks]
    if len(quoted) == 1:
        return f" Did you mean {quoted[0]}?"
    return f" Did you mean {', '.join(quoted[:-1])} or {quoted[-1]}?"


def suggestion(name: str, options: Iterable[str]) -> str:
    """The start of a hint: `Did you mean "X"? ` (with its trailing space), or ""."""
    text = did_you_mean(name, options).strip()
    return text + " " if text else ""
