"""The public surface: one import path, a sorted __all__, and a docstring on every exported name."""

from __future__ import annotations

import inspect

import action_contract


def _isort_order(name: str) -> tuple[int, str]:
    # Constants, then classes, then functions: the order ruff (RUF022) keeps `__all__` in.
    return (0 if name.isupper() else 1 if name[:1].isupper() else 2, name)


def test_all_is_sorted_and_complete():
    public = {n for n in dir(action_contract) if not n.startswith("_")}
    assert action_contract.__all__ == sorted(action_contract.__all__, key=_isort_order)
    assert set(action_contract.__all__) == public


def test_every_exported_name_has_a_docstring():
    for name in action_contract.__all__:
        obj = getattr(action_contract, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert (obj.__doc__ or "").strip(), name
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and (
                    inspect.isfunction(member) or isinstance(member, (property, classmethod))
                ):
                    assert (getattr(member, "__doc__", None) or "").strip(), f"{name}.{attr}"
