"""The mock handler: seeded, request-stable replies for every action, as a frontend developer needs.

Holds the ASGI handler, its replies and scenarios, the examples file, the journal and its page, the
check of incoming calls against what Hasura sends, the respx router and the mock as a `Target`. May
import `_hasura`, `_send`, `_generate`, `_catalog` and the root helpers; never `_executor`, `_run`,
`_render`, `_diff` or `_cli`.
"""
