"""The built-in policies and decision gates, built ahead of time.

Reading the built-in policy files and gates (parse, validate, check every
reference, compile) is most of a first run on one file, about 40 ms. The
result is package data, `archlint/_prebuilt.json`, written by
`python -m archlint.prebuilt`: the catalog and gates in the cache's JSON form
(archlint's own records, never pickle), with each CEL expression as source
text, and beside them every expression compiled and serialized by the CEL build
named there (deserializing them all takes about 1 ms, compiling them 4-6 ms).
It holds the hash of every file it was built from and is used only when those
files are byte for byte the same, with the built-in policies alone; anything
else is built as usual. The compiled forms are used only under the CEL build
that made them; under another one the expressions compile from source. Not a
cache: it is read with or without `--no-cache`, and a stale copy is never used
(a test also keeps the committed one current).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from .loader import read_bytes

if TYPE_CHECKING:
    from pathlib import Path

    from .decide import Gates
    from .policies import Catalog

FILE = os.path.join(os.path.dirname(os.path.realpath(__file__)), "_prebuilt.json")
FORMAT = 1


@cache
def _data() -> Mapping[str, Any] | None:
    try:
        with open(FILE, "rb") as handle:
            data = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == FORMAT else None


def catalog(files: Sequence[tuple[str, bool]], digests: Sequence[str] | None = None) -> Catalog | None:
    """The catalog of these policy files when they are the built-in ones it was built from.

    `digests`: the files' `cache.digest`, when the caller has them already.
    """
    data = _data()
    if data is None or not files or not all(builtin for _, builtin in files):
        return None
    names = [os.path.basename(path) for path, _ in files]
    recorded = data.get("policies")
    if not isinstance(recorded, dict) or list(recorded) != names:
        return None
    if digests is None:
        from .cache import digest

        try:
            digests = [digest(read_bytes(path)) for path, _ in files]
        except OSError:
            return None  # building reports it
    if list(digests) != list(recorded.values()):
        return None
    from .policies import Catalog

    value = _decode(data.get("catalog"), Catalog)
    if value is None:
        return None
    _attach_compiled(value, data)
    return _with_sources(value, {name: path for name, (path, _) in zip(names, files, strict=True)})


def gates(source: str, text: str, params: Mapping[str, Any]) -> Gates | None:
    """The built-in gates, compiled against these params, when `text` is what they were built from."""
    from .cache import digest
    from .decide import BUILTIN_GATES, Gates

    data = _data()
    if data is None or source != BUILTIN_GATES:
        return None
    recorded = data.get("gates")
    if not isinstance(recorded, dict) or recorded.get("params") != sorted(params):
        return None
    if recorded.get("digest") != digest(text.encode("utf-8")):
        return None
    value: Gates | None = _decode(recorded.get("value"), Gates)
    if value is None:
        return None
    _attach_compiled(value, data)
    return value._replace(source=source)


@cache
def cel_build() -> str:
    """The installed CEL library, name and version (`cel_expr_python-0.1.3.dist-info`); "" if unknown."""
    from .resources import distributions

    return "\n".join(distributions(("cel_expr_python-",)))


def _attach_compiled(value: Any, data: Mapping[str, Any]) -> None:
    """Give the value's CEL programs the compiled forms shipped beside it, when this CEL build
    made them (else they compile from source when first evaluated)."""
    from .cel import adopt_compiled, programs_in

    compiled = data.get("compiled")
    if not isinstance(compiled, dict) or not compiled.get("cel") or compiled.get("cel") != cel_build():
        return
    forms = compiled.get("programs")
    if isinstance(forms, dict):
        adopt_compiled(programs_in(value), forms)


def _decode(data: Any, expected: type[Any]) -> Any:
    from .cache import decode

    try:
        value = decode(data)
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None  # written by another version of archlint's records: build as usual
    return value if isinstance(value, expected) else None


def _with_sources(value: Catalog, paths: Mapping[str, str]) -> Catalog:
    """The catalog with each file name it was built with replaced by the file's path here."""
    sets = tuple(
        policy_set._replace(
            source=paths[policy_set.source],
            rules=tuple(rule._replace(source=paths[rule.source]) for rule in policy_set.rules),
        )
        for policy_set in value.sets
    )
    params = {name: param._replace(source=paths[param.source]) for name, param in value.params.items()}
    return value._replace(sets=sets, params=params)


# ---------------------------------------------------------------------------- building


def build(previous: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The content of FILE, from the built-in policies and gates as they are now.

    CEL serializes a program differently each time it is compiled, so the compiled
    forms in `previous` (FILE as it was) are kept for every expression still there,
    when this CEL build made them: regenerating an unchanged catalog changes nothing.
    """
    from . import decide, resources
    from .cache import digest, encode
    from .cel import programs_in
    from .policies import build_catalog, load_policy_document

    files = resources.builtin_policy_files()
    contents = [read_bytes(path) for path in files]
    documents = [
        (os.path.basename(path), load_policy_document(path, raw)[1], True)
        for path, raw in zip(files, contents, strict=True)
    ]
    built = build_catalog(documents)
    with open(decide.BUILTIN_GATES, encoding="utf-8") as handle:
        text = handle.read()
    gates_value = decide.parse_gates(text, decide.BUILTIN_GATES, built.params)._replace(source="gates.yaml")
    kept: Mapping[str, Any] = {}
    if previous is not None and (previous.get("compiled") or {}).get("cel") == cel_build():
        kept = previous["compiled"].get("programs") or {}
    programs = {program.source: program for program in (*programs_in(built), *programs_in(gates_value))}
    return {
        "format": FORMAT,
        "policies": {os.path.basename(path): digest(raw) for path, raw in zip(files, contents, strict=True)},
        "catalog": encode(built, compiled=False),
        "gates": {
            "digest": digest(text.encode("utf-8")),
            "params": sorted(built.params),
            "value": encode(gates_value, compiled=False),
        },
        "compiled": {
            "cel": cel_build(),
            "programs": {
                source: kept.get(source) or programs[source].serialize().hex() for source in sorted(programs)
            },
        },
    }


def outputs() -> dict[Path, str]:
    """FILE and its expected content, for the generators' command line."""
    from pathlib import Path

    return {Path(FILE): json.dumps(build(_data()), indent=1, ensure_ascii=False) + "\n"}


def same_build(current: str, fresh: str) -> bool:
    """Whether FILE as it is (`current`) is current: equal to a `fresh` build except for the
    bytes of compiled programs, which depend on the CEL build that serialized them (a
    checkout tested under another CEL version compiles them from source at run time)."""
    try:
        old, new = json.loads(current), json.loads(fresh)
        old_compiled, new_compiled = old.pop("compiled"), new.pop("compiled")
        return bool(old == new and set(old_compiled["programs"]) == set(new_compiled["programs"]))
    except (ValueError, KeyError, TypeError, AttributeError):
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m archlint.prebuilt [--check]`: rebuild FILE, or report whether it is stale."""
    from .schemagen import generator_main

    return generator_main(argv, "archlint.prebuilt", main.__doc__, outputs, same_build)


if __name__ == "__main__":
    raise SystemExit(main())
