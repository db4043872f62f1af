"""Request and response transforms of an action, read from metadata with every template parsed once.

Shapes follow Hasura's `RequestTransform` / `ResponseTransform` (facts §2.2, §3.1): `version` 1 or 2
(default 1), `template_engine` Kriti; version 1 bodies are a template string, version 2 bodies are
`{action: transform | remove | x_www_form_urlencoded}`. Hasura parses every template when the metadata
is applied and refuses it with `request transform validation failed` (facts §2.7); so do we, at load,
with the template's line and column. `method`, header names, `remove_headers` and form keys are not
templates; URL, query parameters, header values and form values are string templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .._errors import MetadataError, Problem
from ._kriti import KritiCrash, KritiError, KritiTemplate, parse_template
from ._kriti_values import kind_of
from ._locations import Reporter
from ._model import Action

__all__ = [
    "BodyTransform",
    "RequestTransform",
    "ResponseTransform",
    "check_transforms",
    "parse_transform",
    "request_transform_of",
    "response_transform_of",
]

BodyAction = Literal["transform", "remove", "x_www_form_urlencoded"]
QueryParams = tuple[tuple[KritiTemplate, KritiTemplate | None], ...]


@dataclass(frozen=True, slots=True)
class BodyTransform:
    """What happens to a body: a template's JSON value, nothing, or form fields."""

    action: BodyAction
    template: KritiTemplate | None = None
    form: tuple[tuple[str, KritiTemplate], ...] = ()


@dataclass(frozen=True, slots=True)
class RequestTransform:
    """A parsed `request_transform`; None fields leave that part of Hasura's request unchanged."""

    version: int = 1
    method: str | None = None
    url: KritiTemplate | None = None
    #: An object's (key, value) templates, a string template, or None (the handler's query string).
    query_params: QueryParams | KritiTemplate | None = None
    add_headers: tuple[tuple[str, KritiTemplate], ...] = ()
    remove_headers: tuple[str, ...] = ()
    body: BodyTransform | None = None


@dataclass(frozen=True, slots=True)
class ResponseTransform:
    """A parsed `response_transform`: only the body can change."""

    version: int = 1
    body: BodyTransform | None = None


class _Reader:
    """Walks one transform object; every finding is (container, key, message)."""

    def __init__(self, side: str) -> None:
        self.side = side
        self.findings: list[tuple[Any, Any, str]] = []

    def template(self, parent: Any, key: Any, *, string: bool) -> KritiTemplate | None:
        value = parent[key]
        if not isinstance(value, str):
            self.findings.append(
                (parent, key, f"parsing Template failed, expected String, but encountered {_kind(value)}")
            )
            return None
        try:
            return parse_template(value, string=string)
        except KritiError as error:
            self.findings.append((parent, key, f"{self.side} transform validation failed: {error.located()}"))
        except KritiCrash as crash:
            self.findings.append((parent, key, f"{self.side} transform validation failed: Kriti crashes: {crash}"))
        return None

    def version(self, raw: Mapping[str, Any]) -> int:
        version = raw.get("version", 1)
        if version is None:
            return 1
        if version not in (1, 2) or isinstance(version, bool):
            self.findings.append((raw, "version", f"expected 1 or 2, encountered {version}"))
            return 1
        return int(version)

    def engine(self, raw: Mapping[str, Any]) -> None:
        engine = raw.get("template_engine")
        if engine is not None and engine != "Kriti":
            self.findings.append((raw, "template_engine", f'expected "Kriti" as the template engine, found {engine!r}'))

    def body(self, raw: Mapping[str, Any], version: int) -> BodyTransform | None:
        body = raw.get("body")
        if body is None:
            return None
        if version == 1:
            template = self.template(raw, "body", string=False)
            return BodyTransform("transform", template) if template else None
        if not isinstance(body, dict):
            self.findings.append((raw, "body", f"expected Object for a version 2 body, but encountered {_kind(body)}"))
            return None
        action = body.get("action")
        if action == "remove":
            return BodyTransform("remove")
        if action == "transform":
            template = self.template(body, "template", string=False) if "template" in body else None
            if "template" not in body:
                self.findings.append((body, "template", 'key "template" not found'))
            return BodyTransform("transform", template) if template else None
        if action == "x_www_form_urlencoded":
            form = self.string_map(body, "form_template")
            return BodyTransform("x_www_form_urlencoded", form=tuple(form))
        self.findings.append((body, "action", "invalid transform action"))
        return None

    def string_map(self, parent: Mapping[str, Any], key: str) -> list[tuple[str, KritiTemplate]]:
        entries = parent.get(key)
        if entries is None:
            return []
        if not isinstance(entries, dict):
            self.findings.append((parent, key, f"expected Object for {key!r}, but encountered {_kind(entries)}"))
            return []
        pairs = [(str(name), self.template(entries, name, string=True)) for name in entries]
        return [(name, template) for name, template in pairs if template is not None]

    def query_params(self, raw: Mapping[str, Any]) -> QueryParams | KritiTemplate | None:
        params = raw.get("query_params")
        if params is None:
            return None
        if isinstance(params, str):
            return self.template(raw, "query_params", string=True)
        if not isinstance(params, dict):
            self.findings.append((raw, "query_params", "Invalid query parameter"))
            return None
        out = []
        for name, value in params.items():
            key = self._key_template(params, name)
            template = None if value is None else self.template(params, name, string=True)
            if key is not None and (value is None or template is not None):
                out.append((key, template))
        return tuple(out)

    def _key_template(self, params: Mapping[str, Any], name: str) -> KritiTemplate | None:
        try:
            return parse_template(name, string=True)
        except (KritiError, KritiCrash) as error:
            where = error.located() if isinstance(error, KritiError) else str(error)
            self.findings.append((params, name, f"{self.side} transform validation failed: key: {where}"))
            return None

    def headers(self, raw: Mapping[str, Any]) -> tuple[list[tuple[str, KritiTemplate]], list[str]]:
        headers = raw.get("request_headers")
        if headers is None:
            return [], []
        if not isinstance(headers, dict):
            self.findings.append((raw, "request_headers", f"expected Object, but encountered {_kind(headers)}"))
            return [], []
        removed = headers.get("remove_headers") or []
        if not isinstance(removed, list) or not all(isinstance(name, str) for name in removed):
            self.findings.append((headers, "remove_headers", "expected a list of header names"))
            removed = []
        return self.string_map(headers, "add_headers"), removed


def _kind(value: Any) -> str:
    try:
        return kind_of(value)
    except TypeError:  # YAML can give dates and the like
        return type(value).__name__


def _read_request(raw: Mapping[str, Any]) -> tuple[RequestTransform, list[tuple[Any, Any, str]]]:
    reader = _Reader("request")
    version = reader.version(raw)
    reader.engine(raw)
    method = raw.get("method")
    if method is not None and not isinstance(method, str):
        reader.findings.append((raw, "method", f"expected String for method, but encountered {_kind(method)}"))
        method = None
    url = reader.template(raw, "url", string=True) if raw.get("url") is not None else None
    add, remove = reader.headers(raw)
    transform = RequestTransform(
        version=version,
        method=method,
        url=url,
        query_params=reader.query_params(raw),
        add_headers=tuple(add),
        remove_headers=tuple(remove),
        body=reader.body(raw, version),
    )
    return transform, reader.findings


def _read_response(raw: Mapping[str, Any]) -> tuple[ResponseTransform, list[tuple[Any, Any, str]]]:
    reader = _Reader("response")
    version = reader.version(raw)
    reader.engine(raw)
    return ResponseTransform(version=version, body=reader.body(raw, version)), reader.findings


# Parsed transforms by the identity of the metadata object they came from (which the cache holds, so
# ids stay unique): loading parses each once, later lookups are a dict hit.
_PARSED: dict[int, tuple[Mapping[str, Any], RequestTransform | ResponseTransform]] = {}
_HINT = (
    "Hasura parses every Kriti template when the metadata is applied and refuses it like this; "
    "see https://hasura.io/docs/latest/api-reference/kriti-templating/"
)


def check_transforms(action_definition: Mapping[str, Any], report: Reporter, subject: str) -> None:
    """Parse the definition's transforms, reporting each malformed field or template where it is."""
    for key, read in (("request_transform", _read_request), ("response_transform", _read_response)):
        raw = action_definition.get(key)
        if not isinstance(raw, dict):
            continue
        transform, findings = read(raw)
        for parent, at, message in findings:
            report.error(parent, message, key=at, subject=subject, code="validation-failed", hint=_HINT)
        if not findings:
            _PARSED[id(raw)] = (raw, transform)


def _parsed(raw: Mapping[str, Any], action: Action, response: bool) -> RequestTransform | ResponseTransform:
    cached = _PARSED.get(id(raw))
    if cached is not None and cached[0] is raw:
        return cached[1]
    transform, findings = _read_response(raw) if response else _read_request(raw)
    if findings:
        side = "response_transform" if response else "request_transform"
        problems = [
            Problem(message=message, json_path=f"{side}.{at}", subject=f'action "{action.name}"')
            for _, at, message in findings
        ]
        raise MetadataError(problems)
    _PARSED[id(raw)] = (raw, transform)
    return transform


def request_transform_of(action: Action) -> RequestTransform | None:
    """The action's parsed request transform, or None; raises MetadataError if it does not parse."""
    raw = action.request_transform
    if raw is None:
        return None
    transform = _parsed(raw, action, response=False)
    assert isinstance(transform, RequestTransform)
    return transform


def response_transform_of(action: Action) -> ResponseTransform | None:
    """The action's parsed response transform, or None; raises MetadataError if it does not parse."""
    raw = action.response_transform
    if raw is None:
        return None
    transform = _parsed(raw, action, response=True)
    assert isinstance(transform, ResponseTransform)
    return transform


def parse_transform(raw: Mapping[str, Any], *, response: bool = False) -> RequestTransform | ResponseTransform:
    """One `request_transform` (or, with `response`, `response_transform`) object parsed; raises
    MetadataError with every problem, worded as at load time."""
    transform, findings = _read_response(raw) if response else _read_request(raw)
    if findings:
        side = "response_transform" if response else "request_transform"
        raise MetadataError([Problem(message=message, json_path=f"{side}.{at}") for _, at, message in findings])
    return transform
