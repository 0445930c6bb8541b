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
        ("{spec.rag.reranker}", "absent"),
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
