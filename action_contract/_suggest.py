"""How names and values appear in error messages: 'did you mean', short JSON, cut lists."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["did_you_mean", "listed", "short_json", "suggestion"]

FOUND_WIDTH = 40  # characters of a value shown in a message


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


def listed(names: Sequence[str], limit: int = 8) -> str:
    """`a, b, c` with at most `limit` names, then `(and N more)`."""
    shown = ", ".join(names[:limit])
    return shown + (f" (and {len(names) - limit} more)" if len(names) > limit else "")


def short_json(value: Any, width: int = FOUND_WIDTH) -> str:
    """`value` as JSON of at most `width` characters, cut with an ellipsis."""
    text = _json(value, width)
    return text if len(text) <= width else text[: width - 1] + "…"


def _json(value: Any, budget: int) -> str:
    # Renders only what can be shown: a bad value may be a megabyte of JSON.
    if not isinstance(value, dict | list):
        if isinstance(value, str) and len(value) > budget:
            value = value[: budget + 1]
        return json.dumps(value, ensure_ascii=False, default=repr)
    parts: list[str] = []
    pairs = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in pairs:
        if budget <= 0:
            break
        text = _json(item, budget)
        parts.append(f"{json.dumps(str(key), ensure_ascii=False)}: {text}" if isinstance(value, dict) else text)
        budget -= len(parts[-1]) + 2
    opening, closing = "{}" if isinstance(value, dict) else "[]"
    return opening + ", ".join(parts) + closing
