"""Conforming requests: every call Hasura could make to a handler, as a Hypothesis strategy.

A request combines four independent draws (the `input`, the session, the shape of `request_query`
and the client's headers), so Hypothesis shrinks each on its own. The fixed edge requests run
before the random ones: all optional arguments absent, all null, all present, then the low and high
bounds of every type.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from hypothesis import strategies as st

from ._action_request import ActionRequest, Call, prepare_call
from ._errors import InvalidArgument
from ._model import Action, Catalog
from ._profiles import HasuraProfile
from ._request_query import choice_bits, request_query
from ._sampling import draw_examples
from ._scalar_strategies import EDGE_MODES
from ._strategies import InputValues, input_values

__all__ = ["Generation", "conforming_requests", "edge_requests", "prepare_generation"]

SessionValue: TypeAlias = "str | st.SearchStrategy[str] | None"
SessionOption: TypeAlias = "Mapping[str, SessionValue] | st.SearchStrategy[Mapping[str, str]] | None"
ClientHeadersOption: TypeAlias = "Mapping[str, str] | st.SearchStrategy[Mapping[str, str]] | None"

_USER_IDS = st.one_of(st.uuids().map(str), st.integers(1, 10**6).map(str))
# Claims real projects put next to the role and user id (JWT custom claims become session variables).
_EXTRA_CLAIMS = ("x-hasura-org-id", "x-hasura-tenant-id")
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
    query_bits: int

    def request(
        self, arguments: dict[str, Any], session: Mapping[str, str], choices: int, client: Any
    ) -> ActionRequest:
        """The request Hasura builds for one draw."""
        query = (
            request_query(self.catalog, self.action, arguments, choices)
            if self.call.profile.sends_request_query
            else None
        )
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
        query_bits=choice_bits(catalog, action),
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
    forwards = generation.action.forward_client_headers
    return st.tuples(
        generation.values.arguments(generation.action),
        generation.sessions.strategy(),
        st.integers(0, 2**generation.query_bits - 1),
        generation.client_headers.strategy() if forwards else st.none(),
    ).map(lambda drawn: generation.request(*drawn))


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
    every_field = (2**generation.query_bits - 1) >> (3 + arguments_count) << (3 + arguments_count)
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
        if request.body not in seen:
            seen.add(request.body)
            requests.append(request)
    return requests


class _Sessions:
    """Session variables: generated ones, and the fixed ones the edge requests use."""

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
                raise InvalidArgument(
                    f"session variables are x-hasura-* names (Hasura sends no others, contract §1.4), found {key!r}"
                )
            if isinstance(value, st.SearchStrategy):
                self.drawn[name] = value
            elif value is None or isinstance(value, str):
                self.fixed[name] = value
            else:
                raise InvalidArgument(
                    f"session variable {key!r}: expected a string, None (to leave it out) or a strategy of "
                    f"strings, found {value!r}; Hasura sends every session variable as a string"
                )

    def strategy(self) -> st.SearchStrategy[dict[str, str]]:
        """Role from the permissions (or admin), usually a user id, sometimes another claim."""
        if self.replacement is not None:
            return self.replacement
        return st.tuples(
            st.sampled_from(self.roles), st.integers(0, 15), _USER_IDS, _USER_IDS, st.tuples(*self.drawn.values())
        ).map(lambda parts: self.build(*parts))

    def edge(self, *, with_user: bool) -> dict[str, str]:
        """A fixed session: the first role, with or without user id `1`."""
        if self.replacement is not None:
            return draw_examples(self.replacement, 1)[0]
        drawn = tuple(draw_examples(strategy, 1)[0] for strategy in self.drawn.values())
        return self.build(self.roles[0], 3 if with_user else 0, "1", "", drawn)

    def build(self, role: str, shape: int, user_id: str, claim: str, drawn: tuple[str, ...]) -> dict[str, str]:
        """One session from its parts (`shape` decides which variables are there)."""
        session = {"x-hasura-role": role}
        # Usually a user id, sometimes none (an admin or anonymous call), sometimes more claims.
        if shape >= 3:
            session["x-hasura-user-id"] = user_id
        if shape >= 13:
            session[_EXTRA_CLAIMS[shape & 1]] = claim
        for name, value in self.fixed.items():
            if value is None:
                session.pop(name, None)
            else:
                session[name] = value
        session.update(zip(self.drawn, drawn, strict=True))
        return session


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
