"""A contract run: the checks and the runner that drives generate, send, judge and check with Hypothesis.

Holds the named checks, the runner (`Settings`, groups, shrinking, the example database) and what a
run produces (`Report`, `Failure`, `GroupResult`). May import `_executor` (for `--via-graphql`),
`_hasura`, `_send`, `_generate`, `_catalog` and the root helpers.
"""
