"""Sending an `ActionRequest` to a handler and getting back an `ActionResponse`.

Holds the `Target` protocol, the network target and its HTTP/1.1 client (on `http.client`), the failures with
Hasura's texts, the in-process targets (ASGI, WSGI, a plain callable, through httpx) and the loader of
`module:attr` apps. May import `_generate`, `_catalog` and the root helpers.
"""
