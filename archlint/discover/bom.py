"""A CycloneDX AI-BOM in: its machine-learning-model and data components, reconciled with the
declarations (read with cyclonedx-python-lib)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from ..errors import UsageError
from ..finding import Finding
from .coverage import Feature, owner
from .reconcile import RULES

TYPES = ("machine-learning-model", "data")
VERSIONS = ("1.5", "1.6")  # the versions with machine-learning-model and data components
MAX_BYTES = 50_000_000


class Component(NamedTuple):
    type: str
    name: str
    ref: str
    path: str  # where it sits in the document: components[2], components[0].components[1]
    locations: tuple[str, ...]  # evidence.occurrences[].location
    line: int = 1  # of the component's name in the file


def read(path: str) -> list[Component]:
    """The AI components of a CycloneDX JSON BOM; a file that is not one is a usage error."""
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read the BOM: {exc.strerror or exc}", path) from None
    if len(raw) > MAX_BYTES:
        raise UsageError("the BOM is larger than 50 MB", path)
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise UsageError(f"not JSON: {exc}", path) from None
    if not isinstance(data, dict) or data.get("bomFormat") != "CycloneDX":
        raise UsageError("not a CycloneDX BOM (bomFormat is not CycloneDX)", path)
    if data.get("specVersion") not in VERSIONS:
        raise UsageError(
            f"CycloneDX {data.get('specVersion')!r}: machine-learning-model and data components "
            f"need specVersion {' or '.join(VERSIONS)}",
            path,
        )
    from cyclonedx.model.bom import Bom

    try:
        bom = Bom.from_json(data)  # type: ignore[attr-defined]
    except Exception as exc:  # the library raises many kinds for a malformed document
        raise UsageError(f"not a valid CycloneDX BOM: {type(exc).__name__}: {exc}", path) from None
    # The library keeps components sorted; the document's own order gives each its path.
    paths = dict(_paths(data.get("components"), "components"))
    text = raw.decode("utf-8", "replace")
    found = [c._replace(line=_line_of(text, c.name)) for c in _components(bom.components, paths)]
    return sorted(found, key=lambda c: _order(c.path))


def _line_of(text: str, name: str) -> int:
    """The line of `"name": "<name>"` in the BOM, so an annotation points at the component."""
    import re

    match = re.search(r'"name"\s*:\s*' + re.escape(json.dumps(name)), text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _paths(items: Any, prefix: str) -> Iterator[tuple[tuple[str, str, str], str]]:
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if isinstance(item, dict):
            path = f"{prefix}[{index}]"
            key = (str(item.get("type")), str(item.get("name")), str(item.get("bom-ref") or ""))
            yield key, path
            yield from _paths(item.get("components"), f"{path}.components")


def _order(path: str) -> list[int]:
    return [int(part.split("]")[0]) for part in path.split("[")[1:]]


def _components(components: Any, paths: dict[tuple[str, str, str], str]) -> Iterator[Component]:
    for component in components:
        kind = str(component.type.value)
        if kind in TYPES:
            evidence = component.evidence
            locations = tuple(
                str(o.location) for o in (evidence.occurrences if evidence is not None else ()) if o.location
            )
            ref = str(component.bom_ref.value or "") if component.bom_ref is not None else ""
            name = str(component.name)
            yield Component(kind, name, ref, paths.get((kind, name, ref), "components"), locations)
        yield from _components(component.components, paths)


def declared_names(feature: Feature) -> set[str]:
    """The models and data sets a feature names (lower case)."""
    spec = feature.document.data.get("spec", {})
    names = set()
    for path in (
        ("fine_tuning", "base_model"),
        ("rag", "vector_store", "name"),
        ("evaluation", "dataset"),
        ("rag", "retrieval_eval", "dataset"),
    ):
        value: Any = spec
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str):
            names.add(value.lower())
    return names


def findings(components: Sequence[Component], features: Sequence[Feature], bom_file: str) -> list[Finding]:
    """DSC001 for each component no feature accounts for: none names it (base model, vector
    store, data sets) and none covers a file the BOM says it occurs in."""
    names = set().union(*(declared_names(f) for f in features)) if features else set()
    found = []
    name, severity = RULES["DSC001"]
    for component in components:
        if component.name.lower() in names:
            continue
        if any(owner(location.lstrip("./"), features) is not None for location in component.locations):
            continue
        where = f" (found in {', '.join(component.locations[:3])})" if component.locations else ""
        found.append(
            Finding(
                "DSC001",
                name,
                severity,
                f"the BOM lists {component.type} component '{component.name}'{where} and no feature "
                "accounts for it: none names it and none covers a file it occurs in",
                bom_file,
                component.path,
                component.line,
                1,
            )
        )
    return found
