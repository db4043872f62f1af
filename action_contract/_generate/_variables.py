"""Which environment variables the calls of a run need, found before anything is sent.

Hasura resolves an action's `{{NAME}}` handler template and its headers (`value_from_env`, templated
values) on every call; an unset one fails that call. A run that finds them one at a time wastes the
work done before each, so the front doors ask here first and name every missing variable at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .._catalog._model import Action, Catalog
from .._catalog._templates import is_env_name, template_variables
from .._errors import InvalidArgument

__all__ = ["missing_variables", "require_variables"]


def _names(template: str) -> list[str]:
    try:
        return [name for name in template_variables(template) if is_env_name(name)]
    except ValueError:  # an unclosed `{{`: the loader reports it
        return []


def missing_variables(
    catalog: Catalog, actions: Iterable[Action], *, env: Mapping[str, str] | None = None, handler_urls: bool = True
) -> dict[str, list[tuple[str, str]]]:
    """`{variable: [(where, action)]}` for each variable the calls need that neither `env` nor the catalog holds.

    `where` is "the handler URL" or "header NAME", `action` the action's name.

    `handler_urls=False` when the handlers' URLs are not used (a base URL given, an in-process target).
    """
    known = {**catalog.variables, **(env or {})}
    missing: dict[str, list[tuple[str, str]]] = {}
    for action in actions:
        places = [(name, "the handler URL") for name in _names(action.handler)] if handler_urls else []
        for header in action.headers:
            if header.value_from_env is not None:
                places.append((header.value_from_env, f"header {header.name}"))
            elif header.value is not None:
                places += [(name, f"header {header.name}") for name in _names(header.value)]
        for name, where in places:
            if name not in known and (where, action.name) not in missing.get(name, []):
                missing.setdefault(name, []).append((where, action.name))
    return missing


def require_variables(
    catalog: Catalog, actions: Iterable[Action], *, env: Mapping[str, str] | None = None, handler_urls: bool = True
) -> None:
    """Raise `InvalidArgument` naming every variable `missing_variables` finds, with the ways to set them."""
    missing = missing_variables(catalog, actions, env=env, handler_urls=handler_urls)
    if not missing:
        return
    listed = "; ".join(f"{name} ({_places(places)})" for name, places in missing.items())
    count = f"{len(missing)} environment variable{'s' * (len(missing) != 1)}"
    raise InvalidArgument(
        f"the calls need {count} that {'is' if len(missing) == 1 else 'are'} not set: {listed}. "
        f"Set {'it' if len(missing) == 1 else 'them'} in the environment or in the project's .env, "
        f"or pass {' '.join(f'--env {name}=...' for name in missing)}"
    )


def _places(places: list[tuple[str, str]]) -> str:
    """`(where, action)` pairs in words; a header that many actions share is named once, with a few of them."""
    by_what: dict[str, list[str]] = {}
    for what, action in places:
        by_what.setdefault(what, []).append(action)
    parts: list[str] = []
    for what, actions in by_what.items():
        if len(actions) <= _LISTED:
            parts += [f"{what} of {action}" for action in actions]
        else:
            shown = ", ".join(actions[:_LISTED])
            parts.append(f"{what} of {len(actions)} actions: {shown} and {len(actions) - _LISTED} more")
    return ", ".join(parts)


#: Actions named per header in a missing-variable message; a header of 60 actions would bury the fix.
_LISTED = 3
