"""What the mock handler answers to one webhook call, independent of how the call arrived (ASGI or respx).

The order is a careful handler's: size limit, JSON, which action, the secret headers, the contract
(envelope, session variables, every input value), then the scenario and the reply. Bad calls get a
Hasura error object (contract §4.1) whose `message` names the JSON path, never a 500; good calls get
a reply that is valid by the strict output type and stable: the same action and `input` always get
the same reply for a given seed.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit

from .._catalog._model import Action, Catalog
from .._errors import InvalidArgument
from .._generate._action_request import handler_url
from .._generate._fake import OutputFaker
from .._generate._profiles import HasuraProfile
from .._suggest import did_you_mean, listed, short_json
from ._envelope import media_type_problem
from ._examples import BUILTIN_SCENARIOS, ActionExamples, Examples, Latency
from ._problems import CallProblem
from ._reply import MockReply, error_body
from ._transformed import TransformedCalls, payload_of
from ._validation import CallValidator

__all__ = [
    "DEFAULT_CACHE_SIZE",
    "DEFAULT_MAX_BODY",
    "MockReply",
    "MockResponder",
    "encode_json",
    "error_body",
]

#: How many generated replies the mock keeps for repeated calls.
DEFAULT_CACHE_SIZE = 4096

#: Hasura's payloads are a few kilobytes; a body over 1 MiB is a client bug, answered with 413.
DEFAULT_MAX_BODY = 1024 * 1024

_TEXT = "text/plain; charset=utf-8"
_SHOWN_PROBLEMS = 20


# Built once: `json.dumps` with options builds a new encoder on every call, which shows on the hot path.
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_canonical = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode


def encode_json(value: Any) -> bytes:
    """`value` as compact UTF-8 JSON."""
    return _encode(value).encode()


def _json_reply(status: int, value: Any, **fields: Any) -> MockReply:
    body = _encode(value).encode()
    return MockReply(status=status, body=body, value=value, **fields)


class _ThreadRandom(threading.local):
    rng: random.Random | None = None


@dataclass(frozen=True, slots=True)
class _Secret:
    header: str  # lower-case
    variable: str
    value: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class _ActionSetup:
    action: Action
    path: str
    #: The handler URL's query, normalised (`action_name=acceptTOS`); many projects route by it.
    query: str
    secrets: tuple[_Secret, ...]
    latency: Latency | None
    examples: ActionExamples | None
    scenarios: tuple[str, ...]


class MockResponder:
    """Answers webhook calls for every action of a catalog; see `MockHandler` for the options."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        seed: int = 0,
        examples: Examples | None = None,
        latency: Latency | None = None,
        error_rate: float = 0.0,
        scenario: str | None = None,
        require_secret: bool = False,
        env: Mapping[str, str] | None = None,
        base_url: str | None = None,
        max_body: int = DEFAULT_MAX_BODY,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        if not 0.0 <= error_rate <= 1.0:
            raise InvalidArgument(f"expected an error rate from 0 to 1, found {error_rate!r}")
        self.catalog = catalog
        self.seed = seed
        self.error_rate = error_rate
        self.require_secret = require_secret
        self.max_body = max_body
        # Generated replies by request key: a frontend repeats its calls, and a repeated call then
        # costs no generation (replies are request-stable, so the cache changes no answer).
        self.cache_size = cache_size
        self._cache: dict[int, tuple[bytes, Any]] = {}
        self.variables = {**catalog.variables, **(env or {})}
        self.faker = OutputFaker(catalog)
        self.validator = CallValidator(catalog)
        # Latency and the error rate draw from one seeded sequence: a run replays when the calls do.
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        # One generator per thread, re-seeded per call: cheaper than a new `Random` for every reply.
        self._rngs = _ThreadRandom()
        self.setups: dict[str, _ActionSetup] = {}
        self.by_path: dict[str, list[str]] = {}
        self.by_url: dict[tuple[str, str], list[str]] = {}
        for action in catalog:
            own = examples.get(action.name) if examples is not None else None
            url = self._url(action, base_url)
            setup = _ActionSetup(
                action=action,
                path=url.path or "/",
                query=_split_query(url.query)[0],
                secrets=tuple(self._secrets(action)),
                latency=own.latency if own is not None and own.latency is not None else latency,
                examples=own,
                scenarios=BUILTIN_SCENARIOS + tuple((own.named or {}) if own is not None else ()),
            )
            self.setups[action.name] = setup
            self.by_path.setdefault(setup.path, []).append(action.name)
            self.by_url.setdefault((setup.path, setup.query), []).append(action.name)
        if scenario is not None:
            self._check_scenario(scenario)
        self.scenario = scenario
        self.transformed = TransformedCalls(catalog, lambda action: self._url(action, base_url), HasuraProfile())

    def _url(self, action: Action, base_url: str | None) -> SplitResult:
        try:
            url = handler_url(self.catalog, action, self.variables, base_url)
        except InvalidArgument:
            # An unset template variable: only the path and query after it matter to the mock.
            url = handler_url(self.catalog, action, {}, base_url or "http://mock.invalid")
        return urlsplit(url)

    def route(self, name: str) -> str:
        """Where action `name` is served: its handler URL's path and query."""
        setup = self.setups[name]
        return setup.path + (f"?{setup.query}" if setup.query else "")

    def _secrets(self, action: Action) -> list[_Secret]:
        return [
            _Secret(header.name.lower(), header.value_from_env, self.variables.get(header.value_from_env))
            for header in action.headers
            if header.value_from_env is not None
        ]

    def _check_scenario(self, scenario: str) -> None:
        known = set(BUILTIN_SCENARIOS)
        for setup in self.setups.values():
            known.update(setup.scenarios)
        if scenario not in known:
            listed = ", ".join(sorted(known))
            raise InvalidArgument(
                f"unknown mock scenario {scenario!r}.{did_you_mean(scenario, sorted(known))} Known: {listed}"
            )

    def missing_secrets(self) -> list[str]:
        """`value_from_env` variables without a value: with `require_secret` any non-empty header value passes."""
        return sorted({s.variable for setup in self.setups.values() for s in setup.secrets if s.value is None})

    # -- answering -----------------------------------------------------------------------------

    def answer(
        self,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
        scenario: str | None = None,
        query: str = "",
        method: str = "POST",
    ) -> MockReply:
        """The reply to a call (Hasura's POST, or a request transform's call) of `body` to `path` and `query`;
        `headers` has lower-case names.

        The scenario is `scenario`, else the query's `__scenario`, else the `X-Mock-Scenario` header,
        else the mock's default.
        """
        if len(body) > self.max_body:
            return self.too_large(len(body))
        routed = self.transformed.route(method, path, body)
        if routed is not None:  # behind a request transform: no Hasura payload to check
            target = self.setups[routed]
            chosen = scenario or _split_query(query)[1] or headers.get("x-mock-scenario") or self.scenario
            refused = self._denied(target, headers)
            if refused is not None:
                return _json_reply(401, refused, action=routed)
            return self._scenario(target, payload_of(method, path, query, body), chosen or "success")
        if not body.strip():
            return _json_reply(
                400, error_body("the request body is empty; Hasura always POSTs a JSON object", "invalid-json", "$")
            )
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError) as error:
            detail = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
            where = f" at line {error.lineno} column {error.colno}" if isinstance(error, json.JSONDecodeError) else ""
            message = f"the request body is not JSON: {detail}{where}; Hasura always POSTs a JSON object"
            return _json_reply(400, error_body(message, "invalid-json", "$"))
        route_query, asked = _split_query(query)
        setup, problem = self._route(path, route_query, payload)
        if setup is None:
            return _json_reply(400, problem, payload=payload)
        name = setup.action.name
        if (wrong := media_type_problem(setup.action, headers.get("content-type", ""))) is not None:
            return _json_reply(415, error_body(wrong, "unsupported-media-type", "$"), action=name, payload=payload)
        denied = self._denied(setup, headers)
        if denied is not None:
            return _json_reply(401, denied, action=name, payload=payload)
        problems = self.validator.problems(setup.action, payload)
        if problems:
            return _json_reply(400, _invalid(problems), action=name, payload=payload)
        chosen = scenario or asked or headers.get("x-mock-scenario") or self.scenario
        if chosen is None and self.error_rate and self._draw() < self.error_rate:
            chosen = "error"
        return self._scenario(setup, payload, chosen or "success")

    def too_large(self, size: int | None = None) -> MockReply:
        """The 413 for a body over the limit (`size` in bytes when known)."""
        has = f"has {size} bytes" if size is not None else "is larger than that"
        message = (
            f"the request body {has}, over the mock's limit of {self.max_body} bytes; "
            "Hasura's payloads are small, so check what is being sent"
        )
        return _json_reply(413, error_body(message, "payload-too-large", "$", limit=self.max_body))

    def _draw(self) -> float:
        with self._lock:
            return self._random.random()

    def _route(self, path: str, query: str, payload: Any) -> tuple[_ActionSetup | None, Any]:
        # A URL with the query of an action's handler URL serves exactly those actions; otherwise the path decides.
        at_path = self.by_url.get((path, query)) if query else None
        if at_path is None:
            at_path = self.by_path.get(path, [])
        where = path + (f"?{query}" if query else "")
        named = payload.get("action") if isinstance(payload, dict) else None
        name = named.get("name") if isinstance(named, dict) else None
        if isinstance(name, str) and name in self.setups:
            if at_path and name not in at_path:
                # Several actions may share a URL, but an action is never sent to another's URL (§1.1).
                served = ", ".join(at_path)
                message = (
                    f"action {name!r} is not served at {where} (that URL is the handler of {served}); "
                    f"{name}'s handler is {self.route(name)}"
                )
                return None, error_body(message, "action-mismatch", "$.action.name")
            return self.setups[name], None
        if len(at_path) == 1:
            # Let the contract check say exactly what is wrong with the envelope.
            return self.setups[at_path[0]], None
        if isinstance(name, str):
            choices = at_path or list(self.setups)
            message = f"no action named {name!r}.{did_you_mean(name, choices)} This mock serves {listed(choices)}"
            return None, error_body(message, "action-not-found", "$.action.name")
        found = short_json(named) if named is not None else "nothing"
        message = (
            f'expected "action": {{"name": ...}} naming one of {listed(at_path or list(self.setups))}, found {found}'
        )
        return None, error_body(message, "unexpected-payload", "$.action")

    def _denied(self, setup: _ActionSetup, headers: Mapping[str, str]) -> dict[str, Any] | None:
        if not self.require_secret:
            return None
        for secret in setup.secrets:
            sent = headers.get(secret.header)
            if not sent:
                message = (
                    f"missing header {secret.header}, which Hasura sends to {setup.action.name} with the value of "
                    f"{secret.variable}"
                )
                return error_body(message, "access-denied", secret.header)
            if secret.value is not None and sent != secret.value:
                message = f"header {secret.header} does not match {secret.variable}"
                return error_body(message, "access-denied", secret.header)
        return None

    def _scenario(self, setup: _ActionSetup, payload: dict[str, Any], scenario: str) -> MockReply:
        action = setup.action
        delay = self._delay(setup.latency)
        common: dict[str, Any] = {"action": action.name, "scenario": scenario, "payload": payload, "delay": delay}
        if scenario == "success":
            status, body, value = self._success(setup, payload)
            return MockReply(status=status, body=body, value=value, **common)
        if scenario == "error":
            message = f"{action.name} failed (mock scenario 'error')"
            return _json_reply(400, error_body(message, "mock-error"), **common)
        if scenario == "timeout":
            # Later than Hasura waits (contract §5): the client sees Hasura's timeout error.
            common["delay"] = delay + action.timeout + 1.0
            status, body, value = self._success(setup, payload)
            return MockReply(status=status, body=body, value=value, **common)
        if scenario == "not-json":
            return MockReply(status=200, body=b"OK", content_type=_TEXT, value="OK", **common)
        if scenario == "server-error":
            text = "Internal Server Error"
            return MockReply(status=500, body=text.encode(), content_type=_TEXT, value=text, **common)
        example = setup.examples.example(scenario) if setup.examples is not None else None
        if example is None:
            known = setup.scenarios
            message = (
                f"unknown mock scenario {scenario!r} for {action.name}.{did_you_mean(scenario, list(known))} "
                f"Known: {', '.join(known)}"
            )
            return _json_reply(400, error_body(message, "unknown-scenario", "X-Mock-Scenario"), **common)
        return _json_reply(example.status, example.body, **common)

    def _delay(self, latency: Latency | None) -> float:
        if latency is None or latency.high <= 0:
            return 0.0
        if latency.low == latency.high:
            return latency.low / 1000
        with self._lock:
            return self._random.uniform(latency.low, latency.high) / 1000

    def _success(self, setup: _ActionSetup, payload: dict[str, Any]) -> tuple[int, bytes, Any]:
        """The success reply to `payload`: status, body bytes and the body as a value."""
        arguments = payload.get("input") or {}
        examples = setup.examples
        if examples is not None:
            session = payload.get("session_variables") or {}
            for rule in examples.match:
                if rule.matches(arguments, session):
                    return rule.reply.status, rule.reply.encoded, rule.reply.body
        # Request-stable: the seed, the action and the input decide the reply; session variables do
        # not, so every user sees the same data for the same input.
        key = f"{self.seed}\0{setup.action.name}\0{_canonical(arguments)}".encode()
        digest = int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big")
        if examples is not None and examples.replies:
            reply = examples.replies[digest % len(examples.replies)]
            return reply.status, reply.encoded, reply.body
        cached = self._cache.get(digest)
        if cached is not None:
            return 200, cached[0], cached[1]
        rng = self._rngs.rng
        if rng is None:
            rng = self._rngs.rng = random.Random()
        rng.seed(digest)
        value = self.transformed.reply(
            setup.action, self.faker.value(setup.action.output_type, rng, name=setup.action.name)
        )
        body = _encode(value).encode()
        if self.cache_size:
            if len(self._cache) >= self.cache_size:
                # Oldest first out; another thread may have taken it already.
                self._cache.pop(next(iter(self._cache), digest), None)
            self._cache[digest] = (body, value)
        return 200, body, value


def _split_query(query: str) -> tuple[str, str | None]:
    """`query` without the mock's own `__scenario` parameter (canonical, for comparing), and that parameter."""
    if not query:
        return "", None
    pairs = parse_qsl(query, keep_blank_values=True)
    scenario = next((value for key, value in pairs if key == "__scenario"), None)
    return urlencode([(key, value) for key, value in pairs if key != "__scenario"]), scenario


def _invalid(problems: list[CallProblem]) -> dict[str, Any]:
    first = problems[0]
    message = f"{first.path}: {first.message}"
    if len(problems) > 1:
        message += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    shown = [{"path": p.path, "message": p.message} for p in problems[:_SHOWN_PROBLEMS]]
    return error_body(message, first.code, first.path, problems=shown)
