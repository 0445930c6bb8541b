"""Configuration files as evidence: a YAML file whose top-level keys are a training config's
(axolotl's base_model, datasets, micro_batch_size)."""

from __future__ import annotations

from .catalogue import Catalogue
from .usage import Usage


def scan(source: bytes, file: str, catalogue: Catalogue) -> list[Usage]:
    from ..loader import YamlError, decode_limited, load_all

    try:
        documents = load_all(decode_limited(source))
    except (YamlError, RecursionError):
        return []
    found = []
    for document in documents:
        data = document.data
        if not isinstance(data, dict):
            continue
        for entry in catalogue.entries:
            if entry.yaml_keys and all(key in data for key in entry.yaml_keys):
                _, line, column = document.locate((entry.yaml_keys[0],))
                found.append(
                    Usage(file, line, column, entry.kind, entry.library, entry.yaml_keys[0], entry.id)
                )
    return found
