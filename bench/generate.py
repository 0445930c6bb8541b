"""Write a deterministic corpus of realistic ai-feature.yaml files for benchmarks and tests.

    python bench/generate.py OUTDIR --count 10000 [--seed 5]

The same count and seed always give byte-identical files. Each file is one
feature of about 70 lines (header comment, folded description, inline
comments), drawn from four consistent designs (prompting, RAG, fine-tuning,
hybrid). Most files then receive mistakes in the proportions a monorepo
shows: architecture mismatches the policies catch (about a third), schema
errors (typos, wrong types, YAML 1.1 booleans), waivers both valid and
expired, a few files that are not valid YAML, and a few with two documents.
"""

from __future__ import annotations

import argparse
import os
import random
from collections.abc import Callable
from typing import Any

DOMAINS = ("support", "claims", "billing", "legal", "hr", "sales", "search", "docs", "risk", "ops")
NOUNS = ("assistant", "extractor", "classifier", "summarizer", "router", "drafter", "answerer", "triager")
TEAMS = ("platform", "claims-automation", "knowledge", "growth", "risk-engineering", "support-tools")
WORDS = (
    "answers questions from the internal documentation",
    "extracts fields from incoming e-mails",
    "drafts replies that agents review before sending",
    "routes tickets to the team that owns them",
    "summarizes long case histories for the next shift",
    "classifies documents by retention policy",
    "looks up order and stock status for staff",
    "explains policy clauses in plain language",
)
RULES_WITH_WAIVERS = ("RAG006", "RAG009", "FT010", "GEN001", "RAG011")


def feature(rng: random.Random, index: int) -> dict[str, Any]:
    """A consistent design for one of the four approaches."""
    approach = rng.choice(("prompting", "rag", "rag", "fine-tuning", "hybrid"))
    name = f"{rng.choice(DOMAINS)}-{rng.choice(NOUNS)}-{index:05d}"
    spec: dict[str, Any] = {
        "problem": {"prompting": "behavior", "rag": "knowledge", "fine-tuning": "behavior", "hybrid": "both"}[
            approach
        ],
        "approach": approach,
        "task": {
            "scope": "narrow" if approach == "fine-tuning" else rng.choice(("narrow", "open-ended")),
            "output": rng.choice(("free-text", "structured", "styled-text")),
        },
        "knowledge": {
            "change_frequency": rng.choice(("yearly", "static", "quarterly"))
            if approach == "fine-tuning"
            else rng.choice(("daily", "weekly", "monthly", "quarterly")),
            "corpus_tokens": rng.choice((40_000, 60_000))
            if approach == "prompting"
            else rng.choice((250_000, 4_000_000, 12_000_000)),
            "exact_identifiers": rng.random() < 0.4,
            "sensitivity": rng.choice(("public", "internal", "confidential")),
            "per_user_permissions": rng.random() < 0.5,
        },
        "requirements": {
            "citations": approach in ("rag", "hybrid"),
            "hallucination_impact": rng.choice(("low", "medium"))
            if approach in ("prompting", "fine-tuning")
            else rng.choice(("low", "medium", "high")),
            "latency_p95_ms": rng.choice((800, 1500, 2000, 3000)),
            "requests_per_day": rng.choice((2_000, 6_500, 20_000, 120_000)),
        },
        "prompting": {"baseline_evaluated": True, "meets_quality_bar": approach == "prompting"},
    }
    if approach in ("rag", "hybrid"):
        top_k = rng.choice((3, 4, 5, 6))
        spec["rag"] = {
            "retrieval": "hybrid"
            if spec["knowledge"]["exact_identifiers"]
            else rng.choice(("dense", "hybrid")),
            "acl_filtering": True,
            "vector_store": {
                "name": rng.choice(("pgvector", "qdrant", "opensearch")),
                "hosting": "self-hosted",
            },
            "chunking": {
                "strategy": rng.choice(("section", "paragraph", "semantic")),
                "size_tokens": 512,
                "overlap_tokens": 64,
            },
            "top_k": top_k,
            "reranker": True,
            "index_refresh": "daily",
            "freshness_monitoring": True,
            "retrieval_eval": {
                "dataset": f"evals/{name}/retrieval.jsonl",
                "metrics": [f"recall@{top_k}", "mrr"],
            },
            "cache": True,
        }
    if approach in ("fine-tuning", "hybrid"):
        spec["fine_tuning"] = {
            "base_model": rng.choice(("llama-3.1-8b-instruct", "mistral-7b-instruct", "qwen2.5-7b")),
            "method": rng.choice(("lora", "qlora", "full")),
            "training_examples": rng.choice((2_500, 4_200, 9_000)),
            "data_source": "human-labeled",
            "eval_set": {"examples": rng.choice((400, 600, 1_000)), "held_out": True},
            "forgetting_eval": True,
            "retraining": {"cadence": rng.choice(("monthly", "quarterly"))},
            "rollback": True,
        }
        spec["requirements"]["requests_per_day"] = max(spec["requirements"]["requests_per_day"], 6_500)
        spec["prompting"]["meets_quality_bar"] = False
    spec["governance"] = {
        "external_model_api": rng.random() < 0.5,
        "third_party_data_stores_allowed": True,
        "pii": False,
    }
    spec["evaluation"] = {
        "dataset": f"evals/{name}/answers.jsonl",
        "metrics": rng.sample(["faithfulness", "answer_relevance", "field_accuracy", "win_rate"], 2),
    }
    return {
        "apiVersion": "archlint/v1",
        "kind": "AIFeature",
        "metadata": {
            "name": name,
            "owner": rng.choice(TEAMS),
            "description": f"{rng.choice(WORDS).capitalize()} for the {name.split('-')[0]} team; "
            f"{rng.choice(WORDS)}, with a human in the loop for anything unusual.",
            "labels": {"domain": name.split("-")[0], "tier": rng.choice(("1", "2", "3"))},
        },
        "spec": spec,
    }


# Architecture mismatches: each breaks one or two policies on purpose.
def _mismatch(rng: random.Random, doc: dict[str, Any]) -> None:
    spec = doc["spec"]
    options: list[Callable[[], None]] = []
    if "rag" in spec:
        rag = spec["rag"]
        options += [
            lambda: rag.update(acl_filtering=False) or spec["knowledge"].update(per_user_permissions=True),
            lambda: rag.update(top_k=20, reranker=False),
            lambda: rag.pop("retrieval_eval", None),
            lambda: (
                rag.update(index_refresh="quarterly") or spec["knowledge"].update(change_frequency="daily")
            ),
            lambda: rag.pop("chunking", None),
            lambda: rag.update(freshness_monitoring=False),
            lambda: rag.update(cache=False) or spec["requirements"].update(latency_p95_ms=300),
            lambda: spec["knowledge"].update(corpus_tokens=30_000),
        ]
    if "fine_tuning" in spec:
        tuning = spec["fine_tuning"]
        options += [
            lambda: tuning.update(training_examples=120),
            lambda: tuning.pop("eval_set", None),
            lambda: tuning.update(data_source="synthetic"),
            lambda: tuning.pop("retraining", None),
            lambda: tuning.update(rollback=False),
            lambda: spec["knowledge"].update(change_frequency="daily"),
            lambda: spec["prompting"].update(baseline_evaluated=False),
        ]
    options += [
        lambda: spec["evaluation"].pop("dataset", None),
        lambda: spec["requirements"].update(hallucination_impact="high"),
    ]
    for _ in range(rng.choice((1, 1, 2))):
        rng.choice(options)()


def _schema_error(rng: random.Random, doc: dict[str, Any]) -> None:
    spec = doc["spec"]
    choice = rng.randrange(5)
    if choice == 0:
        spec["requirements"]["latency_p95"] = spec["requirements"].pop("latency_p95_ms")  # typo
    elif choice == 1:
        spec["approach"] = "retrieval"  # not an approach
    elif choice == 2:
        spec["governance"]["pii"] = "no"  # YAML 1.1 boolean, a string in 1.2
    elif choice == 3:
        spec["requirements"]["requests_per_day"] = "lots"
    else:
        doc["metadata"]["name"] = doc["metadata"]["name"].replace("-", "_").upper()


def _waivers(rng: random.Random, doc: dict[str, Any]) -> None:
    expired = rng.random() < 0.4
    doc["spec"]["waivers"] = [
        {
            "rule": rng.choice(RULES_WITH_WAIVERS),
            "reason": "Accepted for the pilot; the owning team tracks the fix in its roadmap.",
            "approved_by": "architecture-review-board",
            "expires": "2024-03-31" if expired else "2099-12-31",
        }
    ]


# -- a small YAML writer: block style, comments, folded descriptions ------------

COMMENTS = {
    "owner": "pages the on-call of this team",
    "sensitivity": "the strictest document in the corpus",
    "per_user_permissions": "as enforced by the source systems",
    "hallucination_impact": "what a confident wrong answer costs",
    "baseline_evaluated": "few-shot prompt, measured on the eval set",
    "meets_quality_bar": "the bar is in the design doc",
    "acl_filtering": "filters on the asking user's groups",
    "reranker": "cross-encoder over the first 50 candidates",
    "method": "self-hosted",
    "pii": "checked by the privacy review",
    "problem": "what is actually broken",
    "approach": "the architecture decision under review",
    "change_frequency": "how often the facts change",
    "corpus_tokens": "approximate size of the knowledge",
    "latency_p95_ms": "end-to-end, measured at the gateway",
    "requests_per_day": "from the last quarter's traffic",
    "top_k": "chunks placed in the prompt",
    "training_examples": "reviewed by two annotators",
    "external_model_api": "prompts leave our infrastructure",
}


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str) and (value in ("no", "yes") or value.startswith(("2024", "2099"))):
        return value  # plain on purpose: dates, and YAML 1.1 booleans in the schema-error files
    if isinstance(value, str) and value.isdigit():
        return f'"{value}"'
    return str(value)


def _emit(data: dict[str, Any], indent: int, lines: list[str], rng: random.Random) -> None:
    pad = " " * indent
    for key, value in data.items():
        if isinstance(value, dict):
            if (
                len(value) <= 2
                and all(not isinstance(v, (dict, list)) for v in value.values())
                and rng.random() < 0.5
            ):
                inner = ", ".join(f"{k}: {_scalar(v)}" for k, v in value.items())
                lines.append(f"{pad}{key}: {{{inner}}}")
            else:
                lines.append(f"{pad}{key}:")
                _emit(value, indent + 2, lines, rng)
        elif isinstance(value, list):
            if all(isinstance(item, dict) for item in value):
                lines.append(f"{pad}{key}:")
                for item in value:
                    first = True
                    for k, v in item.items():
                        lines.append(f"{pad}  {'- ' if first else '  '}{k}: {_scalar(v)}")
                        first = False
            else:
                lines.append(f"{pad}{key}: [{', '.join(_scalar(item) for item in value)}]")
        elif key == "description":
            words = str(value).split()
            lines.append(f"{pad}{key}: >-")
            line = ""
            for word in words:
                if len(line) + len(word) > 60:
                    lines.append(f"{pad}  {line.rstrip()}")
                    line = ""
                line += word + " "
            lines.append(f"{pad}  {line.rstrip()}")
        else:
            text = f"{pad}{key}: {_scalar(value)}"
            if key in COMMENTS and rng.random() < 0.7:
                text = f"{text:<40} # {COMMENTS[key]}"
            lines.append(text)


def render(doc: dict[str, Any], rng: random.Random) -> str:
    name = doc["metadata"]["name"]
    lines = [
        "# yaml-language-server: $schema=../schemas/ai-feature.v1.schema.json",
        "#",
        f"# {name}: owned by {doc['metadata']['owner']}.",
        f"# Approach: {doc['spec']['approach']}. Reviewed at the architecture board; see the design doc",
        "# linked from the service README for the measurements behind each number below.",
        "#",
        "# Change this file in the same pull request as the code it describes: the review checks",
        "# both, and archlint runs on every commit that touches it.",
    ]
    _emit(doc, 0, lines, rng)
    lines.append("#")
    lines.extend(f"# {note}" for note in rng.sample(NOTES, 4 if "rag" in doc["spec"] else 9))
    return "\n".join(lines) + "\n"


NOTES = (
    "Open question: whether the eval set still reflects last quarter's traffic mix.",
    "The latency target comes from the agent desktop, which times out after five seconds.",
    "Volumes are the 30-day average; peaks on Mondays reach three times that.",
    "Security review: approved with the conditions recorded in the risk register.",
    "Rollback is exercised in the staging game day every quarter.",
    "Cost per thousand requests is tracked on the team dashboard.",
    "The owner rotates the on-call for this feature with the platform team.",
    "Data retention follows the records policy for the source systems.",
    "Next review: after the first month of production traffic.",
    "The quality bar was agreed with the business owner and is written in the design doc.",
    "Known gap: no per-language breakdown of the evaluation metrics yet.",
)


def _break_yaml(text: str, rng: random.Random) -> str:
    lines = text.splitlines()
    at = rng.randrange(8, len(lines) - 2)
    kind = rng.randrange(3)
    if kind == 0:
        lines[at] = "\t" + lines[at].lstrip()  # a tab as indentation
    elif kind == 1:
        lines.insert(at, lines[at])  # a duplicate key (or a repeated list item line)
        lines[at + 1] = lines[at + 1].split(":")[0] + ": [unclosed"
    else:
        lines[at] = lines[at] + " : : {"
    return "\n".join(lines) + "\n"


def generate(count: int, seed: int = 5) -> list[tuple[str, str]]:
    """(file name, text) for `count` files; the same arguments give the same files."""
    rng = random.Random(seed)
    files: list[tuple[str, str]] = []
    for index in range(count):
        doc = feature(rng, index)
        draw = rng.random()
        if draw < 0.34:
            _mismatch(rng, doc)
        elif draw < 0.40:
            _schema_error(rng, doc)
        if rng.random() < 0.05:
            _waivers(rng, doc)
        text = render(doc, rng)
        draw = rng.random()
        if draw < 0.01:
            text = _break_yaml(text, rng)
        elif draw < 0.02:
            other = feature(rng, index + 100_000)
            text = text + "---\n" + render(other, rng)
        files.append((f"feature-{index:05d}.ai-feature.yaml", text))
    return files


def write(directory: str, count: int, seed: int = 5) -> list[str]:
    """Write the corpus into `directory` (created); return the paths written."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for name, text in generate(count, seed):
        path = os.path.join(directory, name)
        with open(path, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("directory")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    write(args.directory, args.count, args.seed)


if __name__ == "__main__":
    main()
