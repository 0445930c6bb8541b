"""The ai-feature.yaml v1 document as pydantic models: the one source of truth.

`schemas/ai-feature.v1.schema.json` is generated from these models
(`python -m archlint.schemagen`) and a test fails when the two drift. The linter
itself validates with the generated schema and never imports pydantic, which
keeps start-up fast.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import GenerateJsonSchema

API_VERSION = "archlint/v1"
KIND = "AIFeature"

ChangeFrequency = Literal["realtime", "daily", "weekly", "monthly", "quarterly", "yearly", "static"]
Refresh = Literal["realtime", "daily", "weekly", "monthly", "quarterly", "yearly", "on-release", "manual"]
Cadence = Literal["weekly", "monthly", "quarterly", "yearly", "on-drift"]

NonNegativeInt = Annotated[int, Field(ge=0)]
DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


class _Strict(BaseModel):
    # Unknown keys are errors: a typo must never silently switch a rule off.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Metadata(_Strict):
    name: str = Field(
        max_length=63,
        pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$",
        description="Feature name: a lowercase slug, at most 63 characters. "
        "Used in fingerprints, so renaming it resets baselines.",
    )
    owner: str = Field(min_length=1, description="The team accountable for the feature.")
    description: str | None = Field(default=None, description="One or two sentences on what it does.")
    labels: dict[str, str] | None = Field(
        default=None, description="Free string labels, e.g. {domain: fintech}; policies may match on them."
    )


class Task(_Strict):
    scope: Literal["narrow", "open-ended"] | None = Field(
        default=None, description="narrow: one well-defined task; open-ended: anything users may ask."
    )
    output: Literal["free-text", "styled-text", "structured"] | None = Field(
        default=None,
        description="free-text; styled-text (a prescribed tone, voice or layout); "
        "structured (JSON or another fixed schema).",
    )


class Knowledge(_Strict):
    source: Literal["corpus", "request", "mixed"] | None = Field(
        default=None,
        description="Where the facts an answer needs come from: corpus (a body of documents the feature "
        "keeps), request (they arrive with each request: the document to extract from, the data to "
        "describe, the code to review, or what the feature's tools fetch during the request) or mixed "
        "(both). Absent counts as corpus.",
    )
    change_frequency: ChangeFrequency | None = Field(
        default=None, description="How often the facts the feature needs change."
    )
    corpus_tokens: NonNegativeInt | None = Field(
        default=None, description="Approximate size of the knowledge the feature draws on, in tokens."
    )
    exact_identifiers: bool | None = Field(
        default=None,
        description="Users query by exact identifiers (SKUs, error codes, ticket numbers).",
    )
    sensitivity: Literal["public", "internal", "confidential", "restricted"] | None = Field(
        default=None, description="The most sensitive classification of the knowledge."
    )
    per_user_permissions: bool | None = Field(
        default=None,
        description="The source systems restrict who may read which document.",
    )


class Requirements(_Strict):
    citations: bool | None = Field(default=None, description="Answers must show their sources.")
    hallucination_impact: Literal["low", "medium", "high"] | None = Field(
        default=None, description="The cost of a confident wrong answer."
    )
    latency_p95_ms: int | None = Field(
        default=None, gt=0, description="Required 95th-percentile end-to-end latency, in milliseconds."
    )
    requests_per_day: NonNegativeInt | None = Field(
        default=None, description="Expected request volume per day."
    )


class Prompting(_Strict):
    baseline_evaluated: bool | None = Field(
        default=None,
        description="Prompt engineering was tried and measured before heavier work.",
    )
    meets_quality_bar: bool | None = Field(
        default=None,
        description="The measured prompting baseline reached (true) or missed (false) the quality bar.",
    )


class VectorStore(_Strict):
    name: str | None = Field(default=None, description="Product or library, e.g. pgvector.")
    hosting: Literal["self-hosted", "managed"] | None = Field(
        default=None, description="self-hosted inside our infrastructure, or a managed third-party service."
    )


class Chunking(_Strict):
    strategy: Literal["fixed", "sentence", "paragraph", "section", "semantic"] | None = Field(
        default=None, description="How documents are split before indexing."
    )
    size_tokens: int | None = Field(default=None, ge=1, description="Target chunk size in tokens.")
    overlap_tokens: NonNegativeInt | None = Field(
        default=None, description="Tokens shared by neighbouring chunks."
    )


class RetrievalEval(_Strict):
    dataset: str = Field(min_length=1, description="Path or URI of the retrieval evaluation set.")
    metrics: list[str] | None = Field(default=None, description="Metrics tracked, e.g. recall@4, MRR.")


class Rag(_Strict):
    retrieval: Literal["dense", "sparse", "hybrid"] | None = Field(
        default=None, description="dense (embeddings), sparse (BM25/keyword) or hybrid (both)."
    )
    acl_filtering: bool | None = Field(
        default=None,
        description="Retrieval enforces the source systems' permissions for the asking user.",
    )
    vector_store: VectorStore | None = Field(default=None, description="Where the index lives.")
    chunking: Chunking | None = Field(default=None, description="How documents are chunked.")
    top_k: int | None = Field(default=None, ge=1, description="Chunks placed in the prompt per query.")
    reranker: bool | None = Field(default=None, description="A reranker orders candidates before top_k.")
    index_refresh: Refresh | None = Field(
        default=None, description="How often the index is rebuilt or updated from the sources."
    )
    freshness_monitoring: bool | None = Field(
        default=None, description="Index staleness is measured and alerted on."
    )
    retrieval_eval: RetrievalEval | None = Field(
        default=None, description="A labelled set for measuring retrieval on its own."
    )
    cache: bool | None = Field(default=None, description="Answers or retrievals are cached.")
    cache_scope: Literal["per-user", "shared"] | None = Field(
        default=None,
        description="What `cache: true` shares: per-user (entries keyed on the asking user) or shared "
        "(one entry serves everyone). Absent counts as shared.",
    )


class EvalSet(_Strict):
    examples: NonNegativeInt | None = Field(default=None, description="Number of evaluation examples.")
    held_out: bool | None = Field(
        default=None, description="The examples are kept out of training (true) or not."
    )


class Retraining(_Strict):
    cadence: Cadence = Field(description="How often the model is retrained.")


SHA256_PATTERN = r"^[0-9a-fA-F]{64}$"
Sha256 = Annotated[str, Field(pattern=SHA256_PATTERN)]


class DataDigests(_Strict):
    train: Sha256 | None = Field(default=None, description="SHA-256 of the train file, hex.")
    eval: Sha256 | None = Field(default=None, description="SHA-256 of the eval file, hex.")


class DataFiles(_Strict):
    train: str | None = Field(
        default=None,
        min_length=1,
        description="The training file (JSON Lines or CSV with a header), relative to the feature file. "
        "Evidence by declaration: it must exist inside the repository (a URI is never read).",
    )
    eval: str | None = Field(
        default=None,
        min_length=1,
        description="The tuned model's evaluation file, relative to the feature file; checked like train.",
    )
    sha256: Sha256 | DataDigests | None = Field(
        default=None,
        description="Manifest: the SHA-256 of the train file (a hex string), or {train: hex, eval: hex}. "
        "Verified when the file is present; a file absent here is then reported as info, not EVD001.",
    )


class FineTuning(_Strict):
    base_model: str | None = Field(default=None, description="The model that is fine-tuned.")
    method: Literal["full", "lora", "qlora", "hosted-api"] | None = Field(
        default=None, description="Training method."
    )
    training_examples: NonNegativeInt | None = Field(
        default=None, description="Number of labelled training examples."
    )
    data_source: Literal["human-labeled", "production-logs", "synthetic", "mixed"] | None = Field(
        default=None, description="Where the training examples come from."
    )
    eval_set: EvalSet | None = Field(default=None, description="The evaluation set for the tuned model.")
    forgetting_eval: bool | None = Field(
        default=None, description="General capabilities are re-checked after training."
    )
    retraining: Retraining | None = Field(default=None, description="The retraining plan.")
    rollback: bool | None = Field(
        default=None, description="Models are versioned with a tested rollback path."
    )
    data: DataFiles | None = Field(
        default=None, description="The training and evaluation files, checked against the claims above."
    )


class Governance(_Strict):
    external_model_api: bool | None = Field(
        default=None,
        description="Prompts and retrieved chunks are sent to a model API outside our infrastructure.",
    )
    third_party_data_stores_allowed: bool | None = Field(
        default=None, description="Policy allows this data in third-party (managed) stores."
    )
    pii: bool | None = Field(default=None, description="The knowledge or prompts contain personal data.")
    zero_data_retention: bool | None = Field(
        default=None,
        description="The external model provider keeps no prompts or outputs "
        "(a zero-data-retention agreement).",
    )


class Evaluation(_Strict):
    dataset: str | None = Field(default=None, min_length=1, description="Task-level evaluation set.")
    metrics: list[str] | None = Field(default=None, description="Metrics tracked on it.")
    examples: NonNegativeInt | None = Field(default=None, description="Size of the task evaluation set.")


class Inputs(_Strict):
    sensitivity: Literal["public", "internal", "confidential", "restricted"] | None = Field(
        default=None, description="The most sensitive classification of what users send in requests."
    )
    untrusted_content: bool | None = Field(
        default=None,
        description="The feature reads text an outsider can write (emails, web pages, tickets, chats, "
        "uploaded documents), which may carry injected instructions.",
    )


OutputCheck = Literal[
    "schema", "source-match", "citation-check", "allowed-values", "execution-check", "moderation"
]


class Guardrails(_Strict):
    output_checks: list[OutputCheck] | None = Field(
        default=None,
        description="Automatic checks every output passes before use: schema (validates against a schema), "
        "source-match (quoted spans are found in the source), citation-check (each citation resolves to "
        "its source), allowed-values (values come from a closed list), execution-check (generated code or "
        "queries are run or planned safely before use), moderation.",
    )
    human_review: Literal["none", "sampled", "all"] | None = Field(
        default=None,
        description="none; sampled (people review a sample afterwards); all (a person approves every "
        "output before it takes effect).",
    )


class Tool(_Strict):
    name: str = Field(min_length=1, description="The tool's name, e.g. issue-refund.")
    effect: Literal["read", "write", "irreversible"] | None = Field(
        default=None,
        description="read (only reads); write (changes state that can be undone); irreversible (cannot "
        "be undone: money moved, a message sent, data deleted).",
    )
    acts_as: Literal["user", "service"] | None = Field(
        default=None,
        description="Whose permissions the call runs with: the asking user's, or a service account's.",
    )
    reaches: Literal["internal", "external"] | None = Field(
        default=None, description="external: the call can send data outside the organisation."
    )
    approval: Literal["none", "human", "limit"] | None = Field(
        default=None,
        description="none; human (a person approves each call); "
        "limit (a hard cap enforced outside the model).",
    )


class Waiver(_Strict):
    rule: str = Field(pattern=r"^[A-Z]+[0-9]{3}$", description="The rule id that is waived for this feature.")
    reason: str = Field(min_length=1, description="Why the finding is accepted.")
    approved_by: str = Field(min_length=1, description="Who approved the exception.")
    expires: str = Field(
        pattern=DATE_PATTERN,
        description="Expiry date, YYYY-MM-DD; an expired waiver no longer applies.",
        json_schema_extra={"format": "date"},
    )


class Spec(_Strict):
    problem: Literal["knowledge", "behavior", "both"] = Field(
        description="What is actually broken: the model lacks knowledge, behaves wrongly, or both."
    )
    approach: Literal["prompting", "rag", "fine-tuning", "hybrid"] = Field(
        description="The chosen architecture; hybrid means RAG plus fine-tuning."
    )
    task: Task | None = Field(default=None, description="The shape of the task.")
    knowledge: Knowledge | None = Field(default=None, description="The knowledge the feature needs.")
    inputs: Inputs | None = Field(default=None, description="What users send in requests.")
    requirements: Requirements | None = Field(default=None, description="Product requirements.")
    prompting: Prompting | None = Field(default=None, description="What prompting alone achieved.")
    rag: Rag | None = Field(default=None, description="The retrieval setup.")
    fine_tuning: FineTuning | None = Field(default=None, description="The training setup.")
    governance: Governance | None = Field(default=None, description="Data governance constraints.")
    evaluation: Evaluation | None = Field(default=None, description="Task-level evaluation.")
    guardrails: Guardrails | None = Field(
        default=None, description="Checks and reviews between the model's output and its effect."
    )
    tools: list[Tool] | None = Field(default=None, description="Each tool the model can call.")
    code_paths: list[str] | None = Field(
        default=None,
        description="The code this feature covers, for `archlint discover`: gitignore-style globs from the "
        "repository root. Absent: the folder holding this file and everything below it.",
    )
    waivers: list[Waiver] | None = Field(
        default=None, description="Time-limited, approved exceptions to rules for this feature."
    )


class AIFeature(_Strict):
    """One AI feature's architecture description."""

    apiVersion: Literal["archlint/v1"] = Field(description="Document format version; exactly archlint/v1.")
    kind: Literal["AIFeature"] = Field(description="Document kind; exactly AIFeature.")
    metadata: Metadata = Field(description="Who owns the feature and what it is called.")
    spec: Spec = Field(description="The architecture decision and the facts behind it.")


class OmitNotNull(GenerateJsonSchema):
    """Optional fields are omitted, never null: `rag:` with no value is an error."""

    def nullable_schema(self, schema: Any) -> Any:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: Any) -> Any:
        return self.generate_inner(schema["schema"])


def json_schema() -> dict[str, Any]:
    """Return the published JSON Schema (draft 2020-12) for ai-feature.yaml v1."""
    schema = AIFeature.model_json_schema(mode="validation", schema_generator=OmitNotNull)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://archlint.dev/schemas/ai-feature.v1.schema.json",
        "title": "archlint AIFeature v1",
        **schema,
    }
