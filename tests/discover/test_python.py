"""The Python scanner: aliases, dynamic imports, calls on instances, files that do not parse."""

from __future__ import annotations

import pytest

from archlint.discover import catalogue as catalogues
from archlint.discover import python
from archlint.discover.scan import _filters, _passes_python, usages_in

CATALOGUE = catalogues.load()


def found(source: str) -> list[tuple[int, str, str, str]]:
    return [(u.line, u.kind, u.entry, u.symbol) for u in usages_in(source.encode(), "m.py", CATALOGUE)]


def test_import_as_alias_resolves_calls() -> None:
    usages = found("import openai as oa\nclient = oa.OpenAI()\nclient.fine_tuning.jobs.create(model='m')\n")
    assert (1, "llm", "openai", "openai") in usages
    assert (3, "fine-tuning", "openai-fine-tuning", "client.fine_tuning.jobs.create") in usages


def test_from_import_as_alias_resolves_the_imported_name() -> None:
    usages = found("from openai import OpenAI as C\nC().embeddings.create(input='x', model='m')\n")
    assert usages == [
        (1, "llm", "openai", "openai.OpenAI"),
        (2, "embeddings", "openai-embeddings", "openai.OpenAI.embeddings.create"),
    ]


def test_an_alias_that_hides_the_library_name_is_still_found() -> None:
    usages = found("from trl import SFTTrainer as Tuner\nTuner(model=m)\n")
    assert (2, "fine-tuning", "trl", "trl.SFTTrainer") in usages


def test_a_dynamic_import_is_noted_as_unresolved() -> None:
    usages = found("import importlib\nprovider = importlib.import_module(name)\n")
    assert usages == [(2, "unresolved", "", "importlib.import_module(name)")]


def test_a_dynamic_import_of_a_literal_name_is_resolved() -> None:
    assert found("import importlib\nm = importlib.import_module('anthropic')\n") == [
        (2, "llm", "anthropic", "anthropic")
    ]
    assert found("m = __import__('chromadb')\n") == [(1, "vector-store", "chromadb", "chromadb")]


def test_relative_imports_and_lookalike_names_are_not_usage() -> None:
    assert found("from . import openai\nfrom .openai import Client\nimport openai_compat_shim\n") == []
    assert found("text = 'we do not use openai here'\n") == []


def test_a_file_that_does_not_parse_has_no_usage() -> None:
    assert python.scan(b"import openai\nprint 'python 2'\n", "old.py", CATALOGUE) == []
    assert python.scan(b"\x00\xff import openai", "bin.py", CATALOGUE) == []


@pytest.mark.parametrize(
    ("source", "passes"),
    [
        (b"import pinecone\n", True),
        (b"import os, sys, openai\n", True),
        (b"try: import anthropic\nexcept ImportError: pass\n", True),
        (b"if TYPE_CHECKING:\n    from qdrant_client import QdrantClient\n", True),
        (b"m = importlib.import_module(name)\n", True),
        (b"import requests\nrequests.get('https://example.com')\n", False),
        (b"# we might try openai one day\nimport json\n", False),  # a name outside an import line
        (b"x = '" + b"a" * 200_000 + b"'\n", False),
    ],
)
def test_the_prefilter_only_passes_files_that_can_hold_usage(source: bytes, passes: bool) -> None:
    filters = _filters(CATALOGUE)
    assert filters.python is not None
    assert _passes_python(filters.python, source) is passes
