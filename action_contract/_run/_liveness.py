"""A handler that stopped answering: seen once as dead, never shrunk against, not sent to again unless it comes back.

Once a handler has answered (or timed out), a refused connection or one that broke off without a
reply may mean the process is gone: an input killed it. A probe (a TCP connection to its port) tells
a dead handler from a request that merely dropped its connection. While the handler is down no
request is sent: each gets a stand-in "not sent" reply at once, so exploring and shrinking cost
nothing and blame no rule. Before each send a down handler is probed again (and, with
`wait_for_restart`, waited for), so a supervised handler that restarts is used again.
"""

from __future__ import annotations

import socket
import time
import weakref
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import urlsplit

from httpx import InvalidURL

from .._generate._action_request import ActionRequest
from .._send._response import ActionResponse, TransportFailure
from .._send._targets import Target, resolve
from ._case import Group

__all__ = ["Death", "Liveness", "WatchedTarget", "begin_run", "watch"]

#: Transport failures that may mean the process behind the port is gone.
GONE = frozenset({"refused", "reset", "no_response"})
_PROBE_TIMEOUT = 1.0
_POLL = 0.1


@dataclass(slots=True, kw_only=True)
class Death:
    """The handler stopped answering: after which request, sent by which action and group."""

    action: str
    group: Group
    #: The last request that got no reply (or, when the next one was refused, the last one answered).
    request: ActionRequest
    response: ActionResponse
    #: What the probe found, e.g. "nothing listens at 127.0.0.1:3000".
    probe: str
    #: Seconds until it answered again (with `wait_for_restart`), or None while it stays down.
    back_after: float | None = None
    reported: bool = False


class Liveness:
    """Whether one target's handler is up, shared by every group and action sent through it."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.answered = False
        self.down = False
        self.death: Death | None = None
        self._last: tuple[ActionRequest, ActionResponse, str, Group] | None = None
        self._gave_up = False

    def send(self, request: ActionRequest, group: Group, wait: float, via: Target | None = None) -> ActionResponse:
        if self.down and not self._back(request, wait):
            return _not_sent(self.death)
        response = (via or self.target).send(request)
        failure = response.failure
        if failure is None or failure.kind == "timeout":
            self.answered = True
            self._last = (request, response, request.action, group)
            return response
        if failure.kind in GONE and self.answered:
            where = _where(request, self.target)
            if where is not None and not _listening(where):
                self.down = True
                if self.death is None:
                    self.death = self._died(request, response, group, where)
        return response

    def _died(self, request: ActionRequest, response: ActionResponse, group: Group, where: tuple[str, int]) -> Death:
        culprit = (request, response, request.action, group)
        if response.failure is not None and response.failure.kind == "refused" and self._last is not None:
            # Refused at once: the request before this one was the last the handler saw.
            culprit = self._last
        sent, reply, action, by = culprit
        return Death(
            action=action, group=by, request=sent, response=reply, probe=f"nothing listens at {where[0]}:{where[1]}"
        )

    def _back(self, request: ActionRequest, wait: float) -> bool:
        where = _where(request, self.target)
        if where is None:
            return False
        deadline = time.monotonic() + (0 if self._gave_up else wait)
        started = time.monotonic()
        while True:
            if _listening(where):
                self.down = False
                if self.death is not None and self.death.back_after is None:
                    self.death.back_after = time.monotonic() - started
                return True
            if time.monotonic() >= deadline:
                self._gave_up = True  # waited once in vain: do not wait again for every request
                return False
            time.sleep(_POLL)


class WatchedTarget:
    """`target` as one group sends through it: requests pass while its handler is up."""

    def __init__(self, liveness: Liveness, group: Group, wait: float, via: Target | None = None) -> None:
        self.liveness, self.group, self.wait = liveness, group, wait
        #: What the requests are sent through (a unit's gate in front of the target), when not the target itself.
        self.via = via

    @property
    def inner(self) -> Target:
        """The target requests go to."""
        return self.liveness.target

    def send(self, request: ActionRequest) -> ActionResponse:
        """The reply, or a stand-in "not sent" failure while the handler is down."""
        return self.liveness.send(request, self.group, self.wait, self.via)

    def close(self) -> None:
        """Nothing: the wrapped target belongs to the caller."""

    def __enter__(self) -> WatchedTarget:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


_LIVENESS: weakref.WeakKeyDictionary[Target, Liveness] = weakref.WeakKeyDictionary()


def watch(target: Target, group: Group, wait: float = 0.0) -> WatchedTarget:
    """`target` for `group`, sharing one `Liveness` with every other group sent through the same target.

    A wrapper that sends on to another target (a `WatchedTarget`, a unit's gate: anything with `inner`) is
    seen through: the liveness is the innermost target's, and requests still go through the wrapper.
    """
    if isinstance(target, WatchedTarget):
        target = target.via or target.inner
    innermost = target
    while not isinstance(innermost, WatchedTarget) and getattr(innermost, "inner", None) is not None:
        innermost = innermost.inner  # type: ignore[attr-defined]
    liveness = _LIVENESS.get(innermost)
    if liveness is None:
        liveness = _LIVENESS[innermost] = Liveness(innermost)
    return WatchedTarget(liveness, group, wait, None if innermost is target else target)


def begin_run(target: Target) -> None:
    """Forget what earlier runs saw of `target`'s handler: each report says for itself whether it died."""
    _LIVENESS.pop(target, None)


def _not_sent(death: Death | None) -> ActionResponse:
    after = f" after a request to {death.action} ({death.group})" if death is not None else ""
    detail = f"the handler stopped answering{after}; not sent"
    return ActionResponse(failure=TransportFailure(kind="refused", detail=detail, hasura_text=""))


def _where(request: ActionRequest, target: Target) -> tuple[str, int] | None:
    try:
        parts = urlsplit(resolve(request.url, getattr(target, "base_url", None)))
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except (ValueError, InvalidURL):  # an URL we cannot probe; its own send already said why
        return None
    return (parts.hostname, port) if parts.hostname else None


def _listening(where: tuple[str, int]) -> bool:
    try:
        with socket.create_connection(where, timeout=_PROBE_TIMEOUT):
            return True
    except OSError:
        return False
