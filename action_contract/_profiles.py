"""Hasura version profiles: what a given Hasura release sends, derived from when each behaviour changed.

Every behaviour is keyed on the release that introduced it (contract §0, "Key behaviour-changing
commits", and the §10 table), so any version string maps to one consistent profile. The judge adds
its own rows (reply validation, messages) on top of the same version number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ._errors import InvalidArgument

__all__ = ["NEWEST_VERSION", "HasuraProfile", "HeaderLayer"]

HeaderLayer = Literal["defaults", "configured", "client"]

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

    def __post_init__(self) -> None:
        if self.version < OLDEST_VERSION:
            raise InvalidArgument(f"Hasura {self.label} has no actions; actions exist since v1.2.0 (use 1.2 or newer)")
        if self.configured_header_precedence and self.version < (2, 37, 0):
            raise InvalidArgument(
                f"configured_header_precedence needs Hasura v2.37 or newer, not {self.label}: "
                "the HASURA_GRAPHQL_CONFIGURED_HEADER_PRECEDENCE flag does not exist before"
            )

    @classmethod
    def for_version(cls, version: str | None = None, *, configured_header_precedence: bool = False) -> HasuraProfile:
        """The profile of a release such as `2.15`, `v2.36.1` or `1.3.3`; None means the newest."""
        if version is None:
            return cls(configured_header_precedence=configured_header_precedence)
        match = _VERSION.fullmatch(version.strip())
        if match is None:
            raise InvalidArgument(f"expected a Hasura version such as 2.15 or v2.36.1, found {version!r}")
        major, minor, patch = (int(part) if part else 0 for part in match.groups())
        return cls(version=(major, minor, patch), configured_header_precedence=configured_header_precedence)

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
