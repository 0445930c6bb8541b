"""Which policy files a run loads: the built-in ones, then those named by config or flags."""

import os
from collections.abc import Iterable, Iterator, Sequence

from . import resources
from .errors import PolicyError


def policy_files(extra: Sequence[str] = (), builtin: bool = True) -> list[tuple[str, bool]]:
    """(path, is built-in) of every policy file a catalog of these is built from, in load order."""
    files: list[tuple[str, bool]] = []
    if builtin:
        files.extend((path, True) for path in resources.builtin_policy_files())
    for item in extra:
        files.extend((path, False) for path in expand_policy_paths([item]))
    if not files:
        raise PolicyError("no policy files to load", "")
    return files


def expand_policy_paths(items: Iterable[str]) -> list[str]:
    """Files as given; folders expanded to their *.yaml / *.yml files, sorted."""
    found: list[str] = []
    for item in items:
        if os.path.isdir(item):
            found.extend(sorted(_yaml_files(item)))
        elif os.path.exists(item):
            found.append(item)
        else:
            raise PolicyError("policy path does not exist", item)
    return found


def _yaml_files(folder: str) -> Iterator[str]:
    for parent, _, names in os.walk(folder):
        for name in names:
            if os.path.splitext(name)[1] in (".yaml", ".yml"):
                yield os.path.join(parent, name)
