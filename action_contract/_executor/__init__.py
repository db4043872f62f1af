"""The reference executor: Hasura's side of the contract, from a GraphQL operation to a handler call.

Holds the GraphQL schema built from the catalog, planning and input encoding, the reply to the client,
the async action log, the GraphQL ASGI app with its console page, and the `--via-graphql` route that the
runner uses. May import `_hasura`, `_send`, `_generate`, `_catalog` and the root helpers; never `_mock`,
`_run`, `_render`, `_diff` or `_cli`.
"""
