"""`Settings`: how a contract run behaves, with the CLI's defaults, and what a report records of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from hypothesis.database import ExampleDatabase

from .._catalog._inputs import KnownInputs
from .._generate._profiles import HasuraProfile
from .._generate._requests import ClientHeadersOption, SessionOption

__all__ = ["DEFAULT_DATABASE", "Settings"]

#: Where failing examples are kept between runs, beside Hypothesis's own (`.hypothesis/examples`).
DEFAULT_DATABASE = ".hypothesis/action-contract"


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """How a contract run behaves; every field has the CLI's default."""

    #: Generated conforming requests per action (after the fixed edge cases).
    examples: int = 100
    #: Generated adversarial requests per action.
    adversarial_examples: int = 50
    #: Requests per action without or with a wrong secret header.
    secret_examples: int = 6
    #: False skips the adversarial and secret groups (`--no-adversarial`).
    adversarial: bool = True
    #: True sends adversarial requests to actions with a request transform too: Hasura's payload broken
    #: and sent untransformed (`--adversarial-raw`).
    adversarial_raw: bool = False
    #: False reports strict findings (`output_conforms`) as warnings (`--no-strict`).
    strict: bool = True
    #: Same seed, same requests. None picks one at random and records it in the report.
    seed: int | None = None
    #: Same requests on every run, no example database: for CI.
    derandomize: bool = False
    #: A directory, a Hypothesis `ExampleDatabase`, or None for no database.
    database: str | ExampleDatabase | None = DEFAULT_DATABASE
    #: False keeps the first failing request as found instead of shrinking it.
    shrink: bool = True
    hasura_version: str | HasuraProfile | None = None
    #: Only these actions (all when empty).
    actions: tuple[str, ...] = ()
    exclude_checks: tuple[str, ...] = ()
    #: Replaces scheme://host:port of every handler URL.
    base_url: str | None = None
    env: Mapping[str, str] | None = field(default=None, hash=False)
    session: SessionOption = field(default=None, hash=False)
    client_headers: ClientHeadersOption = field(default=None, hash=False)
    #: Seconds to wait for each reply instead of each action's own `timeout`.
    timeout: float | None = None
    #: True when the target ignores the host (`--app`): an action whose handler URL the metadata cannot
    #: give (an unset template variable, an SDL-only action) is then sent to a stand-in host.
    in_process: bool = False
    #: Send conforming requests as GraphQL operations through the reference executor (`--via-graphql`).
    via_graphql: bool = False
    #: True makes the lenient adversarial findings (a 2xx to an unknown field, a wrong `action.name`...)
    #: errors instead of warnings (`--adversarial-strict`).
    adversarial_strict: bool = False
    #: Seconds to wait for a handler that stopped answering to come back (`--wait-for-restart`); 0 stops sending.
    wait_for_restart: float = 0.0
    #: Known-good `input` objects by action name (`--examples-file`): sent first, seeds of generation,
    #: and `accepts_valid` fails when the handler refuses one.
    inputs: KnownInputs | None = field(default=None, hash=False)
    #: Requests in flight at once (`--workers`): a number (1 is strictly sequential), or "auto": 4 at first (1 for an
    #: app in this process), then from 1 to 16 as the handler's replies and this process's load suggest. Same seed,
    #: same requests and findings for any value.
    workers: int | Literal["auto"] = "auto"
    #: Seconds each distinct failure may spend being shrunk (`--shrink-time`); None for no limit.
    shrink_time: float | None = 10.0

    @property
    def profile(self) -> HasuraProfile:
        """The Hasura version profile the run judges by."""
        if isinstance(self.hasura_version, HasuraProfile):
            return self.hasura_version
        return HasuraProfile.for_version(self.hasura_version)

    def report_options(self) -> dict[str, Any]:
        """The options a report records: those that change what was sent or how it was judged."""
        keep = (
            "examples",
            "adversarial_examples",
            "adversarial",
            "adversarial_raw",
            "strict",
            "derandomize",
            "exclude_checks",
            "timeout",
            "via_graphql",
            "adversarial_strict",
        )
        return {name: getattr(self, name) for name in keep}
