"""The CycloneDX AI-BOM, validated with cyclonedx-python-lib's own JSON schema validator."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from archlint.cli import main

from .conftest import EXAMPLES, ROOT, report


def _valid(text: str) -> dict[str, Any]:
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    bom: dict[str, Any] = json.loads(text)
    return bom


def _props(component: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for prop in component.get("properties", []):
        found.setdefault(prop["name"], []).append(prop["value"])
    return found


@pytest.fixture(scope="module")
def bom(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _valid(report(tmp_path_factory.mktemp("bom"), str(EXAMPLES), fmt="cyclonedx"))


def test_examples_bom_is_valid_cyclonedx_1_6(bom: dict[str, Any]) -> None:
    assert bom["specVersion"] == "1.6" and bom["bomFormat"] == "CycloneDX"
    assert bom["metadata"]["tools"]["components"][0]["name"] == "archlint"


def test_a_component_per_feature_typed_by_approach(
    bom: dict[str, Any], examples_portfolio: dict[str, Any]
) -> None:
    features = [c for c in bom["components"] if c["bom-ref"].startswith("archlint:feature:")]
    assert [c["name"] for c in features] != []
    assert sorted(c["name"] for c in features) == sorted(f["name"] for f in examples_portfolio["features"])
    for component in features:
        approach = _props(component)["archlint:approach"][0]
        expected = "machine-learning-model" if approach in ("fine-tuning", "hybrid") else "application"
        assert component["type"] == expected, component["name"]
        if expected == "machine-learning-model":
            assert "modelParameters" in component["modelCard"]


def test_verdicts_and_decision_are_namespaced_properties(bom: dict[str, Any]) -> None:
    rag001 = next(c for c in bom["components"] if "RAG001" in _props(c).get("archlint:file", [""])[0])
    props = _props(rag001)
    assert props["archlint:approach"] == ["rag"]
    assert props["archlint:recommended"][0] in ("prompting", "rag", "fine-tuning", "hybrid")
    assert props["archlint:finding:RAG001"][0].startswith("error: ")
    assert props["archlint:verdict"] == ["fail"]


def test_base_model_and_corpus_are_components_the_feature_depends_on(bom: dict[str, Any]) -> None:
    depends = {d["ref"]: set(d.get("dependsOn", [])) for d in bom["dependencies"]}
    models = [c for c in bom["components"] if c["bom-ref"].startswith("archlint:model:")]
    corpora = [c for c in bom["components"] if c["bom-ref"].startswith("archlint:corpus:")]
    assert models and corpora
    assert all(m["type"] == "machine-learning-model" for m in models)
    assert all(c["type"] == "data" for c in corpora)
    for corpus in corpora:
        feature = "archlint:feature:" + corpus["bom-ref"].rsplit(":", 1)[1]
        assert corpus["bom-ref"] in depends[feature]
    assert any(models[0]["bom-ref"] in refs for refs in depends.values())


def test_check_format_cyclonedx_writes_the_same_kind_of_bom(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    code = main(
        ["check", "--isolated", "--no-cache", "--format", "cyclonedx", os.path.join("examples", "clean")]
    )
    assert code == 0
    bom = _valid(capsys.readouterr().out)
    names = {c["name"] for c in bom["components"] if c["bom-ref"].startswith("archlint:feature:")}
    assert "support-assistant" in names
