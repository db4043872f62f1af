"""The mock behind transforms: routing the transformed call, and replies shaped for the response transform.

Behind a request transform the handler is a REST endpoint: the call arrives with the transform's
method and URL (often `{{$base_url}}/users/{{$body.input.id}}`) and a body that is not Hasura's
payload. Each such action is routed by its method and a path pattern read from the URL template
(every interpolation but `$base_url` matches any text).

Behind a response transform the mock must answer what the endpoint answers, so that the transform
turns it into the action's output. Where the template only places `$body` paths (objects, arrays,
`$body.a.b`, `"prefix{{ $body.x }}"`, `$body.x ?? d`), the reply is built by putting each wanted output
value at the path that feeds it, and kept when the transform then yields a valid output. Other
templates need a reply from the examples file.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from .._catalog._kriti import encode
from .._catalog._kriti_ast import Array, Binary, Field, Literal, Node, Object, Optional, StringTemplate, Var
from .._catalog._model import Action, Catalog
from .._catalog._transform_apply import TransformFailure, transform_response
from .._catalog._transforms import RequestTransform, ResponseTransform, request_transform_of, response_transform_of
from .._generate._profiles import HasuraProfile
from .._hasura._rules import check_success

__all__ = ["TransformedCalls", "TransformedRoute", "hasura_side", "invert_reply", "payload_of", "transformed_route"]

_MARK = "\x00"


@dataclass(frozen=True, slots=True)
class TransformedRoute:
    """Where the transformed call of one action arrives: its method and a path pattern."""

    action: str
    method: str
    pattern: re.Pattern[str]
    #: Characters of the pattern that are literal: the more, the more specific the route.
    weight: int
    #: The path for people, `{…}` where the template interpolates.
    shown: str = ""


def _url_text(transform: RequestTransform, handler: str) -> str:
    node = transform.url.node if transform.url is not None else None
    if node is None:
        return handler
    if isinstance(node, Literal):
        return str(node.value)
    if not isinstance(node, StringTemplate):
        return _MARK
    out = []
    for part in node.parts:
        if isinstance(part, Literal) and isinstance(part.value, str):
            out.append(part.value)
        elif isinstance(part, Var) and part.name == "$base_url":
            out.append(handler)
        else:
            out.append(_MARK)
    return "".join(out)


def transformed_route(
    action: Action, transform: RequestTransform, handler: str, split: Callable[[str], str]
) -> TransformedRoute:
    """The route of `action`'s transformed call; `split` gives a URL's path."""
    text = _url_text(transform, handler)
    # The scheme and host may be interpolated too: only the path is matched.
    scheme_end = text.find("://")
    path = split(text) if _MARK not in text[: max(scheme_end, 0)] else "/" + text.split("/", 3)[-1]
    path = path.split("?", 1)[0] or "/"
    pieces = path.split(_MARK)
    pattern = re.compile(".*?".join(re.escape(piece) for piece in pieces))
    method = (transform.method or "POST").upper()
    return TransformedRoute(action.name, method, pattern, sum(map(len, pieces)), "{…}".join(pieces))


# -- replies for a response transform -----------------------------------------------------------------

_NOTHING: Any = object()


class _Stuck(Exception):
    pass


def _body_path(node: Node) -> list[str] | None:
    """The keys of a `$body` path (`$body.a['b']`, `$body?.a`), or None for anything else."""
    if isinstance(node, Var):
        return [] if node.name == "$body" else None
    if isinstance(node, Field):
        base = _body_path(node.target)
        key = node.key.value if isinstance(node.key, Literal) else node.key
        return None if base is None or not isinstance(key, str) else [*base, key]
    if isinstance(node, Optional):
        base = _body_path(node.target)
        keys = [k.value if isinstance(k, Literal) else k for k in node.fields]
        names = [k for k in keys if isinstance(k, str)]
        return None if base is None or len(names) != len(keys) else [*base, *names]
    return None


def _reads_body(node: Any) -> bool:
    if isinstance(node, Var):
        return node.name == "$body"
    if isinstance(node, tuple):
        return any(_reads_body(item) for item in node)
    fields = getattr(node, "__dataclass_fields__", None)
    return fields is not None and any(_reads_body(getattr(node, name)) for name in fields if name != "span")


def _merge(left: Any, right: Any) -> Any:
    if left is _NOTHING:
        return right
    if right is _NOTHING:
        return left
    if isinstance(left, dict) and isinstance(right, dict):
        merged = dict(left)
        for key, value in right.items():
            merged[key] = _merge(merged.get(key, _NOTHING), value)
        return merged
    if left != right:
        raise _Stuck
    return left


def _place(path: list[str], value: Any) -> Any:
    for key in reversed(path):
        value = {key: value}
    return value


def _invert(node: Node, wanted: Any) -> Any:
    path = _body_path(node)
    if path is not None:
        return _place(path, wanted)
    if isinstance(node, Object):
        if not isinstance(wanted, dict):
            raise _Stuck
        body = _NOTHING
        for key, value in node.fields:
            body = _merge(body, _invert(value, wanted.get(key)))
        return body
    if isinstance(node, Array):
        if not isinstance(wanted, list) or len(wanted) != len(node.items):
            raise _Stuck
        body = _NOTHING
        for item, value in zip(node.items, wanted, strict=True):
            body = _merge(body, _invert(item, value))
        return body
    if isinstance(node, StringTemplate):
        holes = [part for part in node.parts if not (isinstance(part, Literal) and isinstance(part.value, str))]
        if len(holes) != 1 or _body_path(holes[0]) is None:
            raise _Stuck
        text = wanted if isinstance(wanted, str) else "x"
        return _invert(holes[0], text)
    if isinstance(node, Binary) and node.op == "??":
        return _invert(node.left, wanted)
    if not _reads_body(node):
        return _NOTHING  # a constant or `$response.status`: nothing to place
    raise _Stuck


def invert_reply(transform: ResponseTransform, wanted: Any) -> tuple[bool, Any]:
    """(True, a reply body the transform turns into `wanted`, or close to it), or (False, None)."""
    body = transform.body
    if body is None:
        return True, wanted  # no body transform: the reply is used as it is
    if body.action != "transform" or body.template is None:
        return False, None
    try:
        built = _invert(body.template.node, wanted)
    except _Stuck:
        return False, None
    return True, {} if built is _NOTHING else built


class TransformedCalls:
    """The transformed actions of one mock: their routes, and replies shaped for response transforms."""

    def __init__(self, catalog: Catalog, url_of: Callable[[Action], SplitResult], profile: HasuraProfile) -> None:
        self.catalog = catalog
        self.profile = profile
        self.routes: list[TransformedRoute] = []
        self.responses: dict[str, ResponseTransform] = {}
        for action in catalog:
            request = request_transform_of(action)
            if request is not None:
                handler = urlunsplit(url_of(action))
                self.routes.append(transformed_route(action, request, handler, lambda url: urlsplit(url).path))
            response = response_transform_of(action)
            if response is not None:
                self.responses[action.name] = response
        # The most specific pattern first: `/users/me` before `/users/{{id}}`.
        self.routes.sort(key=lambda route: -route.weight)

    def route(self, method: str, path: str, body: bytes) -> str | None:
        """The action whose transformed call this is, or None (then it is Hasura's own call)."""
        if not self.routes or (method == "POST" and _hasura_payload(body)):
            return None
        method = method.upper()
        return next((r.action for r in self.routes if r.method == method and r.pattern.fullmatch(path)), None)

    def reply(self, action: Action, value: Any) -> Any:
        """What the endpoint answers so that the response transform yields `value` (or another valid output)."""
        transform = self.responses.get(action.name)
        if transform is None:
            return value
        ok, body = invert_reply(transform, value)
        return body if ok and self._valid(action, transform, body) else value

    def needs_example(self, sample: Callable[[Action], Any]) -> list[str]:
        """Actions whose response transform cannot be answered by construction: they need an example."""
        return [
            name
            for name, transform in self.responses.items()
            if not self._valid(
                self.catalog.action(name),
                transform,
                self.reply(self.catalog.action(name), sample(self.catalog.action(name))),
            )
        ]

    def banner(self, sample: Callable[[Action], Any]) -> list[str]:
        """Start-up lines: each transformed call's route, and the actions that need an example reply."""
        lines = [f"  {r.method} {r.shown}  {r.action} (behind its request_transform)" for r in self.routes]
        needing = self.needs_example(sample)
        if needing:
            lines.append(
                f"  note: the response_transform of {', '.join(needing)} cannot be answered by construction; "
                "give replies in the examples file (what the endpoint answers, before the transform)"
            )
        return lines

    def _valid(self, action: Action, transform: ResponseTransform, body: Any) -> bool:
        try:
            shaped = transform_response(transform, body=encode(body).encode(), status=200, request=None, session=None)
        except TransformFailure:
            return False
        return check_success(self.catalog, action.output_type, shaped, self.profile) is None


def _hasura_payload(body: bytes) -> bool:
    # Hasura's payload always carries these three keys (contract §1.3); a transformed body rarely does.
    head = body[:4096]
    return b'"action"' in head and b'"input"' in head and b'"session_variables"' in head


def payload_of(method: str, path: str, query: str, body: bytes) -> dict[str, Any]:
    """A stand-in payload for a transformed call: the reply is request-stable on the whole call."""
    call = f"{method} {path}?{query} {body.decode('utf-8', 'replace')}"
    return {"input": {"call": call}, "session_variables": {}}


def hasura_side(catalog: Catalog) -> Catalog:
    """`catalog` without transforms: what `serve --mock` answers from, at Hasura's side of them (the
    output is generated for the action, then shaped to the selection, as for any action)."""
    if not any(a.request_transform or a.response_transform for a in catalog):
        return catalog
    actions = {
        name: dataclasses.replace(action, request_transform=None, response_transform=None)
        for name, action in catalog.actions.items()
    }
    return dataclasses.replace(catalog, actions=actions)
