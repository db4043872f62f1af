"""The judge: what Hasura makes of a handler's reply, and the stricter declared-type check.

Holds Hasura's verdict (`judge`), its output rules, `internal`/`extensions` shaping of errors, the
shaping of accepted data and the strict type check. May import `_send`, `_generate`, `_catalog` and the
root helpers.
"""
