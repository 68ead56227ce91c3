"""A package's names loaded on first use, so that importing one light module of a package (the
store's queries, the version, the lock) does not load the whole package's libraries."""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_names(package: str, home: dict[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` that imports `home[name]` (a module path) when `name` is first asked for."""

    def __getattr__(name: str):
        if name in home:
            return getattr(importlib.import_module(home[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
