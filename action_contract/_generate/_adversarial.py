"""Adversarial requests: what a third party calling a handler directly could send, one broken rule each.

Hasura validates every input before it calls a handler (contract §1.5), but a handler's URL is
reachable without Hasura, so a handler must enforce the same rules itself. Each request starts as a
conforming one and breaks exactly one rule, named by `violation` and located by `violation_path`,
so a failure says which rule the handler did not enforce.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence

from hypothesis import strategies as st

from .._catalog._model import Action, Catalog
from .._errors import InvalidArgument
from .._suggest import did_you_mean
from ._action_request import ActionRequest
from ._broken_requests import break_site, envelope, secret, tagged
from ._profiles import HasuraProfile
from ._requests import ClientHeadersOption, Generation, SessionOption, prepare_generation
from ._violations import VIOLATIONS, Site, plan

__all__ = ["adversarial_requests", "applicable_violations"]


def adversarial_requests(
    action: Action | str,
    *,
    catalog: Catalog,
    violations: tuple[str, ...] | list[str] | None = None,
    hasura_version: str | HasuraProfile | None = None,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
    session: SessionOption = None,
    client_headers: ClientHeadersOption = None,
    bases: Sequence[ActionRequest] = (),
) -> st.SearchStrategy[ActionRequest]:
    """Requests that break one rule each, tagged with `violation`; `violations` limits which rules.

    The other options are those of `conforming_requests`. Rules that cannot apply to the action
    (no Int argument, no secret header...) are skipped; see `VIOLATIONS` for the names. Each request
    is built on a conforming one, kept as its `base`: drawn from `bases` (requests known to pass,
    so the broken rule is the only thing wrong) when given, else generated.
    """
    generation = prepare_generation(
        action,
        catalog=catalog,
        hasura_version=hasura_version,
        base_url=base_url,
        env=env,
        session=session,
        client_headers=client_headers,
    )
    by_kind, applicable = plan(catalog, generation)
    if violations is not None:
        unknown = [v for v in violations if v not in VIOLATIONS]
        if unknown:
            raise InvalidArgument(
                f"unknown violation {unknown[0]!r}{did_you_mean(unknown[0], list(VIOLATIONS))}"
                f" Known: {', '.join(VIOLATIONS)}"
            )
        applicable = [k for k in applicable if k in violations]
        if not applicable:
            raise InvalidArgument(
                f"none of the violations {', '.join(violations)} can apply to action {generation.action.name!r}"
            )
    known = [base for base in bases if base.payload is not None and base.violation is None]
    conforming = st.sampled_from(known) if known else generation.requests()
    return _adversarial(generation, conforming, tuple(applicable), by_kind)


def applicable_violations(
    action: Action | str,
    *,
    catalog: Catalog,
    hasura_version: str | HasuraProfile | None = None,
    base_url: str | None = None,
    env: Mapping[str, str] | None = None,
    session: SessionOption = None,
    client_headers: ClientHeadersOption = None,
) -> tuple[str, ...]:
    """The rules of `VIOLATIONS` that can be broken for `action` (no `int_out_of_range` without an Int...)."""
    generation = prepare_generation(
        action,
        catalog=catalog,
        hasura_version=hasura_version,
        base_url=base_url,
        env=env,
        session=session,
        client_headers=client_headers,
    )
    return tuple(plan(catalog, generation)[1])


@st.composite
def _adversarial(
    draw: st.DrawFn,
    generation: Generation,
    conforming_requests: st.SearchStrategy[ActionRequest],
    kinds: tuple[str, ...],
    by_kind: dict[str, list[Site]],
) -> ActionRequest:
    kind = draw(st.sampled_from(kinds))
    conforming = draw(conforming_requests)
    # Behind a request transform the rule is broken in Hasura's payload, sent as is (adversarial_raw).
    conforming = conforming.untransformed or conforming
    assert conforming.payload is not None
    payload = copy.deepcopy(dict(conforming.payload))
    if kind in by_kind:
        site = draw(st.sampled_from(by_kind[kind]))
        path, detail, undone = break_site(draw, generation, payload["input"], site, kind)
        # The base is the request with the violation undone: any structure the site needed (a list element
        # the conforming request did not have) stays, so a failure the filled-in values cause is the base's.
        broken = tagged(conforming, payload, kind, path, detail)
        return dataclasses.replace(broken, base=dataclasses.replace(conforming, payload={**payload, "input": undone}))
    elif kind in {"missing_secret_header", "wrong_secret_header"}:
        broken = secret(draw, conforming, kind)
    else:
        broken = envelope(draw, generation, conforming, payload, kind)
    return dataclasses.replace(broken, base=conforming)
