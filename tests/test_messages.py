from __future__ import annotations

from typing import Any

import pytest

from archlint import messages

VALUES: dict[tuple[str, ...], Any] = {
    ("spec", "rag", "top_k"): 12,
    ("params", "max_top_k"): 8,
    ("spec", "metrics"): ["recall@4", "mrr"],
    ("spec", "flag"): False,
    ("spec", "tokens"): 4_000_000,
}


def lookup(parts: tuple[str, ...]) -> Any:
    return VALUES[parts]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("top_k {spec.rag.top_k} > {params.max_top_k}", "top_k 12 > 8"),
        ("{spec.rag.reranker}", "(not set)"),
        ("reranker is {spec.rag.reranker}", "reranker is not set"),
        ("(reranker: {spec.rag.reranker})", "(reranker: not set)"),
        ("with top_k {spec.rag.top_k_absent} but", "with top_k (not set) but"),
        ("{spec.rag.reranker|not declared}", "not declared"),
        ("{spec.rag.top_k|ignored when present}", "12"),
        ("{spec.metrics}", "recall@4, mrr"),
        ("{spec.flag}", "false"),
        ("{spec.tokens} tokens", "4,000,000 tokens"),
        ("literal {braces with spaces} stay", "literal {braces with spaces} stay"),
    ],
)
def test_render(template: str, expected: str) -> None:
    assert messages.render(template, lookup) == expected


def test_references_ignore_fallbacks() -> None:
    assert list(messages.references("{spec.a.b|x} and {params.c}")) == ["spec.a.b", "params.c"]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("plain", 10, "plain"), ("a\nb", 10, "a\\nb"), ("x" * 12, 10, "xxxxxxx..."), ("t\tab", 10, "t\\tab")],
)
def test_one_line(text: str, limit: int, expected: str) -> None:
    assert messages.one_line(text, limit) == expected


def test_plural_says_one_of_a_kind_in_the_singular() -> None:
    assert [messages.plural(n, "warning") for n in (0, 1, 2)] == ["0 warnings", "1 warning", "2 warnings"]
    assert messages.plural(1, "analysis", "analyses") == "1 analysis"


def test_every_built_in_message_reads_with_its_fields_absent() -> None:
    """Each rule's template rendered on a document where every field it names is absent:
    no placeholder, Python None or bare "absent" is left for the reader."""
    from archlint.engine import render
    from archlint.loader import Document
    from archlint.policies import load_files
    from archlint.policy_paths import policy_files

    catalog = load_files(policy_files())
    params = {name: param.default for name, param in catalog.params.items()}
    rendered = 0
    for rule in catalog.rules:
        if not rule.message:
            continue
        text = render(rule.message, Document({"spec": {}}, {}), params, {})
        rendered += 1
        assert "{" not in text and "None" not in text, (rule.id, text)
        # "absent" only where the policy wrote a fallback that says so.
        assert text.count("absent") == rule.message.count("|absent"), (rule.id, text)
        assert "not set" in text or "|" in rule.message or "{" not in rule.message, (rule.id, text)
    assert rendered >= 30
