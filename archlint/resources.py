"""Find the data shipped with archlint: `schemas/` and `policies/`.

In a wheel they live in `archlint/_data/`; in a source checkout (or an
editable install) they are the top-level folders of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(kind: str) -> Path:
    """The folder holding the built-in `schemas` or `policies`."""
    installed = _PACKAGE / "_data" / kind
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / kind


def read_text(kind: str, name: str) -> str:
    return (data_dir(kind) / name).read_text(encoding="utf-8")


def builtin_policy_files() -> list[Path]:
    """The built-in policy files, in a stable order."""
    return sorted(data_dir("policies").glob("*.yaml"))
