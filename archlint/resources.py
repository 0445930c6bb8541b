"""Find the data shipped with archlint: `schemas/` and `policies/`.

In a wheel they live in `archlint/_data/`; in a source checkout (or an
editable install) they are the top-level folders of the repository.
"""

from __future__ import annotations

import os
from functools import cache

# os.path, not pathlib: this module is on every run's path, and pathlib costs ~3 ms to import.
_PACKAGE = os.path.dirname(os.path.realpath(__file__))


@cache
def data_dir(kind: str) -> str:
    """The folder holding the built-in `schemas` or `policies`."""
    installed = os.path.join(_PACKAGE, "_data", kind)
    if os.path.isdir(installed):
        return installed
    return os.path.join(os.path.dirname(_PACKAGE), kind)


def read_text(kind: str, name: str) -> str:
    with open(os.path.join(data_dir(kind), name), encoding="utf-8") as handle:
        return handle.read()


def builtin_policy_files() -> list[str]:
    """The built-in policy files, in a stable order."""
    folder = data_dir("policies")
    return [os.path.join(folder, name) for name in sorted(os.listdir(folder)) if name.endswith(".yaml")]


@cache
def _installed() -> tuple[str, ...]:
    """The `.dist-info` folder names in every site-packages folder on sys.path (one listing each)."""
    import sys

    names: list[str] = []
    for entry in sys.path:
        if os.path.basename(entry) in ("site-packages", "dist-packages"):
            try:
                names.extend(sorted(name for name in os.listdir(entry) if name.endswith(".dist-info")))
            except OSError:
                continue
    return tuple(names)


def distributions(prefixes: tuple[str, ...]) -> list[str]:
    """The installed distributions whose names start with one of `prefixes`, as their
    `.dist-info` folder names (name and version, e.g. `cel_expr_python-0.1.3.dist-info`),
    read from the folders rather than through importlib.metadata (tens of ms to import)."""
    return [name for name in _installed() if name.startswith(prefixes)]
