"""Building the calls Hasura makes to a handler: conforming, edge and adversarial `ActionRequest`s.

Holds the Hypothesis strategies, scalar strategies, fake realistic values, `request_query` printing,
Hasura's HTTP call (headers and payload) and the version profiles. May import `_catalog` and the root
helpers (`_errors`, `_suggest`).
"""
