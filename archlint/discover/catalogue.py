"""The detection catalogue: built-in YAML data plus an organisation's own files, validated by a schema."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any, NamedTuple

from ..errors import UsageError

KINDS = ("llm", "embeddings", "vector-store", "fine-tuning", "tools")
BUILTIN = os.path.join(os.path.dirname(__file__), "catalogue.yaml")
_SCHEMA = os.path.join(os.path.dirname(__file__), "catalogue.schema.json")


class Evidence(NamedTuple):
    """What one entry looks for in one language."""

    imports: tuple[str, ...]
    calls: tuple[str, ...] = ()
    arguments: tuple[str, ...] = ()
    with_: tuple[str, ...] = ()

    @property
    def import_is_usage(self) -> bool:
        return not self.calls and not self.arguments


class Entry(NamedTuple):
    id: str
    kind: str
    library: str
    python: Evidence | None
    javascript: Evidence | None
    yaml_keys: tuple[str, ...]
    examples: Mapping[str, Mapping[str, str]]
    source: str


class Catalogue(NamedTuple):
    entries: tuple[Entry, ...]
    vendored: frozenset[str]  # lower-case folder names
    digest: str  # of every file it was read from: part of the cache key

    def needles(self, language: str) -> tuple[bytes, ...]:
        """Byte strings one of which a file must contain to be worth parsing: the literal stem
        of each import name (`langchain_*` -> langchain_, `@langchain/*` -> @langchain/)."""
        found: set[bytes] = set()
        for entry in self.entries:
            if language == "yaml":
                found.update(key.encode() for key in entry.yaml_keys[-1:])
                continue
            evidence = entry.python if language == "python" else entry.javascript
            for name in evidence.imports if evidence is not None else ():
                stem = name.split("*", 1)[0]
                stem = stem.split(".", 1)[0] if language == "python" else stem
                if stem:
                    found.add(stem.encode())
        return tuple(sorted(found))


def load(extra: Sequence[str] = ()) -> Catalogue:
    """The built-in catalogue plus the files in `extra` (an organisation's entries are added;
    an entry with a built-in id replaces it)."""
    entries: dict[str, Entry] = {}
    vendored: set[str] = set()
    from ..cache import digest as hash_of

    digests = []
    for path in (BUILTIN, *extra):
        raw = _read(path)
        digests.append(hash_of(raw))
        data = _parse(raw, path)
        if path != BUILTIN:  # the built-in one is validated by the test suite, not on every run
            _validate(data, path)
        vendored.update(name.lower() for name in data.get("vendored", ()))
        for item in data["entries"]:
            entries[item["id"]] = _entry(item, path)
    return Catalogue(tuple(entries.values()), frozenset(vendored), hash_of("\0".join(digests).encode()))


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as stream:
            return stream.read(4_000_001)
    except OSError as exc:
        raise UsageError(f"cannot read the catalogue: {exc.strerror or exc}", path) from None


def _parse(raw: bytes, path: str) -> dict[str, Any]:
    from ..loader import YamlError, decode_limited, load_all

    try:
        documents = load_all(decode_limited(raw))
    except YamlError as exc:
        raise UsageError(f"invalid YAML: {exc.message}", path, exc.line, exc.column) from None
    if len(documents) != 1 or not isinstance(documents[0].data, dict):
        raise UsageError("a catalogue is one YAML mapping (apiVersion, kind, entries)", path)
    data: dict[str, Any] = documents[0].data
    return data


def _validate(data: dict[str, Any], path: str) -> None:
    import jsonschema

    with open(_SCHEMA, encoding="utf-8") as stream:
        schema = json.load(stream)
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(schema).iter_errors(data))
    if error is not None:
        where = ".".join(str(part) for part in error.absolute_path) or "(top)"
        raise UsageError(f"invalid catalogue at {where}: {error.message}", path)


def _evidence(raw: Mapping[str, Any] | None) -> Evidence | None:
    if raw is None:
        return None
    return Evidence(
        tuple(raw["imports"]),
        tuple(raw.get("calls", ())),
        tuple(raw.get("arguments", ())),
        tuple(raw.get("with", ())),
    )


def _entry(item: Mapping[str, Any], path: str) -> Entry:
    return Entry(
        item["id"],
        item["kind"],
        item["library"],
        _evidence(item.get("python")),
        _evidence(item.get("javascript")),
        tuple((item.get("files") or {}).get("yaml_keys", ())),
        item.get("examples") or {},
        path,
    )


def module_matches(pattern: str, name: str, separator: str = ".") -> bool:
    """`name` is the module (package) `pattern` names, or one below it."""
    if "*" in pattern:
        return fnmatchcase(name, pattern) or fnmatchcase(name, f"{pattern}{separator}*")
    return name == pattern or name.startswith(pattern + separator)


def call_matches(pattern: str, name: str) -> bool:
    """A resolved call name against a catalogue pattern (fnmatch; `*.x` ends the chain in .x)."""
    return fnmatchcase(name, pattern) if "*" in pattern else name == pattern
