"""The values a diff is made of: an `Impact` per side, a `Change`, and the `CatalogDiff` of them all."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

__all__ = [
    "RANK",
    "SIDES",
    "CatalogDiff",
    "Change",
    "Impact",
    "Position",
    "Severity",
    "Side",
    "breaking",
    "dangerous",
    "safe",
    "worst",
]

Severity: TypeAlias = Literal["breaking", "dangerous", "safe"]
Side: TypeAlias = Literal["handler", "client"]
Position: TypeAlias = Literal["input", "output"]

SIDES: tuple[Side, ...] = ("handler", "client")
RANK: dict[Severity, int] = {"safe": 0, "dangerous": 1, "breaking": 2}


@dataclass(frozen=True, slots=True)
class Impact:
    """How one change affects one side: a severity and the one-line reason."""

    severity: Severity
    reason: str


def breaking(reason: str) -> Impact:
    """A breaking impact, for `reason`."""
    return Impact("breaking", reason)


def dangerous(reason: str) -> Impact:
    """A dangerous impact, for `reason`."""
    return Impact("dangerous", reason)


def safe(reason: str) -> Impact:
    """A safe impact, for `reason`."""
    return Impact("safe", reason)


def worst(severities: Iterable[Severity]) -> Severity:
    """The most severe of `severities` (`safe` when there are none)."""
    return max(severities, key=RANK.__getitem__, default="safe")


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One difference between two catalogs, with its impact on the handler and on clients."""

    kind: str
    #: Where, e.g. `actions.createUser.args.email` or `types.Status.values.ACTIVE`.
    path: str
    #: What changed, e.g. "argument 'email' made optional (String! → String)".
    what: str
    handler: Impact
    client: Impact

    def impact(self, side: Side) -> Impact:
        """The impact on `side` ("handler" or "client")."""
        return self.handler if side == "handler" else self.client

    def message(self, side: Side) -> str:
        """One line: what changed, then who breaks on `side` and why."""
        return f"{self.what}: {self.impact(side).reason}"

    @property
    def severity(self) -> Severity:
        """The worse of the two sides' severities."""
        return worst((self.handler.severity, self.client.severity))


@dataclass(frozen=True, slots=True)
class CatalogDiff:
    """Every change from one catalog to another, actions first, in a stable order."""

    changes: tuple[Change, ...]

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def breaking(self, side: Side) -> list[Change]:
        """The changes that break `side`."""
        return [c for c in self.changes if c.impact(side).severity == "breaking"]

    def count(self, side: Side, severity: Severity) -> int:
        """How many changes have `severity` for `side`."""
        return sum(1 for c in self.changes if c.impact(side).severity == severity)

    def to_json(self) -> dict[str, Any]:
        """`{"changes": [{kind, path, severity, side, message}]}`: one entry per change and side, handler first."""
        return {
            "changes": [
                {
                    "kind": change.kind,
                    "path": change.path,
                    "severity": change.impact(side).severity,
                    "side": side,
                    "message": change.message(side),
                }
                for change in self.changes
                for side in SIDES
            ]
        }
