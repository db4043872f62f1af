"""Secret values kept out of reports: a handler that echoes its secret header must not put it in every report.

The values of `value_from_env` headers (as sent, and as the catalog's environment holds them) are
replaced by `***` wherever a report shows text: reply bodies and headers, Hasura's message built from
them, what a check found. The requests sent, and what `serve` returns to its clients, are untouched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from .._catalog._model import Catalog
from .._generate._action_request import ActionRequest

__all__ = ["MASK", "redact_data", "redact_text", "secret_values"]

MASK = "***"
#: Shorter values are masked only where a whole string equals them: masking every "1" would garble a report.
_MIN_SUBSTRING = 4


def secret_values(catalog: Catalog | None, request: ActionRequest, sources: Iterable[str]) -> tuple[str, ...]:
    """The secret header values of `request` (names in `sources`) and of every `value_from_env` in `catalog`."""
    found = {value for name, value in request.headers if name.lower() in set(sources) and value}
    if catalog is not None:
        for action in catalog.actions.values():
            for header in action.headers:
                value = catalog.variables.get(header.value_from_env) if header.value_from_env else None
                if value:
                    found.add(value)
    forms = set(found)
    for value in found:
        # As it appears inside a JSON string, inside JSON inside JSON, and in a Python repr.
        once = json.dumps(value)[1:-1]
        forms.update((once, json.dumps(once)[1:-1], repr(value)[1:-1], repr(once)[1:-1]))
    # Longest first, so a secret that contains another is masked whole.
    return tuple(sorted(forms, key=len, reverse=True))


def redact_text(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with every secret value (of at least a few characters) replaced by `***`."""
    if text in secrets:
        return MASK
    for secret in secrets:
        if len(secret) >= _MIN_SUBSTRING and secret in text:
            text = text.replace(secret, MASK)
    return text


def redact_data(value: Any, secrets: tuple[str, ...]) -> Any:
    """A copy of JSON-like `value` with `redact_text` applied to every string in it, keys included."""
    if not secrets:
        return value
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, dict):
        return {redact_data(k, secrets): redact_data(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_data(v, secrets) for v in value]
    return value
