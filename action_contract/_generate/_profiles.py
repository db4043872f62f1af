"""Hasura version profiles: what a given Hasura release sends, derived from when each behaviour changed.

Every behaviour is keyed on the release that introduced it (contract §0, "Key behaviour-changing
commits", and the §10 table), so any version string maps to one consistent profile. The judge adds
its own rows (reply validation, messages) on top of the same version number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .._errors import InvalidArgument

__all__ = ["NEWEST_VERSION", "HasuraProfile", "HeaderLayer", "HttpExceptionStyle", "ReplyRules"]

HeaderLayer = Literal["defaults", "configured", "client"]
#: How a release checks a 2xx reply (contract §3.2, §3.4): `objects` v1.2-v2.0 (object or array of
#: objects, extra keys refused), `nullable` v2.1-v2.2 (adds null), `scalars` v2.3-v2.6 (adds scalar
#: outputs, "might want to check" texts), `recursive` v2.7+ (`validateResponse`).
ReplyRules = Literal["objects", "nullable", "scalars", "recursive"]
#: The shape of `internal.error` for a transport failure (contract §5): `show` (v1.x Haskell show),
#: `short` (v2.0-v2.24 short texts), `detailed` (≈v2.25+ texts with the exception).
HttpExceptionStyle = Literal["show", "short", "detailed"]

#: The newest behaviour the contract file describes (last executor change, ≈v2.45).
NEWEST_VERSION = (2, 45, 0)
#: Actions were introduced in v1.2.0-beta.1 (contract §0).
OLDEST_VERSION = (1, 2, 0)

_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?")


@dataclass(frozen=True, slots=True, kw_only=True)
class HasuraProfile:
    """How one Hasura release builds its webhook call; `HasuraProfile.for_version("2.15")`."""

    version: tuple[int, int, int] = NEWEST_VERSION
    #: `HASURA_GRAPHQL_CONFIGURED_HEADER_PRECEDENCE` (≈v2.37+): configured headers beat client ones.
    configured_header_precedence: bool = False
    #: `HASURA_GRAPHQL_DEV_MODE`: `extensions.internal` for every role (contract §4.3).
    dev_mode: bool = False
    #: `HASURA_GRAPHQL_ADMIN_INTERNAL_ERRORS` (default true): `extensions.internal` for admin (contract §4.3).
    admin_internal_errors: bool = True

    def __post_init__(self) -> None:
        if self.version < OLDEST_VERSION:
            raise InvalidArgument(f"Hasura {self.label} has no actions; actions exist since v1.2.0 (use 1.2 or newer)")
        if self.configured_header_precedence and self.version < (2, 37, 0):
            raise InvalidArgument(
                f"configured_header_precedence needs Hasura v2.37 or newer, not {self.label}: "
                "the HASURA_GRAPHQL_CONFIGURED_HEADER_PRECEDENCE flag does not exist before"
            )

    @classmethod
    def for_version(
        cls,
        version: str | None = None,
        *,
        configured_header_precedence: bool = False,
        dev_mode: bool = False,
        admin_internal_errors: bool = True,
    ) -> HasuraProfile:
        """The profile of a release such as `2.15`, `v2.36.1` or `1.3.3`; None means the newest."""
        parsed = NEWEST_VERSION
        if version is not None:
            match = _VERSION.fullmatch(version.strip())
            if match is None:
                raise InvalidArgument(f"expected a Hasura version such as 2.15 or v2.36.1, found {version!r}")
            major, minor, patch = (int(part) if part else 0 for part in match.groups())
            parsed = (major, minor, patch)
        return cls(
            version=parsed,
            configured_header_precedence=configured_header_precedence,
            dev_mode=dev_mode,
            admin_internal_errors=admin_internal_errors,
        )

    @property
    def label(self) -> str:
        """The version as Hasura prints it, e.g. `v2.45.0`."""
        return "v" + ".".join(str(part) for part in self.version)

    @property
    def user_agent(self) -> str | None:
        """The `User-Agent` Hasura sends, or None for v2.1.x, which sent none (#8070, fixed in v2.2.0)."""
        if (2, 1, 0) <= self.version < (2, 2, 0):
            return None
        return f"hasura-graphql-engine/{self.label}"

    @property
    def sends_request_query(self) -> bool:
        """`request_query` is in the payload since v2.1.0-beta.1 (contract §1.3)."""
        return self.version >= (2, 1, 0)

    @property
    def forwards_origin(self) -> bool:
        """`X-Forwarded-Origin` is added from the client's `Origin` since ≈v2.13 (contract §1.2)."""
        return self.version >= (2, 13, 0)

    @property
    def honours_ignored_client_headers(self) -> bool:
        """An action's `ignored_client_headers` replaces the default ignore list since ≈v2.42."""
        return self.version >= (2, 42, 0)

    @property
    def header_precedence(self) -> tuple[HeaderLayer, ...]:
        """Header layers from lowest to highest precedence; a later layer's header wins (contract §1.2, item 4)."""
        if self.version < (2, 1, 0):
            # HashMap of conf <> client (client wins), then Content-Type and User-Agent forced.
            return ("configured", "client", "defaults")
        if self.version < (2, 2, 0):
            return ("defaults", "configured", "client")
        if self.configured_header_precedence:
            return ("client", "defaults", "configured")
        return ("configured", "defaults", "client")

    # -- how the reply is judged (contract §3-§5, §10) ----------------------------------------------
    # Pre-release suffixes are dropped from versions, so a row that changed inside a beta series
    # (e.g. v2.1.0-beta.1 vs beta.2) is keyed on the final release: 2.1 means v2.1.0 as released.

    def shows_internal(self, role: str | None) -> bool:
        """Whether `extensions.internal` reaches a caller of `role` (None: admin) (`shouldIncludeInternal`, §4.3)."""
        return self.dev_mode or (self.admin_internal_errors and (role or "admin") == "admin")

    @property
    def reply_rules(self) -> ReplyRules:
        """Which generation of 2xx checks applies (contract §3.4, §10)."""
        if self.version < (2, 1, 0):
            return "objects"
        if self.version < (2, 3, 0):
            return "nullable"
        if self.version < (2, 7, 0):
            return "scalars"
        return "recursive"

    @property
    def number_mismatch_kind(self) -> str:
        """The kind a number is called in a mismatch: `Number` until v2.9, `String` (sic) since ≈v2.10 (§3.2)."""
        return "String" if self.version >= (2, 10, 0) else "Number"

    @property
    def rejects_extra_response_fields(self) -> bool:
        """Extra keys in a 2xx object are an error before v2.1 (#5731, contract §3.4)."""
        return self.version < (2, 1, 0)

    @property
    def honours_error_extensions(self) -> bool:
        """A 4xx body's `extensions` replaces path and code since v2.1.0-beta.1 (contract §4.2, §10)."""
        return self.version >= (2, 1, 0)

    @property
    def aeson_major(self) -> int:
        """The aeson generation whose decode messages Hasura shows: 1 until ≈v2.8, 2 since ≈v2.9 (§4.2)."""
        return 2 if self.version >= (2, 9, 0) else 1

    @property
    def output_kinds(self) -> frozenset[str]:
        """The kinds of output type this release accepts (contract §3.4).

        `object` always, `nested_object` (object-typed fields) v2.2+, `scalar` (built-in) v2.3+,
        `custom_scalar` (custom and Postgres) v2.7+, `scalar_list` v2.8+.
        """
        kinds = {"object"}
        if self.version >= (2, 2, 0):
            kinds.add("nested_object")
        if self.version >= (2, 3, 0):
            kinds.add("scalar")
        if self.version >= (2, 7, 0):
            kinds.add("custom_scalar")
        if self.version >= (2, 8, 0):
            kinds.add("scalar_list")
        return frozenset(kinds)

    @property
    def null_for_missing_fields(self) -> bool:
        """A missing key gives `null` to the client, except v2.0-≈v2.18, which omitted it (contract §3.3).

        v1.x read every reply through Postgres `jsonb_to_record`, which yields null too.
        """
        return not (2, 0, 0) <= self.version < (2, 19, 0)

    @property
    def keeps_nested_nulls(self) -> bool:
        """A nested object field's `null` reaches the client since v2.7; v2.0-v2.6 dropped it (#8237, §3.3)."""
        return self.version >= (2, 7, 0)

    @property
    def internal_request_keys(self) -> tuple[str, ...]:
        """The keys of `internal.request` (contract §4.3): `body`/`headers` until ≈v2.41, then `action`/`input`."""
        if self.version >= (2, 42, 0):
            return ("url", "action", "input", "request_query", "transformed_request")
        if self.version >= (2, 1, 0):
            return ("url", "body", "headers", "transformed_request")
        return ("url", "body", "headers")

    @property
    def internal_url_is_template(self) -> bool:
        """`internal.request.url` shows the handler template (`{{BASE}}/x`) since v2.8, the resolved URL before."""
        return self.version >= (2, 8, 0)

    @property
    def invalid_json_prefix(self) -> str:
        """How `internal.error` starts for a body that is not JSON: `invalid JSON: ` since ≈v2.42 (§4.3)."""
        return "invalid JSON: " if self.version >= (2, 42, 0) else "invalid json: "

    @property
    def http_exception_style(self) -> HttpExceptionStyle:
        """The shape of a transport failure's `internal.error` (contract §5)."""
        if self.version < (2, 0, 0):
            return "show"
        if self.version < (2, 25, 0):
            return "short"
        return "detailed"
