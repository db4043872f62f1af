"""Version profiles: any version string maps to the request rules of that Hasura release."""

from __future__ import annotations

import pytest

from action_contract import HasuraProfile, InvalidArgument


@pytest.mark.parametrize(
    ("text", "version"),
    [
        ("2.15", (2, 15, 0)),
        ("v2.36.1", (2, 36, 1)),
        ("1.3.3", (1, 3, 3)),
        ("2.0.0-beta.1", (2, 0, 0)),
        (None, (2, 45, 0)),
    ],
)
def test_versions_are_parsed(text, version):
    assert HasuraProfile.for_version(text).version == version


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("latest", "expected a Hasura version such as 2.15 or v2.36.1, found 'latest'"),
        ("1.1", "Hasura v1.1.0 has no actions"),
    ],
)
def test_bad_versions_say_what_is_expected(text, message):
    with pytest.raises(InvalidArgument, match=message):
        HasuraProfile.for_version(text)


def test_configured_header_precedence_needs_2_37():
    with pytest.raises(InvalidArgument, match=r"needs Hasura v2\.37 or newer, not v2\.36\.0"):
        HasuraProfile.for_version("2.36", configured_header_precedence=True)


@pytest.mark.parametrize(
    ("text", "user_agent", "request_query", "origin"),
    [
        ("1.3", "hasura-graphql-engine/v1.3.0", False, False),
        ("2.0", "hasura-graphql-engine/v2.0.0", False, False),
        ("2.1.1", None, True, False),
        ("2.2", "hasura-graphql-engine/v2.2.0", True, False),
        ("2.13", "hasura-graphql-engine/v2.13.0", True, True),
    ],
)
def test_request_rules_by_version(text, user_agent, request_query, origin):
    profile = HasuraProfile.for_version(text)
    assert profile.user_agent == user_agent
    assert profile.sends_request_query is request_query
    assert profile.forwards_origin is origin
