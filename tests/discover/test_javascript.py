"""The JavaScript/TypeScript scanner (tree-sitter): import forms, aliases, require, dynamic import."""

from __future__ import annotations

import pytest

from archlint.discover import catalogue as catalogues
from archlint.discover.scan import usages_in

CATALOGUE = catalogues.load()


def found(source: str, file: str = "m.ts") -> list[tuple[int, str, str, str]]:
    return [(u.line, u.kind, u.entry, u.symbol) for u in usages_in(source.encode(), file, CATALOGUE)]


@pytest.mark.parametrize("file", ["m.js", "m.mjs", "m.ts", "m.tsx", "M.TSX"])
def test_a_named_import_alias_resolves_calls(file: str) -> None:
    source = (
        "import { OpenAI as C } from 'openai';\nconst c = new C();\n"
        "await new C().embeddings.create({input: 'x'});\n"
    )
    usages = found(source, file)
    assert (1, "llm", "openai", "openai") in usages
    assert (3, "embeddings", "openai-embeddings", "openai.OpenAI.embeddings.create") in usages


def test_namespace_default_and_require_forms() -> None:
    assert found("import * as lance from '@lancedb/lancedb';\n")[0][:3] == (1, "vector-store", "lancedb")
    assert found("const { QdrantClient: Q } = require('@qdrant/js-client-rest');\n")[0][:3] == (
        1,
        "vector-store",
        "qdrant",
    )
    assert found("const ollama = await import('ollama');\n")[0][:3] == (1, "llm", "ollama")


def test_a_dynamic_import_of_a_variable_is_noted_as_unresolved() -> None:
    assert found("const sdk = await import(providerModule);\n") == [
        (1, "unresolved", "", "import(providerModule)")
    ]
    assert found("const sdk = require(`./providers/${name}`);\n") == [
        (1, "unresolved", "", "require(`./providers/${name}`)")
    ]


def test_tools_passed_as_a_shorthand_or_quoted_property() -> None:
    shorthand = (
        "import OpenAI from 'openai';\nawait new OpenAI().chat.completions.create({ tools, messages });\n"
    )
    quoted = "import OpenAI from 'openai';\nawait new OpenAI().chat.completions.create({ 'tools': t });\n"
    assert (2, "tools", "tool-definitions", "openai.chat.completions.create") in found(shorthand)
    assert (2, "tools", "tool-definitions", "openai.chat.completions.create") in found(quoted)


def test_a_package_name_in_a_string_or_comment_is_not_usage() -> None:
    source = "// we considered import OpenAI from 'openai'\nconst note = \"require('openai')\";\n"
    assert found(source) == []


def test_code_with_syntax_errors_is_still_scanned() -> None:
    assert found("import OpenAI from 'openai'\nconst = = ;;\n") == [(1, "llm", "openai", "openai")]
