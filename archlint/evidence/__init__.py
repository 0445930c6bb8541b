"""Evidence: the data files a feature declares, counted, validated and compared with its claims.

Stages, each its own module, imports pointing one way:

    locate     the declared paths of a document, resolved inside the repository (or not)
    reader     a file as a stream of bounded lines (never a whole file in memory)
    records    the supported record shapes (chat messages, prompt/completion, input/output)
    normalise  the text form two records are compared in
    analysis   one pass over one file: count, malformed lines, duplicates, input keys
    overlap    exact overlap of an eval file's inputs with the train file's
    near       near-duplicates between eval and train (MinHash LSH, datasketch)
    store      results by content digest, with a stat fast path, in the cache folder
    rules      the findings EVD001-EVD006 from all of the above

`archlint.check.declares_evidence` decides, without importing this package, whether a
document names any evidence: a feature that declares none never loads it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..cache import Store
    from ..check import Plan
    from ..finding import Finding
    from ..loader import Document
    from .rules import Make

RULES = ("EVD001", "EVD002", "EVD003", "EVD004", "EVD005", "EVD006")


def check(
    spec: Mapping[str, Any], feature: str, the_plan: Plan, make: Make, cache: Store | None
) -> list[Finding]:
    """The EVD findings of one schema-valid spec of the feature file at `feature`."""
    from .locate import repository_root
    from .rules import Context
    from .rules import check as check_rules
    from .store import EvidenceStore

    context = Context(
        feature=feature,
        root=repository_root(feature),
        strict=the_plan.settings.evidence == "strict",
        enabled=the_plan.engine_rules,
        params=the_plan.params,
        store=EvidenceStore(cache),
    )
    return check_rules(spec, context, make)


def dependencies(documents: Sequence[Document], feature: str) -> list[list[Any]] | None:
    """The state of every evidence path the documents declare (see `paths.signature`), which a
    cached result of the feature file depends on; None when they declare none."""
    specs = [
        document.data["spec"]
        for document in documents
        if isinstance(document.data, dict) and isinstance(document.data.get("spec"), dict)
    ]
    import os

    from ..paths import signature
    from .locate import declared, is_uri

    if not any(declared(spec) for spec in specs):
        return None

    folder = os.path.dirname(os.path.abspath(feature))
    paths = [
        os.path.join(folder, item.value)
        for spec in specs
        for item in declared(spec)
        if not is_uri(item.value) and "\0" not in item.value
    ]
    return signature(paths)
