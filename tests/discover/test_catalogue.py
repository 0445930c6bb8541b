"""Every catalogue entry finds its positive snippet and not its negative one, in each language
it declares; the catalogue is validated by its schema; an organisation adds entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint.discover import catalogue as catalogues
from archlint.discover.scan import usages_in
from archlint.errors import UsageError

CATALOGUE = catalogues.load()
# language -> the file names a snippet is scanned as (every JavaScript dialect the parser knows)
NAMES = {
    "python": ("snippet.py",),
    "javascript": ("snippet.js", "snippet.ts", "snippet.tsx"),
    "yaml": ("train.yml",),
}


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for entry in CATALOGUE.entries:
        languages = [
            name
            for name, evidence in (("python", entry.python), ("javascript", entry.javascript))
            if evidence
        ]
        languages += ["yaml"] if entry.yaml_keys else []
        cases.extend((entry.id, language, file) for language in languages for file in NAMES[language])
    return cases


def test_the_catalogue_covers_the_issue_libraries_and_kinds() -> None:
    ids = {entry.id for entry in CATALOGUE.entries}
    issue = (
        "openai anthropic google-genai mistralai cohere litellm langchain llama-index transformers-pipeline "
        "vllm ollama pinecone weaviate qdrant chromadb pgvector faiss lancedb search-vector-query "
        "openai-fine-tuning peft trl transformers-trainer axolotl tool-definitions"
    )
    assert set(issue.split()) <= ids
    assert {entry.kind for entry in CATALOGUE.entries} == set(catalogues.KINDS)


@pytest.mark.parametrize(("entry_id", "language", "file"), _cases())
def test_entry_finds_its_positive_and_not_its_negative_snippet(
    entry_id: str, language: str, file: str
) -> None:
    entry = next(e for e in CATALOGUE.entries if e.id == entry_id)
    snippets = entry.examples.get(language)
    assert snippets is not None, f"{entry_id} declares {language} evidence but no {language} examples"
    positive = [u for u in usages_in(snippets["positive"].encode(), file, CATALOGUE) if u.entry == entry_id]
    negative = [u for u in usages_in(snippets["negative"].encode(), file, CATALOGUE) if u.entry == entry_id]
    assert positive, f"{entry_id}: the positive {language} snippet is not found in {file}"
    assert all(u.kind == entry.kind and u.library == entry.library for u in positive)
    assert negative == [], f"{entry_id}: the negative {language} snippet is found in {file}"


def test_the_built_in_catalogue_is_valid_under_its_schema() -> None:
    # Runs skip validating the built-in file (jsonschema costs ~50 ms to import); this holds it.
    with open(catalogues.BUILTIN, "rb") as stream:
        catalogues._validate(catalogues._parse(stream.read(), catalogues.BUILTIN), catalogues.BUILTIN)


def test_an_organisation_catalogue_adds_an_entry(tmp_path: Path) -> None:
    extra = tmp_path / "acme.yaml"
    extra.write_text(
        "apiVersion: archlint/v1\nkind: DiscoveryCatalogue\nvendored: [legacy_clients]\nentries:\n"
        "  - id: acme-gateway\n    kind: llm\n    library: acme-llm-gateway\n"
        "    python: {imports: [acme.llm]}\n    javascript: {imports: ['@acme/llm']}\n",
        encoding="utf-8",
    )
    merged = catalogues.load([str(extra)])
    assert len(merged.entries) == len(CATALOGUE.entries) + 1
    assert "legacy_clients" in merged.vendored and merged.digest != CATALOGUE.digest
    (usage,) = usages_in(b"from acme.llm import complete\n", "a.py", merged)
    assert (usage.entry, usage.kind, usage.symbol) == ("acme-gateway", "llm", "acme.llm.complete")
    assert usages_in(b"from acme.llm import complete\n", "a.py", CATALOGUE) == []
    (js,) = usages_in(b"import { complete } from '@acme/llm/chat';\n", "a.ts", merged)
    assert js.symbol == "@acme/llm/chat"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "apiVersion: archlint/v1\nkind: DiscoveryCatalogue\nentries:\n"
            "  - {id: x, kind: chat, library: y, python: {imports: [y]}}\n",
            "invalid catalogue at entries.0.kind",
        ),
        (
            "apiVersion: archlint/v1\nkind: DiscoveryCatalogue\nentries:\n"
            "  - {id: x, kind: llm, library: y}\n",
            "invalid catalogue at entries.0",
        ),
        ("apiVersion: archlint/v1\nkind: Other\nentries: []\n", "invalid catalogue at kind"),
        ("entries: [\n", "invalid YAML"),
    ],
)
def test_a_broken_catalogue_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=message):
        catalogues.load([str(broken)])


def test_a_missing_catalogue_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read the catalogue"):
        catalogues.load([str(tmp_path / "absent.yaml")])
