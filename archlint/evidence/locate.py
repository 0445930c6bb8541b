"""Where the evidence a document declares lives: inside the repository, elsewhere, or nowhere.

A declared value is resolved relative to the feature file. It is a readable
evidence file only when its real path (symlinks followed) is a regular file
inside the repository root; a URI is never read, whatever its scheme.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from typing import Any, NamedTuple

from ..paths import git_root, inside

# A scheme followed by "://" (s3://, hf://, https://, gs://...): a URI, never a path.
_URI = r"^[A-Za-z][A-Za-z0-9+.-]*://"  # compiled on first use: a warm run only stats the files

# What a declared file is for.
TRAIN, EVAL, DATASET, RETRIEVAL = "train", "eval", "dataset", "retrieval"


class Declared(NamedTuple):
    """One evidence path a document declares."""

    role: str  # TRAIN, EVAL (fine_tuning.data), DATASET (evaluation), RETRIEVAL (rag.retrieval_eval)
    key: tuple[str, ...]  # the declaring key's document path
    value: str
    required: bool  # fine_tuning.data paths are evidence by declaration
    sha256: str | None  # the manifest's digest, when one is declared


class Resolved(NamedTuple):
    """A declared value, resolved: `path` is set only for a readable regular file."""

    declared: Declared
    state: str  # "file", "uri", "missing", "outside", "not-a-file"
    path: str | None  # the real path of a file
    detail: str  # for a message: why it is not a file


def declared(spec: Mapping[str, Any]) -> list[Declared]:
    """Every evidence path of a schema-valid spec, in document order."""
    found: list[Declared] = []
    fine_tuning = spec.get("fine_tuning") or {}
    data = fine_tuning.get("data") if isinstance(fine_tuning, dict) else None
    if isinstance(data, dict):
        digests = data.get("sha256")
        for role in (TRAIN, EVAL):
            value = data.get(role)
            if not isinstance(value, str):
                continue
            if isinstance(digests, dict):
                digest = digests.get(role)
            else:
                digest = digests if role == TRAIN and isinstance(digests, str) else None
            key = ("spec", "fine_tuning", "data", role)
            found.append(Declared(role, key, value, True, digest.lower() if digest else None))
    evaluation = spec.get("evaluation")
    if isinstance(evaluation, dict) and isinstance(evaluation.get("dataset"), str):
        found.append(Declared(DATASET, ("spec", "evaluation", "dataset"), evaluation["dataset"], False, None))
    rag = spec.get("rag")
    retrieval = rag.get("retrieval_eval") if isinstance(rag, dict) else None
    if isinstance(retrieval, dict) and isinstance(retrieval.get("dataset"), str):
        key = ("spec", "rag", "retrieval_eval", "dataset")
        found.append(Declared(RETRIEVAL, key, retrieval["dataset"], False, None))
    return found


def is_uri(value: str) -> bool:
    return re.match(_URI, value) is not None


def repository_root(feature: str, cwd: str | None = None) -> str:
    """The root evidence must stay inside: the nearest folder holding `.git` above the feature
    file; without one, the current directory when the file is inside it, else the file's folder."""

    folder = os.path.dirname(os.path.abspath(feature))
    root = git_root(folder)
    if root is None:
        here = os.path.abspath(cwd or os.getcwd())
        root = here if inside(folder, here) else folder
    return os.path.realpath(root)


def resolve(item: Declared, feature: str, root: str) -> Resolved:
    """Resolve one declared value relative to the feature file, inside `root`."""
    value = item.value
    if is_uri(value):
        return Resolved(item, "uri", None, "a URI, which archlint never reads")
    if "\0" in value:
        return Resolved(item, "missing", None, "not a usable path (it holds a NUL character)")
    joined = os.path.join(os.path.dirname(os.path.abspath(feature)), value)
    real = os.path.realpath(joined)
    if not inside(real, root):
        return Resolved(item, "outside", None, "outside the repository")
    try:
        status = os.stat(real)
    except OSError:
        return Resolved(item, "missing", None, "no such file in the repository")
    if not stat.S_ISREG(status.st_mode):
        return Resolved(item, "not-a-file", None, "not a regular file")
    return Resolved(item, "file", real, "")
