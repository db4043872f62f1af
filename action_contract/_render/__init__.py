"""Renderings of a `Report`: text, JSON, JUnit XML and HTML, with reproductions (curl, pytest).

May import `_run` and what lies below it (see `_run`); never `_mock`, `_diff` or `_cli`.
"""
