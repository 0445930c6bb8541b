"""The policy file format (PolicySet v1) as pydantic models.

Like `model`, this is the source of `schemas/policy.v1.schema.json`; the
linter validates policy files with the generated schema and never imports
pydantic at run time.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .model import OmitNotNull

RULE_ID_PATTERN = r"^[A-Z]+[0-9]{3}$"
SLUG_PATTERN = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
IDENTIFIER_PATTERN = r"^[a-z_][a-z0-9_]*$"
# A dotted document path: spec.rag.top_k, spec.waivers.0.rule
DOC_PATH_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.([A-Za-z_][A-Za-z0-9_]*|[0-9]+))*$"
# A framework a rule maps to (owasp-llm-2025, nist-ai-rmf-1.0) and one of its control ids
# (LLM02, MEASURE 2.5).
FRAMEWORK_PATTERN = r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$"
CONTROL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 .:_-]{0,39}$"
ControlId = Annotated[str, StringConstraints(pattern=CONTROL_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PolicyMetadata(_Strict):
    name: str = Field(pattern=SLUG_PATTERN, description="Name of the policy set, a lowercase slug.")
    description: str | None = Field(default=None, description="One line on what the set covers.")


class Param(_Strict):
    default: int | float | str | bool = Field(description="Value used unless config overrides it.")
    stricter: Literal["higher", "lower"] | None = Field(
        default=None,
        description=(
            "Which way a value makes the rules reading this param fire more often. Under an "
            "organisation config with lock = true a repository may move the param only that way; "
            "without it, not at all."
        ),
    )
    description: str = Field(min_length=1, description="What the threshold means.")
    rationale: str | None = Field(
        default=None,
        min_length=1,
        description="Why this default: its reasoning and the sources it leans on.",
    )


class Reference(_Strict):
    title: str = Field(min_length=1, description="Author or publisher and title.")
    url: str = Field(pattern=r"^https?://", description="Where to read it.")
    supports: str | None = Field(
        default=None, min_length=1, description="The claim of the rule this source backs, in a line."
    )
    quote: str | None = Field(
        default=None,
        min_length=1,
        description="A short excerpt from the source (about 30 words at most), with its section or page.",
    )


def _case_config() -> Any:
    return Field(
        default=None,
        description=(
            "Configuration the case runs under, with the keys of archlint.toml (e.g. a waivers "
            "table with approvers or max-days); default: none, every rule at its defaults."
        ),
    )


def _case_files() -> Any:
    return Field(
        default=None,
        description="Data files the case needs (evidence rules): relative path -> text, written next to "
        "the feature document in a temporary folder before it is checked.",
    )


class OverlayCase(_Strict):
    description: str | None = Field(default=None, description="What the case shows.")
    overlay: dict[str, Any] = Field(
        description="Deep-merged onto the set's base document; a null value deletes the key."
    )
    config: dict[str, Any] | None = _case_config()
    files: dict[str, str] | None = _case_files()


class DocumentCase(_Strict):
    description: str | None = Field(default=None, description="What the case shows.")
    document: dict[str, Any] = Field(description="A whole feature document, used as it is.")
    config: dict[str, Any] | None = _case_config()
    files: dict[str, str] | None = _case_files()


class TextCase(_Strict):
    description: str | None = Field(default=None, description="What the case shows.")
    text: str = Field(description="Raw YAML text, for rules about the YAML itself.")
    config: dict[str, Any] | None = _case_config()
    file: str | None = Field(
        default=None,
        min_length=1,
        description="The path the text is found at in a folder walk (default: a feature file name), "
        "for rules about file names.",
    )


class CodeCase(_Strict):
    description: str | None = Field(default=None, description="What the case shows.")
    document: dict[str, Any] = Field(
        description="The feature file ai-feature.yaml at the repository root "
        "(engine rules of archlint discover)."
    )
    code: dict[str, str] = Field(
        description="Source files the case is judged with: "
        "a path from the repository root -> the file's text."
    )


Case = OverlayCase | DocumentCase | TextCase | CodeCase


class RuleTests(_Strict):
    pass_: list[Case] = Field(
        default_factory=list, alias="pass", description="Documents on which the rule must not fire."
    )
    fail: list[Case] = Field(
        default_factory=list,
        description="Documents on which the rule must fire; `archlint test` fails a rule without one.",
    )


class Rule(_Strict):
    id: str = Field(pattern=RULE_ID_PATTERN, description="Stable id, e.g. FT004.")
    name: str = Field(pattern=SLUG_PATTERN, description="Stable kebab-case name.")
    severity: Literal["error", "warning", "info"] = Field(description="Default severity.")
    summary: str = Field(min_length=1, description="One line: what is wrong.")
    condition: str | None = Field(
        default=None, min_length=1, description="CEL expression; true means the rule fires."
    )
    path: str | None = Field(
        default=None,
        pattern=DOC_PATH_PATTERN,
        description="Document path the finding points at (its nearest present parent if absent).",
    )
    message: str | None = Field(
        default=None,
        min_length=1,
        description="Finding message; {spec.x.y}, {params.NAME} and {variables.NAME} are replaced.",
    )
    engine: bool | None = Field(default=None, description="Computed by archlint itself (built-in sets only).")
    tags: list[str] | None = Field(default=None, description="Free tags, shown in SARIF.")
    mappings: dict[str, list[ControlId]] | None = Field(
        default=None,
        description="Framework controls the rule helps with, informative only: framework id -> "
        "control ids, e.g. {owasp-llm-2025: [LLM02, LLM08], nist-ai-rmf-1.0: [MEASURE 2.5]}. "
        "Shown by `archlint rules --framework`, in SARIF tags and in the report's controls view.",
    )
    argues_against_approach: bool | str | None = Field(
        default=None,
        description="The rule says the declared approach is the wrong one (not how it is built), so "
        "`archlint decide` must never recommend an approach under which it fires: true, or a CEL "
        "condition (spec, params, variables) saying when a finding of the rule argues so.",
    )
    security_severity: float | None = Field(
        default=None,
        ge=0.0,
        le=10.0,
        description=(
            "For security rules: a CVSS-like score from 0.0 to 10.0 (9.0+ critical, 7.0+ high, 4.0+ medium,"
            " below low), published as SARIF properties.security-severity; give the rule a `security` tag."
        ),
    )
    rationale: str = Field(min_length=1, description="Why the rule exists (markdown).")
    remediation: str = Field(min_length=1, description="What to do instead (markdown).")
    references: list[Reference] = Field(min_length=1, description="Primary sources.")
    tests: RuleTests | None = Field(default=None, description="The rule's own pass and fail cases.")


class PolicySet(_Strict):
    """A file of rules: conditions as data, never code."""

    apiVersion: Literal["archlint/v1"] = Field(description="Exactly archlint/v1.")
    kind: Literal["PolicySet"] = Field(description="Exactly PolicySet.")
    metadata: PolicyMetadata = Field(description="Name and description of the set.")
    params: dict[str, Param] | None = Field(
        default=None, description="Named thresholds the conditions read as params.NAME."
    )
    variables: dict[str, str] | None = Field(
        default=None,
        description="Named CEL expressions evaluated once per document, read as variables.NAME.",
    )
    base: dict[str, Any] | None = Field(
        default=None, description="Base feature document that overlay test cases are merged onto."
    )
    rules: list[Rule] = Field(min_length=1, description="The rules of the set.")


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of policy files."""
    schema = PolicySet.model_json_schema(mode="validation", by_alias=True, schema_generator=OmitNotNull)
    # Names of params and variables become CEL identifiers.
    schema["properties"]["params"]["propertyNames"] = {"pattern": IDENTIFIER_PATTERN}
    schema["properties"]["variables"]["propertyNames"] = {"pattern": IDENTIFIER_PATTERN}
    schema["$defs"]["Rule"]["properties"]["mappings"]["propertyNames"] = {"pattern": FRAMEWORK_PATTERN}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://archlint.dev/schemas/policy.v1.schema.json",
        "title": "archlint PolicySet v1",
        **schema,
    }
