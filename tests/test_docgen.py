from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archlint import docgen
from archlint.policies import load_catalog

ROOT = Path(__file__).resolve().parent.parent

OUTPUTS = docgen.outputs()


@pytest.mark.parametrize("path", sorted(OUTPUTS), ids=lambda p: p.name)
def test_committed_doc_is_up_to_date(path: Path) -> None:
    # Regenerate with `python -m archlint.docgen` when this fails.
    assert path.read_text(encoding="utf-8") == OUTPUTS[path]


def test_check_mode_reports_a_stale_doc_without_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "rules.md"
    target.write_text("old\n", encoding="utf-8")
    monkeypatch.setattr(docgen, "outputs", lambda: {target: "new\n"})
    assert docgen.main(["--check"]) == 1
    assert target.read_text(encoding="utf-8") == "old\n"
    assert f"stale: {target}" in capsys.readouterr().err


def test_write_mode_updates_a_stale_doc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "docs" / "rules.md"
    monkeypatch.setattr(docgen, "outputs", lambda: {target: "new\n"})
    assert docgen.main([]) == 0
    assert target.read_text(encoding="utf-8") == "new\n"
    assert docgen.main(["--check"]) == 0


def test_check_mode_passes_on_the_repository() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "archlint.docgen", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr


def headings(markdown: str) -> set[str]:
    return {docgen.anchor(line.lstrip("#")) for line in markdown.splitlines() if re.match(r"#+ ", line)}


def test_rules_doc_has_every_rule_and_working_links() -> None:
    catalog = load_catalog()
    text = OUTPUTS[docgen.DOCS / "rules.md"]
    anchors = headings(text)
    for rule in catalog.rules:
        assert f"\n## {rule.id} {rule.name}\n" in text
        assert f"| [{rule.id}](#{docgen.anchor(f'{rule.id} {rule.name}')}) |" in text
    for fragment in re.findall(r"\]\(#([^)]+)\)", text):
        assert fragment in anchors
    for target in re.findall(r"\]\((\.\./examples/[^)]+)\)", text):
        assert (docgen.DOCS / target).resolve().exists(), target


def test_rules_doc_reuses_the_explain_rendering() -> None:
    from archlint import explain

    catalog = load_catalog()
    text = OUTPUTS[docgen.DOCS / "rules.md"]
    for rule in catalog.rules:
        assert explain.markdown(catalog, rule) in text


def schema_fields(schema: dict[str, Any]) -> set[str]:
    """Every field path in the schema, lists written as name[]."""

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in node:
            resolved: dict[str, Any] = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
            return resolved
        return node

    found: set[str] = set()

    def walk(prefix: str, node: dict[str, Any]) -> None:
        for name, sub in node.get("properties", {}).items():
            path = f"{prefix}.{name}" if prefix else name
            found.add(path)
            sub = resolve(sub)
            walk(path, sub)
            for option in sub.get("anyOf", []):  # a value that may be a mapping (fine_tuning.data.sha256)
                walk(path, resolve(option))
            if sub.get("type") == "array":
                walk(f"{path}[]", resolve(sub.get("items", {})))

    walk("", schema)
    return found


def test_feature_file_doc_lists_every_field_once() -> None:
    schema = json.loads(docgen.FEATURE_SCHEMA.read_text(encoding="utf-8"))
    text = OUTPUTS[docgen.DOCS / "feature-file.md"]
    rows = re.findall(r"^\| `([^`]+)` \|", text, flags=re.MULTILINE)
    assert sorted(rows) == sorted(schema_fields(schema))


def test_feature_file_doc_rows() -> None:
    text = OUTPUTS[docgen.DOCS / "feature-file.md"]
    rows = {
        match.group(1): match.group(0)
        for match in re.finditer(r"^\| `([^`]+)` \|.*$", text, flags=re.MULTILINE)
    }
    assert "| exactly `archlint/v1` | required |" in rows["apiVersion"]
    assert "| one of `knowledge`, `behavior`, `both` | required |" in rows["spec.problem"]
    assert "| integer > 0 | optional |" in rows["spec.requirements.latency_p95_ms"]
    assert "| list of strings | optional |" in rows["spec.evaluation.metrics"]
    assert "| map of string to string | optional |" in rows["metadata.labels"]
    assert "| date, `YYYY-MM-DD` | required within `spec.waivers[]` |" in rows["spec.waivers[].expires"]
    assert "required within `spec.rag.retrieval_eval`" in rows["spec.rag.retrieval_eval.dataset"]
    # FT001 reads change_frequency through the dynamic_knowledge variable.
    assert (
        "[FT001](rules.md#ft001-fine-tuning-for-dynamic-knowledge)" in rows["spec.knowledge.change_frequency"]
    )


def test_feature_file_doc_links_resolve() -> None:
    text = OUTPUTS[docgen.DOCS / "feature-file.md"]
    rules_anchors = headings(OUTPUTS[docgen.DOCS / "rules.md"])
    for fragment in re.findall(r"\]\(#([^)]+)\)", text):
        assert fragment in headings(text)
    for fragment in re.findall(r"\]\(rules\.md#([^)]+)\)", text):
        assert fragment in rules_anchors


def test_feature_file_doc_explains_the_conventions() -> None:
    text = OUTPUTS[docgen.DOCS / "feature-file.md"]
    for heading in (
        "## File names",
        "## Several features in one file",
        "## Absent is not the same as `false`",
    ):
        assert heading in text
    for pattern in ("*.ai-feature.yaml", "*.ai-feature.yml", "ai-feature.yaml", "ai-feature.yml"):
        assert f"`{pattern}`" in text


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("FT001 fine-tuning-for-dynamic-knowledge", "ft001-fine-tuning-for-dynamic-knowledge"),
        ("spec.waivers[]", "specwaivers"),
        ("spec.fine_tuning.eval_set", "specfine_tuningeval_set"),
        ("Absent is not the same as `false`", "absent-is-not-the-same-as-false"),
    ],
)
def test_anchor_matches_github(heading: str, expected: str) -> None:
    assert docgen.anchor(heading) == expected


def test_field_references_follow_variables_and_skip_methods() -> None:
    variables = {"dynamic": {"spec.knowledge.change_frequency"}}
    source = (
        "variables.dynamic && spec.?rag.?top_k.orValue(0) > params.max_top_k "
        "&& spec.evaluation.dataset.matches('spec.not.a.field')"
    )
    assert docgen._field_references(source, variables) == {
        "spec.knowledge.change_frequency",
        "spec.rag.top_k",
        "spec.evaluation.dataset",
    }


def test_docs_live_in_the_repository() -> None:
    assert docgen.DOCS == ROOT / "docs"
    assert set(OUTPUTS) == {
        ROOT / "docs" / "rules.md",
        ROOT / "docs" / "sources.md",
        ROOT / "docs" / "feature-file.md",
    }


# --- docs/sources.md -----------------------------------------------------------------------------


def test_sources_lists_every_cited_source_once_with_who_cites_it() -> None:
    catalog = load_catalog()
    text = OUTPUTS[ROOT / "docs" / "sources.md"]
    urls = {ref.url for rule in catalog.rules for ref in rule.references}
    for url in urls:
        # one section per source, its address on the line under the heading
        assert text.count(f"<{url}>") == 1, url
    sections = text.split("\n## ")[1:]
    assert len(sections) == len(urls)
    for rule in catalog.rules:
        for ref in rule.references:
            section = next(part for part in sections if f"<{ref.url}>" in part)
            assert f"[{rule.id} {rule.name}]" in section, (rule.id, ref.url)
            assert " ".join(ref.supports.split()) in section


def test_sources_says_what_kind_of_source_each_is() -> None:
    assert docgen.source_kind("https://arxiv.org/abs/2401.05856") == "research paper (arXiv)"
    assert docgen.source_kind("https://www.redhat.com/en/blog/x").startswith("vendor blog")
    assert docgen.source_kind("https://www.redhat.com/en/topics/ai/x").startswith("vendor explainer")
    assert docgen.source_kind("https://evil.example/arxiv.org") == "vendor or project documentation"


def test_sources_of_a_custom_catalog() -> None:
    from archlint.policies import Reference

    catalog = load_catalog()
    rule = catalog.rules[0]._replace(
        references=(Reference("A paper", "https://arxiv.org/abs/1", "the claim", '"the words"'),)
    )
    one = catalog._replace(sets=(catalog.sets[0]._replace(rules=(rule,)),))
    text = docgen.sources_markdown(one)
    assert "cite 1 source." in text and "## A paper" in text
    assert "the claim" in text and '> "the words"' in text
