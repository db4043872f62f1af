"""Sending an `ActionRequest` to a handler and getting back an `ActionResponse`.

Holds the `Target` protocol, the network target (httpx), the in-process targets (ASGI, WSGI, a plain
callable) and the loader of `module:attr` apps. May import `_generate`, `_catalog` and the root helpers.
"""
