"""Comparing two catalogs: what breaks the handler and what breaks clients, and where a version comes from.

Holds the differ, its rules for types, values and Hasura configuration, the renderings and the
`git:REV:path` sources. May import `_generate` (version profiles), `_catalog` and the root helpers.
"""
