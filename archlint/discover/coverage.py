"""Which feature covers which file: a feature covers the folder holding its file and everything
below it, or exactly its `spec.code_paths` (gitignore-style globs from the repository root);
a file covered by two features belongs to the nearest."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any, NamedTuple

from ..discovery import is_feature_file
from ..loader import Document


class Feature(NamedTuple):
    name: str
    file: str  # relative to the repository root
    folder: str  # "" for the root
    code_paths: tuple[str, ...] | None
    approach: str
    tools: bool  # spec.tools declares at least one tool
    document: Document
    number: int  # the document's index in its file


def features_in(root: str, files: Iterable[str]) -> list[Feature]:
    """Every AIFeature document in the repository's feature files (files that do not parse are
    check's business and are skipped here)."""
    from ..loader import YamlError, decode_limited, load_all
    from .sources import read

    found = []
    for file in files:
        if not is_feature_file(file.rsplit("/", 1)[-1]):
            continue
        data = read(root, file)
        if data is None:
            continue
        try:
            documents = load_all(decode_limited(data))
        except (YamlError, RecursionError):
            continue
        for number, document in enumerate(documents):
            feature = _feature(document, file, number)
            if feature is not None:
                found.append(feature)
    return found


def _feature(document: Document, file: str, number: int) -> Feature | None:
    data: Any = document.data
    if not isinstance(data, dict) or data.get("kind") != "AIFeature":
        return None
    metadata, spec = data.get("metadata"), data.get("spec")
    if (
        not isinstance(metadata, dict)
        or not isinstance(spec, dict)
        or not isinstance(metadata.get("name"), str)
    ):
        return None
    raw_paths = spec.get("code_paths")
    code_paths = tuple(p for p in raw_paths if isinstance(p, str)) if isinstance(raw_paths, list) else None
    tools = spec.get("tools")
    return Feature(
        metadata["name"],
        file,
        file.rsplit("/", 1)[0] if "/" in file else "",
        code_paths,
        str(spec.get("approach", "")),
        isinstance(tools, list) and len(tools) > 0,
        document,
        number,
    )


def covers(feature: Feature, file: str) -> bool:
    if feature.code_paths is not None:
        return matches(feature.code_paths, file)
    return feature.folder == "" or file.startswith(feature.folder + "/")


def owner(file: str, features: Sequence[Feature]) -> Feature | None:
    """The nearest feature covering `file`: the one whose folder shares the longest path with
    it; on a tie, the first in file order."""
    best: tuple[int, Feature] | None = None
    for feature in features:
        if not covers(feature, file):
            continue
        depth = _shared(feature.folder, file)
        if best is None or depth > best[0]:
            best = (depth, feature)
    return best[1] if best else None


def _shared(folder: str, file: str) -> int:
    depth = 0
    for a, b in zip(folder.split("/") if folder else [], file.split("/")[:-1], strict=False):
        if a != b:
            break
        depth += 1
    return depth


def matches(patterns: Sequence[str], file: str) -> bool:
    """gitignore semantics: the last pattern that matches the file or one of its folders
    decides; a pattern starting with ! takes the path back out."""
    parts = file.split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    verdict = False
    for raw in patterns:
        negated = raw.startswith("!")
        pattern = raw[1:] if negated else raw
        regex, directory_only = _compile(pattern)
        for index, candidate in enumerate(candidates):
            is_folder = index < len(candidates) - 1
            if directory_only and not is_folder:
                continue
            if regex.fullmatch(candidate):
                verdict = not negated
                break
    return verdict


@cache
def _compile(pattern: str) -> tuple[re.Pattern[str], bool]:
    directory_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                out.append(f"[{'^' + body[1:] if body.startswith('!') else body}]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    body = "".join(out)
    return re.compile(body if anchored else f"(?:.*/)?{body}"), directory_only
