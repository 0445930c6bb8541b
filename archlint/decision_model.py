"""The decision-gates file format (DecisionGates v1) as pydantic models.

Like `model` and `policy_model`, this is the source of
`schemas/decision.v1.schema.json`; archlint validates gates files with the
generated validator and never imports pydantic at run time.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .model import OmitNotNull
from .policy_model import DOC_PATH_PATTERN, IDENTIFIER_PATTERN, SLUG_PATTERN

Scalar = int | bool | str
DocPath = Annotated[str, Field(pattern=DOC_PATH_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GatesMetadata(_Strict):
    name: str = Field(pattern=SLUG_PATTERN, description="Name of the gate set, a lowercase slug.")
    description: str | None = Field(default=None, description="One line on what the gates decide.")


class Assumption(_Strict):
    value: Scalar | None = Field(
        default=None,
        description="Value used when the field is absent. Leave it out when no value is assumed "
        "(conditions must then guard the field with optional chaining).",
    )
    note: str = Field(min_length=1, description="What the assumption means, in plain words.")


class Outcome(_Strict):
    when: str | None = Field(
        default=None,
        min_length=1,
        description="CEL condition; the first outcome whose condition is true is taken. "
        "Only the last outcome of a gate may leave it out (otherwise).",
    )
    label: str = Field(min_length=1, max_length=40, description="A few words for the path and the diagram.")
    fields: list[DocPath] = Field(
        description="Document paths whose values decided this outcome, shown with their values.",
    )
    set: dict[str, str] | None = Field(
        default=None, description="Decision variables to change: name -> CEL expression."
    )
    recommend: str | None = Field(
        default=None,
        min_length=1,
        description="CEL expression giving the approach; present means the path ends here.",
    )
    because: str = Field(
        min_length=1,
        description="Why, in plain words; {spec.x.y}, {params.NAME} and {decision.NAME} are replaced.",
    )


class Gate(_Strict):
    id: str = Field(pattern=SLUG_PATTERN, description="Stable kebab-case id.")
    title: str = Field(min_length=1, description="Short title, e.g. Context first.")
    question: str = Field(min_length=1, description="The question the gate answers, in plain words.")
    why: str = Field(min_length=1, description="One line on why the question matters.")
    outcomes: list[Outcome] = Field(
        min_length=1, description="Ordered outcomes; the first that holds is taken."
    )


class Question(_Strict):
    id: str = Field(pattern=IDENTIFIER_PATTERN, description="Answer key for `init --answers` and `--set`.")
    gate: str = Field(pattern=SLUG_PATTERN, description="The first gate that reads the answer.")
    field: str = Field(pattern=DOC_PATH_PATTERN, description="The ai-feature.yaml field the answer fills.")
    ask: str = Field(min_length=1, description="The question, in plain words.")
    why: str = Field(min_length=1, description="One line on why it is asked; {params.NAME} is replaced.")
    default: Scalar | None = Field(default=None, description="Default answer; left out means 'unknown'.")
    ask_if: str | None = Field(
        default=None,
        min_length=1,
        description="CEL condition on the answers so far; false skips the question.",
    )


class DecisionGates(_Strict):
    """The ordered gates `archlint decide` walks: conditions as data, never code."""

    apiVersion: Literal["archlint/v1"] = Field(description="Exactly archlint/v1.")
    kind: Literal["DecisionGates"] = Field(description="Exactly DecisionGates.")
    metadata: GatesMetadata = Field(description="Name and description of the gate set.")
    state: dict[str, Scalar] = Field(
        description="Decision variables and their starting values, read in conditions as decision.NAME."
    )
    assumptions: dict[str, Assumption] = Field(
        description="What an absent field is taken to be: document path -> assumption."
    )
    gates: list[Gate] = Field(min_length=1, description="The gates, in the order they are walked.")
    questions: list[Question] | None = Field(
        default=None, description="What `archlint init` asks, in order, each tied to a gate."
    )


def json_schema() -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of decision-gates files."""
    schema = DecisionGates.model_json_schema(mode="validation", schema_generator=OmitNotNull)
    schema["properties"]["state"]["propertyNames"] = {"pattern": IDENTIFIER_PATTERN}
    schema["properties"]["assumptions"]["propertyNames"] = {"pattern": DOC_PATH_PATTERN}
    schema["$defs"]["Outcome"]["properties"]["set"]["propertyNames"] = {"pattern": IDENTIFIER_PATTERN}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://archlint.dev/schemas/decision.v1.schema.json",
        "title": "archlint DecisionGates v1",
        **schema,
    }
