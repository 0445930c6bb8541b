"""The portfolio as a CycloneDX 1.6 JSON AI-BOM, built with cyclonedx-python-lib.

One component per feature: `machine-learning-model` when the feature trains a model
(fine-tuning or hybrid), `application` otherwise (prompting and RAG ship an application around
a model they do not change). The base model a feature tunes and the corpus it retrieves from are
components of their own, which the feature depends on. archlint's verdicts and decision are
namespaced properties (`archlint:approach`, `archlint:recommended`, `archlint:finding:RAG001`).
The library has no model card type, so `modelCard` is added to the JSON as plain data, within
the 1.6 schema (tests validate the result with the library's own validator).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from .. import __version__
from . import aggregate

if TYPE_CHECKING:
    from cyclonedx.model.component import Component

TRAINS_A_MODEL = ("fine-tuning", "hybrid")


def build(data: Mapping[str, Any]) -> str:
    """The BOM as JSON text (CycloneDX 1.6)."""
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.output.json import JsonV1Dot6

    # Reproducible: the same portfolio gives the same bytes (the serial number is derived from
    # the content, the timestamp is the day the waivers were judged on), so a cached run and a
    # fresh one agree and a BOM can be diffed from one run to the next.
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode("utf-8")).hexdigest()
    bom = Bom(serial_number=uuid.uuid5(uuid.NAMESPACE_URL, f"https://archlint.dev/bom/{digest}"))
    bom.metadata.timestamp = datetime.combine(date.fromisoformat(data["today"]), time(), tzinfo=UTC)
    bom.metadata.tools.components.add(
        Component(type=ComponentType.APPLICATION, name="archlint", version=__version__)
    )
    models: dict[str, Component] = {}
    cards: dict[str, dict[str, Any]] = {}
    for index, feature in enumerate(data["features"]):
        trains = feature["approach"] in TRAINS_A_MODEL
        ref = f"archlint:feature:{index}"
        component = Component(
            type=ComponentType.MACHINE_LEARNING_MODEL if trains else ComponentType.APPLICATION,
            name=feature["name"],
            bom_ref=ref,
            description=feature["description"] or None,
            properties=_properties(feature, data["today"]),
        )
        bom.components.add(component)
        depends: list[Component] = []
        base = feature.get("base_model")
        if base:
            if base not in models:
                models[base] = Component(
                    type=ComponentType.MACHINE_LEARNING_MODEL, name=base, bom_ref=f"archlint:model:{base}"
                )
                bom.components.add(models[base])
            depends.append(models[base])
        corpus = feature.get("corpus")
        corpus_ref = None
        if corpus is not None:
            corpus_ref = f"archlint:corpus:{index}"
            corpus_component = Component(
                type=ComponentType.DATA,
                name=f"{feature['name']} knowledge corpus",
                bom_ref=corpus_ref,
                properties=_corpus_properties(corpus),
            )
            bom.components.add(corpus_component)
            depends.append(corpus_component)
        bom.register_dependency(component, depends)
        if trains:
            cards[ref] = _model_card(feature, corpus_ref)
    text = JsonV1Dot6(bom).output_as_string()
    return _with_model_cards(text, cards)


def _prop(name: str, value: Any) -> Any:
    from cyclonedx.model import Property

    return Property(name=name, value=str(value))


def _properties(feature: Mapping[str, Any], today: str) -> list[Any]:
    props = [
        _prop("archlint:approach", feature["approach"] or "unknown"),
        _prop("archlint:problem", feature["problem"] or "unknown"),
        _prop("archlint:owner", feature["owner"] or "none"),
        _prop("archlint:file", feature["file"]),
        _prop("archlint:valid", "true" if feature["valid"] else "false"),
        _prop("archlint:errors", aggregate.count(feature, "error")),
        _prop("archlint:warnings", aggregate.count(feature, "warning")),
        _prop("archlint:verdict", "fail" if aggregate.count(feature, "error") else "pass"),
    ]
    if feature.get("source"):
        props.append(_prop("archlint:source", feature["source"]))
    if feature.get("recommended"):
        props.append(_prop("archlint:recommended", feature["recommended"]))
        props.append(_prop("archlint:agrees", "false" if aggregate.differs(feature) else "true"))
    for key, value in sorted(feature["labels"].items()):
        props.append(_prop(f"archlint:label:{key}", value))
    for finding in feature["findings"]:
        waived = f" (waived: {finding['justification']})" if finding["waived"] else ""
        props.append(
            _prop(
                f"archlint:finding:{finding['rule']}", f"{finding['severity']}: {finding['message']}{waived}"
            )
        )
    for waiver in feature["waivers"]:
        props.append(
            _prop(
                f"archlint:waiver:{waiver['rule']}",
                f"approved by {waiver['approved_by']}, expires {waiver['expires']} "
                f"({aggregate.waiver_status(waiver['expires'], today)}): {waiver['reason']}",
            )
        )
    return props


def _corpus_properties(corpus: Mapping[str, Any]) -> list[Any]:
    return [_prop(f"archlint:corpus:{key}", value) for key, value in sorted(corpus.items())]


def _model_card(feature: Mapping[str, Any], corpus_ref: str | None) -> dict[str, Any]:
    parameters: dict[str, Any] = {"approach": {"type": "supervised"}}
    if corpus_ref is not None:
        parameters["datasets"] = [{"ref": corpus_ref}]
    card: dict[str, Any] = {"modelParameters": parameters}
    evaluation = feature.get("evaluation") or {}
    metrics = evaluation.get("metrics") or []
    if metrics:
        card["quantitativeAnalysis"] = {"performanceMetrics": [{"type": str(m)} for m in metrics]}
    considerations: dict[str, Any] = {}
    if feature["description"]:
        considerations["useCases"] = [feature["description"]]
    limits = [f["message"] for f in aggregate.active(feature)]
    if limits:
        considerations["technicalLimitations"] = limits
    if considerations:
        card["considerations"] = considerations
    return card


def _with_model_cards(text: str, cards: Mapping[str, dict[str, Any]]) -> str:
    bom = json.loads(text)
    for component in bom.get("components", []):
        card = cards.get(component.get("bom-ref"))
        if card is not None:
            component["modelCard"] = card
    return json.dumps(bom, indent=2, ensure_ascii=False) + "\n"
