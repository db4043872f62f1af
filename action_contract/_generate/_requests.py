"""Conforming requests: every call Hasura could make to a handler, as a Hypothesis strategy.

A request is built from a handful of independent draws (the `input`; one integer for the role, the
session's shape and the `request_query` choices; one UUID for ids; the client's headers when they
are forwarded), so Hypothesis shrinks each on its own and spends as little as a hand-written
strategy would. The fixed edge requests run before the random ones: all optional arguments absent,
all null, all present, then the low and high bounds of every type.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from hypothesis import strategies as st

from .._catalog._model import Action, Catalog
from .._errors import InvalidArgument
from ._action_request import ActionRequest, Call, prepare_call, within_bound
from ._profiles import HasuraProfile
from ._request_query import QueryPrinter
from ._sampling import draw_examples
from ._scalar_strategies import EDGE_MODES
from ._strategies import InputValues, input_values

__all__ = ["Generation", "conforming_requests", "edge_requests", "prepare_generation"]

SessionValue: TypeAlias = "str | st.SearchStrategy[str] | None"
SessionOption: TypeAlias = "Mapping[str, SessionValue] | st.SearchStrategy[Mapping[str, str]] | None"
ClientHeadersOption: TypeAlias = "Mapping[str, str] | st.SearchStrategy[Mapping[str, str]] | None"

# Claims real projects put next to the role and user id (JWT custom claims become session variables).
_EXTRA_CLAIMS = ("x-hasura-org-id", "x-hasura-tenant-id", "x-hasura-display-name", "x-hasura-allowed-teams")
#: Session values as Hasura passes them from JWT claims or webhook headers: strings of any content, not only
#: ids. Non-ASCII, empty, long, with quotes, commas (a list claim), percent signs, pipes and spaces.
AWKWARD_SESSION_VALUES = (
    "",
    "Zoë Łukasiewicz",
    "日本語の名前",
    'O\'Brien "the \\ one"',
    "{team-a,team-b}",
    "a, b, c",
    "50% off",
    "%s%d",
    "auth0|5f7c8ec7c33c6c004bbafe82",
    " padded ",
    "x" * 512,
    "🚀 launch",
)
_BROWSERS = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
    "Apollo/3.11 (iOS 18.1)",
    "node-fetch/1.0",
)


@dataclass(frozen=True, slots=True)
class Generation:
    """Everything fixed for generating one action's requests: the call, compiled values, options."""

    catalog: Catalog
    action: Action
    call: Call
    values: InputValues
    sessions: _Sessions
    client_headers: _ClientHeaders
    printer: QueryPrinter

    def requests(self, arguments: st.SearchStrategy[dict[str, Any]] | None = None) -> st.SearchStrategy[ActionRequest]:
        """Conforming requests from as few draws as possible: Hypothesis pays for every strategy drawn.

        One integer carries the role, the session's shape and every `request_query` choice; one UUID
        gives the ids; the client's headers and the user's own session strategies come only when used.
        `arguments` replaces the generated `input` objects (with seeded ones, say).
        """
        optional: dict[str, st.SearchStrategy[Any]] = {}
        if self.action.forward_client_headers:
            optional["client"] = self.client_headers.strategy()
        extra = self.sessions.extra()
        if extra is not None:
            optional["extra"] = extra
        return st.builds(
            self._from_draws,
            self.values.arguments(self.action) if arguments is None else arguments,
            st.integers(0, self.sessions.choices * 2**self.printer.bits - 1),
            st.uuids(),
            **optional,
        ).filter(within_bound)

    def _from_draws(
        self, arguments: dict[str, Any], choices: int, ident: uuid.UUID, client: Any = None, extra: Any = None
    ) -> ActionRequest:
        session = self.sessions.build(choices % self.sessions.choices, ident, extra)
        return self.request(arguments, session, choices // self.sessions.choices, client)

    def request(
        self, arguments: dict[str, Any], session: Mapping[str, str], choices: int, client: Any
    ) -> ActionRequest:
        """The request Hasura builds for one input, session and `request_query` choice."""
        query = None
        if self.call.profile.sends_request_query:
            query = self.printer.print(arguments, choices)
        return self.call.request(arguments, session, query, client)


def prepare_generation(
    action: Action | str,
    *,
    catalog: Catalog,
    hasura_version: str | HasuraProfile | None = None,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
    session: SessionOption = None,
    client_headers: ClientHeadersOption = None,
) -> Generation:
    """Check the options once and compile what every request of `action` shares."""
    if not isinstance(catalog, Catalog):
        raise InvalidArgument(f"expected catalog= to be a Catalog from load_catalog(), found {type(catalog).__name__}")
    if isinstance(action, str):
        action = catalog.action(action)
    elif not isinstance(action, Action):
        raise InvalidArgument(f"expected an Action or an action name, found {type(action).__name__}")
    profile = hasura_version if isinstance(hasura_version, HasuraProfile) else HasuraProfile.for_version(hasura_version)
    values = input_values(catalog)
    values.check_callable(action)
    roles = tuple(dict.fromkeys([*(p.role for p in action.permissions), "admin"]))
    return Generation(
        catalog=catalog,
        action=action,
        call=prepare_call(catalog, action, profile=profile, base_url=base_url, env=env),
        values=values,
        sessions=_Sessions(roles, session),
        client_headers=_ClientHeaders(client_headers),
        printer=QueryPrinter(catalog, action),
    )


def conforming_requests(
    action: Action | str,
    *,
    catalog: Catalog,
    hasura_version: str | HasuraProfile | None = None,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
    session: SessionOption = None,
    client_headers: ClientHeadersOption = None,
) -> st.SearchStrategy[ActionRequest]:
    """Every request Hasura could send to `action`'s handler, awkward values often.

    `hasura_version` picks the payload and header rules (default: the newest); `base_url` points the
    requests at another host keeping the handler's path; `env` fills `{{VAR}}` templates and
    `value_from_env` headers; `session` fixes (str), removes (None) or generates (a strategy) session
    variables, or replaces them all (a strategy of dicts); `client_headers` are the headers of the
    client's request to Hasura, forwarded when the action sets `forward_client_headers`.
    """
    generation = prepare_generation(
        action,
        catalog=catalog,
        hasura_version=hasura_version,
        base_url=base_url,
        env=env,
        session=session,
        client_headers=client_headers,
    )
    return generation.requests()


def edge_requests(
    action: Action | str,
    *,
    catalog: Catalog,
    hasura_version: str | HasuraProfile | None = None,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
    session: SessionOption = None,
    client_headers: ClientHeadersOption = None,
) -> list[ActionRequest]:
    """The fixed requests each run starts with: optionals absent, null, present, then low and high bounds."""
    generation = prepare_generation(
        action,
        catalog=catalog,
        hasura_version=hasura_version,
        base_url=base_url,
        env=env,
        session=session,
        client_headers=client_headers,
    )
    arguments_count = len(generation.action.arguments)
    every_field = (2**generation.printer.bits - 1) >> (3 + arguments_count) << (3 + arguments_count)
    every_variable = (2**arguments_count - 1) << 3
    client = generation.client_headers.edge() if generation.action.forward_client_headers else None
    requests: list[ActionRequest] = []
    seen: set[bytes] = set()
    for mode in EDGE_MODES:
        arguments = generation.values.edge_arguments(generation.action, mode)
        # High bounds go as variables in a named operation, the rest as literals: both forms run.
        choices = every_field | every_variable | 0b101 if mode == "high" else every_field
        session = generation.sessions.edge(with_user=mode != "absent")
        request = generation.request(arguments, session, choices, client)
        if request.body not in seen and within_bound(request):
            seen.add(request.body)
            requests.append(request)
    return requests


class _Sessions:
    """Session variables: generated ones, and the fixed ones the edge requests use."""

    #: Shapes of a generated session: 0-2 no user id, 3-7 a UUID, 8-12 a number, 13-15 plus a claim;
    #: from 8 on, a claim of awkward text too (`AWKWARD_SESSION_VALUES`).
    SHAPES = 16

    def __init__(self, roles: tuple[str, ...], option: SessionOption) -> None:
        self.roles = roles
        self.replacement: st.SearchStrategy[dict[str, str]] | None = None
        self.fixed: dict[str, str | None] = {}
        self.drawn: dict[str, st.SearchStrategy[str]] = {}
        if isinstance(option, st.SearchStrategy):
            self.replacement = option.map(_checked_session)
            return
        for key, value in (option or {}).items():
            name = key.lower() if isinstance(key, str) else key
            if not isinstance(name, str) or not name.startswith("x-hasura-"):
                raise InvalidArgument(f"session variables are x-hasura-* names (Hasura sends no others), found {key!r}")
            if isinstance(value, st.SearchStrategy):
                self.drawn[name] = value
            elif value is None or isinstance(value, str):
                self.fixed[name] = value
            else:
                raise InvalidArgument(
                    f"session variable {key!r}: expected a string, None (to leave it out) or a strategy of "
                    f"strings, found {value!r}; Hasura sends every session variable as a string"
                )

    @property
    def choices(self) -> int:
        """How many (role, shape) pairs one integer draw picks from."""
        return self.SHAPES * len(self.roles)

    def extra(self) -> st.SearchStrategy[Any] | None:
        """The user's own strategies: a whole session, or values for some variables (None: neither)."""
        if self.replacement is not None:
            return self.replacement
        return st.tuples(*self.drawn.values()) if self.drawn else None

    def build(self, choice: int, ident: uuid.UUID, extra: Any) -> dict[str, str]:
        """One session: the role from the permissions (or admin), usually a user id, sometimes a claim."""
        if self.replacement is not None:
            return dict(extra)
        shape, role = choice % self.SHAPES, self.roles[choice // self.SHAPES]
        session = {"x-hasura-role": role}
        if shape >= 3:
            session["x-hasura-user-id"] = str(ident) if shape < 8 or shape >= 13 else str(ident.int % 10**6 + 1)
        if shape >= 13:
            session[_EXTRA_CLAIMS[shape & 1]] = str(ident.int % 997)
        if shape >= 8:
            # A claim of any content, as a JWT carries it (the ident's bits pick which).
            claim = _EXTRA_CLAIMS[2 + (ident.int >> 20) % 2]
            session[claim] = AWKWARD_SESSION_VALUES[(ident.int >> 24) % len(AWKWARD_SESSION_VALUES)]
        for name, value in self.fixed.items():
            if value is None:
                session.pop(name, None)
            else:
                session[name] = value
        if extra is not None:
            session.update(zip(self.drawn, extra, strict=True))
        return session

    def edge(self, *, with_user: bool) -> dict[str, str]:
        """A fixed session: the first role, with or without user id `1`."""
        strategy = self.extra()
        extra = draw_examples(strategy, 1)[0] if strategy is not None else None
        # Shape 8 with the zero UUID gives user id "1".
        return self.build(8 if with_user else 0, uuid.UUID(int=0), extra)


def _checked_session(session: Mapping[str, str]) -> dict[str, str]:
    if not isinstance(session, Mapping) or not all(isinstance(v, str) for v in session.values()):
        raise InvalidArgument(f"a session strategy must give dicts of strings, gave {session!r}")
    return {key.lower(): value for key, value in session.items()}


def _client_headers(shape: int, token: bytes, agent: str) -> dict[str, str]:
    token_text = base64.urlsafe_b64encode(token).decode().rstrip("=")
    # What a browser or app sends to Hasura; Hasura drops the ignored ones and every x-hasura-*.
    headers = {
        "Host": "hasura.example.com",
        "User-Agent": agent,
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-Hasura-Role": "user",
    }
    if shape & 1:
        headers["Authorization"] = "Bearer " + token_text
    if shape & 2:
        headers["Cookie"] = "session=" + token_text
    if shape & 4:
        headers["Origin"] = "http://localhost:3000"
    if shape & 8:
        headers["X-Request-Id"] = token.hex()
    return headers


class _ClientHeaders:
    """The headers of the client's request to Hasura (only forwarded with `forward_client_headers`)."""

    def __init__(self, option: ClientHeadersOption) -> None:
        if option is not None and not isinstance(option, st.SearchStrategy | Mapping):
            raise InvalidArgument(f"client_headers: expected a mapping of header names to values, found {option!r}")
        self.option = option

    def strategy(self) -> st.SearchStrategy[Mapping[str, str]]:
        """Generated browser-like headers, or the user's."""
        if isinstance(self.option, st.SearchStrategy):
            return self.option
        if self.option is not None:
            return st.just(dict(self.option))
        return st.tuples(st.integers(0, 15), st.binary(min_size=8, max_size=24), st.sampled_from(_BROWSERS)).map(
            lambda parts: _client_headers(*parts)
        )

    def edge(self) -> Mapping[str, str]:
        """Fixed headers with every optional one present."""
        if isinstance(self.option, st.SearchStrategy):
            return draw_examples(self.option, 1)[0]
        if self.option is not None:
            return dict(self.option)
        return _client_headers(15, b"edge-token-0001", _BROWSERS[0])
