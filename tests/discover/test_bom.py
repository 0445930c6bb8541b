"""`--from-bom`: the machine-learning-model and data components of a CycloneDX 1.6 BOM that no
feature accounts for are DSC001 findings; a file that is not such a BOM is a usage error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import MakeRepo, feature, run

FEATURE = feature(
    "claims",
    approach="fine-tuning",
    extra="  fine_tuning: {base_model: gpt-4o-mini}\n  evaluation: {dataset: evals/claims.jsonl}\n",
)


def bom(*components: dict[str, object], version: str = "1.6") -> str:
    return json.dumps(
        {"bomFormat": "CycloneDX", "specVersion": version, "version": 1, "components": list(components)}
    )


def findings(root: Path) -> list[dict[str, object]]:
    completed = run(
        root, "discover", "--format", "json", "--no-cache", "--isolated", "--from-bom", "bom.json"
    )
    assert completed.returncode in (0, 1), completed.stderr
    return [f for f in json.loads(completed.stdout)["findings"] if f["file"] == "bom.json"]


def test_components_no_feature_accounts_for_are_reported(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "ml/claims/ai-feature.yaml": FEATURE,
            "ml/claims/train.py": "from openai import OpenAI\n",
            "bom.json": bom(
                {"type": "machine-learning-model", "name": "gpt-4o-mini"},  # named by the feature
                {
                    "type": "machine-learning-model",
                    "name": "bert-ner",
                    "evidence": {"occurrences": [{"location": "ml/claims/ner.py"}]},
                },  # in covered code
                {"type": "data", "name": "evals/claims.jsonl"},  # named by the feature
                {
                    "type": "machine-learning-model",
                    "name": "whisper-large-v3",
                    "evidence": {"occurrences": [{"location": "voice/asr.py"}]},
                },
                {"type": "data", "name": "call-recordings"},
                {"type": "library", "name": "requests"},  # not an AI component
            ),
        }
    )
    found = findings(root)
    assert [(f["rule"], f["path"]) for f in found] == [
        ("DSC001", "components[3]"),
        ("DSC001", "components[4]"),
    ]
    assert "whisper-large-v3" in str(found[0]["message"]) and "voice/asr.py" in str(found[0]["message"])
    assert found[0]["line"] == 1  # bom() writes one line; the example's golden file has real lines
    assert "data component 'call-recordings'" in str(found[1]["message"])


def test_nested_components_are_read(make_repo: MakeRepo) -> None:
    nested = {
        "type": "application",
        "name": "app",
        "components": [{"type": "machine-learning-model", "name": "llama-3"}],
    }
    root = make_repo({"ml/claims/ai-feature.yaml": FEATURE, "bom.json": bom(nested)})
    assert ["llama-3" in str(f["message"]) for f in findings(root)] == [True]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not JSON"),
        ('{"bomFormat": "SPDX"}', "not a CycloneDX BOM"),
        (bom(version="1.4"), "need specVersion 1.5 or 1.6"),
        (bom({"type": "machine-learning-model"}), "not a valid CycloneDX BOM"),
    ],
)
def test_a_file_that_is_not_an_ai_bom_is_a_usage_error(make_repo: MakeRepo, text: str, message: str) -> None:
    root = make_repo({"ml/claims/ai-feature.yaml": FEATURE, "bom.json": text})
    completed = run(root, "discover", "--no-cache", "--isolated", "--from-bom", "bom.json")
    assert completed.returncode == 2
    assert message in completed.stderr and "Traceback" not in completed.stderr
