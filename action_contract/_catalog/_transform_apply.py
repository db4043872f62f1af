"""Applying transforms as Hasura does: the request a handler receives, and the reply Hasura judges.

Request (facts §2.4-§2.5): one context built from the untransformed call (`$body`, `$session_variables`,
`$base_url`, `$query_params` as pairs); fields evaluated in the order method, url, body, query_params,
headers; the first failing field stops the transform and reports every failing template inside it.
Response (§3.2-§3.3): `$body` (null when not JSON), `$request`, `$response.status`, `$session_variables`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from ._kriti import KritiCrash, KritiError, KritiTemplate, encode, session_functions
from ._kriti_functions import KritiFunction, percent_encode
from ._kriti_values import to_python
from ._transforms import BodyTransform, RequestTransform, ResponseTransform

__all__ = [
    "TransformFailure",
    "TransformedCall",
    "form_encode",
    "query_pairs",
    "request_context",
    "transform_request",
    "transform_response",
]

Pairs = tuple[tuple[str, str | None], ...]
Errors = list[dict[str, Any]]

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(.*)", re.DOTALL)
_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_AUTHORITY = re.compile(
    rf"(?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?"
    rf"(\[[0-9A-Fa-f:.vV{_UNRESERVED}{_SUB_DELIMS}]*\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})*)"
    r"(?::[0-9]*)?"
)
_PATH = re.compile(rf"(?:{_PCHAR}|/)*")
_QUERY = re.compile(rf"(?:{_PCHAR}|[/?])*")
_DEFAULT_PORTS = {"http": "80", "https": "443"}


class TransformFailure(Exception):
    """A transform that Hasura could not apply: its error objects (Kriti's, or Hasura's own)."""

    def __init__(self, errors: Errors) -> None:
        super().__init__("; ".join(str(error.get("message")) for error in errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class TransformedCall:
    """What the handler receives after a request transform."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    query: Pairs


def query_pairs(url: str) -> Pairs:
    """The query string of `url` as Hasura's `$query_params`: decoded pairs, None for a key without `=`."""
    return parse_query(urlsplit(url).query)


def parse_query(text: str) -> Pairs:
    """http-types' `parseQuery`: `&` and `;` separate, a leading `?` is skipped, `+` is a space."""
    text = text[1:] if text.startswith("?") else text
    if not text:
        return ()
    pairs: list[tuple[str, str | None]] = []
    for piece in re.split("[&;]", text):
        key, equals, value = piece.partition("=")
        pairs.append((unquote_plus(key), unquote_plus(value) if equals else None))
    return tuple(pairs)


_encode = percent_encode


def encode_query(pairs: Pairs) -> str:
    """`?k=v&k2` with Hasura's unreserved set (`-_.~`, letters, digits); empty for no pairs."""
    if not pairs:
        return ""
    return "?" + "&".join(_encode(k) if v is None else f"{_encode(k)}={_encode(v)}" for k, v in pairs)


def form_encode(pairs: Sequence[tuple[str, str]]) -> str:
    """An x-www-form-urlencoded body as Hasura writes it (`%20` for a space, never `+`)."""
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in pairs)


def _is_absolute_uri(text: str) -> tuple[bool, str | None]:
    """(valid per RFC 3986 as `Network.URI.parseURI` reads it, the authority or None)."""
    match = _SCHEME.fullmatch(text)
    if match is None or not text.isascii():
        return False, None
    rest, authority = match[2], None
    rest, _, fragment = rest.partition("#")
    rest, _, query = rest.partition("?")
    if rest.startswith("//"):
        end = next((i for i, c in enumerate(rest[2:], 2) if c == "/"), len(rest))
        authority, rest = rest[2:end], rest[end:]
        if _AUTHORITY.fullmatch(authority) is None:
            return False, None
    ok = _PATH.fullmatch(rest) is not None and _QUERY.fullmatch(query) and _QUERY.fullmatch(fragment)
    return bool(ok), authority


def _failure(error: KritiError | KritiCrash) -> dict[str, Any]:
    if isinstance(error, KritiError):
        return error.as_json()
    # Hasura's Haskell code throws here instead of answering; what the client sees is not documented.
    return {"error_code": "Kriti Crash", "message": str(error)}


def _render(template: KritiTemplate, scope: Mapping[str, Any], functions: Mapping[str, KritiFunction]) -> Any:
    return template.render(scope, functions)


def _render_all(
    templates: Sequence[tuple[Any, KritiTemplate | None]],
    scope: Mapping[str, Any],
    functions: Mapping[str, KritiFunction],
) -> list[tuple[Any, Any]]:
    """Every template rendered; all failures reported together (Hasura validates a field as a whole)."""
    out, errors = [], []
    for key, template in templates:
        try:
            out.append((key, None if template is None else _render(template, scope, functions)))
        except (KritiError, KritiCrash) as error:
            errors.append(_failure(error))
    if errors:
        raise TransformFailure(errors)
    return out


def request_context(payload: Any, session: Mapping[str, str] | None, base_url: str, query: Pairs) -> dict[str, Any]:
    """The bindings of a request transform's templates."""
    return {
        "$body": payload,
        "$session_variables": None if session is None else dict(session),
        "$base_url": base_url,
        "$query_params": [[key, value] for key, value in query],
    }


def _body(
    body: BodyTransform, scope: Mapping[str, Any], functions: Mapping[str, KritiFunction]
) -> tuple[bytes, Any, str | None]:
    """(bytes, JSON value or None, form text or None)."""
    if body.action == "remove":
        return b"", None, None
    if body.action == "x_www_form_urlencoded":
        rendered = _render_all(body.form, scope, functions)
        text = form_encode([(key, value) for key, value in rendered if value != "null"])
        return text.encode(), None, text
    assert body.template is not None
    try:
        value = _render(body.template, scope, functions)
    except (KritiError, KritiCrash) as error:
        raise TransformFailure([_failure(error)]) from None
    return encode(value).encode(), value, None


def transform_request(
    transform: RequestTransform,
    *,
    url: str,
    headers: Sequence[tuple[str, str]],
    payload: Any,
    session: Mapping[str, str] | None,
    base_url: str,
    method: str = "POST",
    body: bytes | None = None,
) -> TransformedCall:
    """The call after `transform`; raises TransformFailure with Hasura's error objects."""
    original_query = query_pairs(url)
    scope = request_context(payload, session, base_url, original_query)
    functions = session_functions(session)
    method = transform.method if transform.method is not None else method
    parts = urlsplit(url)
    scheme, netloc, path = parts.scheme, parts.netloc, parts.path or "/"
    if transform.url is not None:
        [(_, rendered)] = _render_all([(None, transform.url)], scope, functions)
        valid, authority = _is_absolute_uri(rendered)
        if not valid:
            raise TransformFailure([{"error_code": "TransformationError", "message": f"Invalid URL: {rendered}"}])
        if authority is not None:  # without an authority Hasura keeps the original URL
            new = urlsplit(rendered)
            scheme, netloc, path = new.scheme, authority.rpartition("@")[2], new.path
    if transform.body is not None:
        sent = _body(transform.body, scope, functions)[0]
    else:
        sent = body if body is not None else encode(payload).encode()
    query = original_query
    if isinstance(transform.query_params, KritiTemplate):
        [(_, rendered)] = _render_all([(None, transform.query_params)], scope, functions)
        query = parse_query(rendered)
    elif transform.query_params is not None:
        templates: list[tuple[Any, KritiTemplate | None]] = []
        for key, template in transform.query_params:
            templates += [(None, key), (None, template)]
        rendered_all = [text for _, text in _render_all(templates, scope, functions)]
        query = tuple(
            (key, value_text)
            for key, value_text in zip(rendered_all[::2], rendered_all[1::2], strict=True)
            if key != "null" and value_text != "null"
        )
    kept = [(name, text) for name, text in headers if name.lower() not in {h.lower() for h in transform.remove_headers}]
    added = _render_all(list(transform.add_headers), scope, functions)
    host, _, port = netloc.partition(":")
    if port and _DEFAULT_PORTS.get(scheme.lower()) == port:
        netloc = host
    return TransformedCall(
        method=method,
        url=f"{scheme}://{netloc}{path}{encode_query(query)}",
        headers=(*kept, *added),
        body=sent,
        query=query,
    )


def decode_json(body: bytes) -> Any:
    """A body as JSON, or None when it is not JSON (how Hasura binds `$body`)."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def transform_response(
    transform: ResponseTransform,
    *,
    body: bytes,
    status: int,
    request: Mapping[str, Any] | None,
    session: Mapping[str, str] | None,
) -> Any:
    """The reply body after `transform` (a JSON value); raises TransformFailure."""
    scope = {
        "$body": decode_json(body),
        "$request": request,
        "$response": {"status": status},
        "$session_variables": None if session is None else dict(session),
    }
    if transform.body is None:
        return scope["$body"]
    if transform.body.action == "remove":
        return None
    _, value, form = _body(transform.body, scope, session_functions(session))
    return form if form is not None else to_python(value)
