"""Where each piece of loaded metadata came from, so every problem can name its file and line.

Loaders turn YAML, JSON and SDL into plain dicts and lists in Hasura's JSON metadata form and record,
per container, the file, line and JSON path it came from. Problems are then reported against the
container (and key) they concern, and this table turns that into a location.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._errors import Problem, Severity

__all__ = ["Locations", "Reporter", "Spot"]


@dataclass(frozen=True, slots=True)
class Spot:
    """A place in a source file: file name, 1-based line and column when known, JSON path."""

    file: str | None
    line: int | None = None
    column: int | None = None
    path: str = "$"


class Locations:
    """Maps loaded containers (by identity) to the spot they were read from."""

    __slots__ = ("_keep", "_key_spots", "_spots")

    def __init__(self) -> None:
        self._spots: dict[int, Spot] = {}
        self._key_spots: dict[int, dict[Any, Spot]] = {}
        # Holding a reference keeps ids unique for as long as this table lives.
        self._keep: list[object] = []

    def add(self, obj: object, spot: Spot, key_spots: dict[Any, Spot] | None = None) -> None:
        """Record that `obj` (a dict or list) was read at `spot`; `key_spots` locates each entry."""
        self._spots[id(obj)] = spot
        self._keep.append(obj)
        if key_spots:
            self._key_spots[id(obj)] = key_spots

    def copy(self, new: object, old: object) -> None:
        """Record that `new` was made from `old` (a filtered copy, say): same spot, same entries."""
        spot = self._spots.get(id(old))
        if spot is not None:
            self.add(new, spot, dict(self._key_spots.get(id(old), {})))

    def add_key(self, obj: object, key: Any, spot: Spot | None) -> None:
        """Record where entry `key` of `obj` came from (a merge may take it from another file)."""
        if spot is not None:
            self._keep.append(obj)
            self._key_spots.setdefault(id(obj), {})[key] = spot

    def spot(self, obj: object, key: Any = None) -> Spot | None:
        """Where `obj` (or its entry `key`) came from, if it was recorded."""
        if key is not None:
            key_spot = self._key_spots.get(id(obj), {}).get(key)
            if key_spot is not None:
                return key_spot
        spot = self._spots.get(id(obj))
        if spot is None or key is None:
            return spot
        path = spot.path + (f"[{key}]" if isinstance(key, int) else f".{key}")
        return Spot(spot.file, spot.line, spot.column, path)

    def problem(
        self,
        obj: object,
        message: str,
        *,
        key: Any = None,
        severity: Severity = "error",
        subject: str | None = None,
        code: str | None = None,
        hint: str | None = None,
        fallback: Spot | None = None,
    ) -> Problem:
        """A Problem located at `obj`/`key` (or at `fallback` when `obj` was not recorded)."""
        spot = self.spot(obj, key) or fallback
        return Problem(
            message=message,
            severity=severity,
            file=spot.file if spot else None,
            line=spot.line if spot else None,
            column=spot.column if spot else None,
            json_path=spot.path if spot else None,
            subject=subject,
            code=code,
            hint=hint,
        )


class Reporter:
    """Collects located Problems while a loader walks metadata; loading fails if any is an error."""

    __slots__ = ("fallback", "locations", "problems")

    def __init__(self, locations: Locations, problems: list[Problem], fallback: Spot | None = None) -> None:
        self.locations = locations
        self.problems = problems
        self.fallback = fallback

    def error(
        self,
        obj: object,
        message: str,
        *,
        key: Any = None,
        subject: str | None = None,
        code: str | None = "parse-failed",
        hint: str | None = None,
    ) -> None:
        """Record an error at `obj`/`key`."""
        self.problems.append(
            self.locations.problem(obj, message, key=key, subject=subject, code=code, hint=hint, fallback=self.fallback)
        )

    def warn(
        self, obj: object, message: str, *, key: Any = None, subject: str | None = None, hint: str | None = None
    ) -> None:
        """Record a warning at `obj`/`key`."""
        self.problems.append(
            self.locations.problem(
                obj, message, key=key, severity="warning", subject=subject, hint=hint, fallback=self.fallback
            )
        )

    def within(self, parent: object, key: Any) -> Reporter:
        """A Reporter for `parent[key]`: problems about values that were not recorded (scalars, say) land there."""
        spot = self.locations.spot(parent, key) or self.fallback
        return Reporter(self.locations, self.problems, spot)

    @property
    def error_count(self) -> int:
        """How many errors have been recorded so far (callers compare before and after a step)."""
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def failed(self) -> bool:
        """True once any error has been recorded."""
        return any(p.severity == "error" for p in self.problems)
