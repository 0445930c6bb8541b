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
