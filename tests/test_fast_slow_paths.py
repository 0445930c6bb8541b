"""The fast path (worker processes, cache, compiled validator, quick tag resolver) reports
exactly what the slow path (one process, no cache, jsonschema, ruamel's own resolver) reports.
"""

from __future__ import annotations

import datetime
import functools
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver

from archlint import _yaml, engine, schema
from archlint.cache import open_store
from archlint.check import FileResult, check_file, plan
from archlint.discovery import discover
from archlint.parallel import Checker, Outcome, check_all, recipe_for
from archlint.policies import Catalog, catalog_of, load_catalog
from archlint.policy_paths import policy_files
from archlint.settings import Settings

from .conftest import run_check_json

ROOT = Path(__file__).resolve().parent.parent
TODAY = datetime.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _private_cache_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))


def _load_generator() -> object:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


generate = _load_generator()

_PLAIN = (
    "~ null Null NULL nulls true True TRUE tRUE false yes no on off y n 0 -0 +12 012 0o17 0o 0x1F 0xg "
    "0b101 0b2 1_000 1__0 1.5 -1.5e3 1e3 1E+3 .5 -.5 5. .inf -.Inf +.INF .nan .NaN NaN inf 2026-03-31 "
    "2026-3-31 2026-03-31T10:00:00Z 12:30 1:20:30 << = ! &a *a - + . _ abc 3rd 1.2.3 0.1.0 recall@4 "
    "\u00e9 \uff11\uff12"
)
SCALARS = [*_PLAIN.split(" "), "", "2026-03-31 10:00:00 +01:00", "1 2"]


def _reference(kind: object, value: str | None, implicit: object) -> str:
    resolver = VersionedResolver(version=(1, 2))
    return str(resolver.resolve(kind, value, implicit))


def _ruamels_tag_name(value: str, implicit: tuple[bool, bool]) -> str:
    return _reference(ScalarNode, value, implicit)


@pytest.mark.parametrize("value", SCALARS)
@pytest.mark.parametrize("implicit", [(True, False), (False, True), (False, False)])
def test_tag_resolution_is_ruamels(value: str, implicit: tuple[bool, bool]) -> None:
    assert _yaml.tag_name(value, implicit) == _ruamels_tag_name(value, implicit)


@given(st.text(alphabet="0123456789abcdefxoABCDEFXO_.:+-eEtTnNul~<=! ", max_size=12))
@settings(max_examples=400, deadline=None)
def test_tag_resolution_is_ruamels_for_any_plain_scalar(value: str) -> None:
    assert _yaml.tag_name(value, (True, False)) == _ruamels_tag_name(value, (True, False))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog([str(ROOT / "examples" / "policies")])


def _slow(
    items: list[tuple[str, str]], catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> list[FileResult]:
    """One process, no cache, jsonschema for the verdict and the explanation of every document,
    ruamel's own tag resolver, every CEL expression evaluated on its own."""
    the_plan = plan(catalog, Settings(today=TODAY))
    with monkeypatch.context() as patch:
        patch.setattr(schema, "validate", lambda data, name="ai-feature": schema.explain(data, name))
        patch.setattr(engine, "COMBINE_AFTER", 10**9)
        patch.setattr(_yaml, "tag_name", _ruamels_tag_name)
        return [check_file(path, display, the_plan) for path, display in items]


def _fast_runs(items: list[tuple[str, str]], catalog: Catalog, cache_dir: Path) -> Iterator[list[Outcome]]:
    """Two worker processes with the cache: once filling it, once answered from it."""
    settings = Settings(today=TODAY)
    for _ in range(2):
        store = open_store(str(cache_dir))
        assert store is not None
        with store.serving():
            loaded = load_catalog([str(ROOT / "examples" / "policies")])
        the_plan = plan(loaded, settings)
        checker = Checker(the_plan, store.results(settings))
        recipe = recipe_for(the_plan, str(cache_dir))
        yield list(check_all(items, checker, recipe, jobs=2, min_files=2))


def _items(paths: list[str], root: Path) -> list[tuple[str, str]]:
    return [(path, Path(path).resolve().relative_to(root).as_posix()) for path in paths]


def _compare(slow: list[FileResult], fast: list[Outcome]) -> None:
    assert len(fast) == len(slow)
    for expected, got in zip(slow, fast, strict=True):
        assert got == expected, expected.file


def test_examples_folder_gives_the_same_findings_both_ways(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = _items(list(discover([str(ROOT / "examples")])), ROOT)
    assert len(items) >= 30
    slow = _slow(items, catalog, monkeypatch)
    assert sum(len(result.findings) for result in slow) >= 30
    for fast in _fast_runs(items, catalog, tmp_path / "cache"):
        _compare(slow, fast)


def test_generated_corpus_gives_the_same_findings_both_ways(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = tmp_path / "corpus"
    paths = generate.write(str(corpus), 240)  # type: ignore[attr-defined]
    items = _items(paths, tmp_path)
    slow = _slow(items, catalog, monkeypatch)
    rules = {finding.rule for result in slow for finding in result.findings}
    # The corpus exercises schema errors, broken YAML, waivers and policy findings.
    assert {"SCH001", "SCH002", "WVR001"} <= rules
    assert len(rules) >= 15
    assert any(not result.findings for result in slow)
    for fast in _fast_runs(items, catalog, tmp_path / "cache"):
        _compare(slow, fast)


def test_the_command_line_reports_the_same_with_and_without_the_cache(tmp_path: Path) -> None:
    """No cache; a first run; a run the cache answers whole (no catalog loaded); and a run whose
    first 120 files hit and last 120 miss (checked in two workers): one report."""
    corpus = tmp_path / "corpus"
    paths = sorted(generate.write(str(corpus), 240))  # type: ignore[attr-defined]
    args = ("--jobs", "2", "corpus")
    expected = run_check_json("--no-cache", *args, cwd=tmp_path)
    assert expected.returncode == 1
    for _ in range(2):
        assert run_check_json(*args, cwd=tmp_path).stdout == expected.stdout
    for path in paths[120:]:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("# edited\n")
    assert run_check_json(*args, cwd=tmp_path).stdout == expected.stdout
    assert run_check_json(*args, cwd=tmp_path).stdout == expected.stdout


def test_the_generator_is_deterministic() -> None:
    first = generate.generate(60, seed=3)  # type: ignore[attr-defined]
    assert first == generate.generate(60, seed=3)  # type: ignore[attr-defined]
    assert first != generate.generate(60, seed=4)  # type: ignore[attr-defined]
    lines = [text.count("\n") for _, text in generate.generate(400)]  # type: ignore[attr-defined]
    assert 55 <= sum(lines) / len(lines) <= 85


MISBEHAVING = """\
apiVersion: archlint/v1
kind: PolicySet
metadata: {name: misbehaving}
variables:
  chunks: "spec.rag.top_k"
rules:
  - id: MIS001
    name: unguarded-field
    severity: warning
    summary: Reads spec.rag.top_k without a guard, so it fails where rag is absent.
    rationale: r
    remediation: r
    references: [{title: t, url: "https://example.org"}]
    condition: spec.rag.top_k > 5
    path: spec.rag.top_k
    message: "{spec.rag.top_k} chunks"
  - id: MIS002
    name: not-a-boolean
    severity: warning
    summary: Returns a number on features that set a latency.
    rationale: r
    remediation: r
    references: [{title: t, url: "https://example.org"}]
    condition: "has(spec.requirements) && has(spec.requirements.latency_p95_ms) ? dyn(7) : dyn(false)"
    path: spec.requirements
    message: m
  - id: MIS003
    name: uses-the-variable
    severity: info
    summary: Reads a variable that fails where rag is absent.
    rationale: r
    remediation: r
    references: [{title: t, url: "https://example.org"}]
    condition: variables.chunks > 3
    path: spec.rag
    message: "{variables.chunks} chunks"
"""


def test_expressions_evaluated_together_report_what_one_by_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = tmp_path / "misbehaving.yaml"
    policy.write_text(MISBEHAVING, encoding="utf-8")
    # Loaded as if built in: only built-in rules are combined (the others run bounded, one by one).
    catalog = catalog_of([(path, True) for path, _ in policy_files([str(policy)])])
    assert catalog.trusted
    paths = generate.write(str(tmp_path / "corpus"), 120)  # type: ignore[attr-defined]
    items = _items(paths, tmp_path)
    runs = []
    for combine_after in (10**9, 1):
        monkeypatch.setattr(engine, "COMBINE_AFTER", combine_after)
        engine._lists.clear()
        the_plan = plan(catalog, Settings(today=TODAY))
        runs.append([check_file(path, display, the_plan) for path, display in items])
    assert all(entry[1] for entry in engine._lists.values())  # the last run did combine
    assert runs[0] == runs[1]
    messages = {finding.message for result in runs[0] for finding in result.findings}
    assert any("MIS002: the condition returned 7" in message for message in messages)
    assert any("variable 'chunks' could not be evaluated" in message for message in messages)
    fired = {finding.rule for result in runs[0] for finding in result.findings}
    assert {"MIS001", "MIS003", "POL001"} <= fired


# -- schema errors without jsonschema -------------------------------------------

_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-3, max_value=300_000)
    | st.sampled_from([0.0, 3.0, 2.5, -1.0, 1e20])
    | st.sampled_from(["", "x", "rag", "RAG001", "2026-02-30", "2026-03-31", "yes", "Bad Name", "a" * 70])
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["name", "x"]), inner),
    max_leaves=6,
)


def _paths(data: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def _broken_features(draw: st.DrawFn) -> object:
    import copy

    document = copy.deepcopy(_VALID)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_paths(document)))
        if not path:
            continue
        parent: object = document
        for part in path[:-1]:
            parent = parent[part]  # type: ignore[index]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "top_kk", "waivers"]))] = draw(_VALUES)
        else:
            parent[path[-1]] = draw(_VALUES)  # type: ignore[index]
    return document


_VALID = {
    "apiVersion": "archlint/v1",
    "kind": "AIFeature",
    "metadata": {"name": "support-assistant", "owner": "platform", "labels": {"domain": "support"}},
    "spec": {
        "problem": "knowledge",
        "approach": "rag",
        "knowledge": {"change_frequency": "weekly", "corpus_tokens": 4000000, "per_user_permissions": True},
        "requirements": {"latency_p95_ms": 2000, "hallucination_impact": "high"},
        "rag": {
            "top_k": 4,
            "chunking": {"strategy": "section", "size_tokens": 512},
            "retrieval_eval": {"dataset": "evals/r.jsonl", "metrics": ["recall@4"]},
        },
        "fine_tuning": {"training_examples": 200, "eval_set": {"examples": 10, "held_out": True}},
        "evaluation": {"dataset": "evals/a.jsonl"},
        "waivers": [{"rule": "RAG006", "reason": "r", "approved_by": "b", "expires": "2027-01-31"}],
    },
}


@functools.cache
def _published_validator() -> Any:
    """jsonschema on the schema exactly as published (references and all)."""
    import jsonschema

    published = jsonschema.Draft202012Validator
    return published(schema.load_schema("ai-feature"), format_checker=published.FORMAT_CHECKER)


def _errors(validator: Any, data: object) -> set[tuple[str, tuple[object, ...], str]]:
    return {(e.validator, tuple(e.absolute_path), e.message) for e in validator.iter_errors(data)}


def _reference_errors(data: object) -> set[tuple[str, tuple[object, ...], str]]:
    return _errors(_published_validator(), data)


def _explained_errors(data: object) -> set[tuple[str, tuple[object, ...], str]]:
    """What archlint explains with: the schema with its references inlined."""
    return _errors(schema._slow_validator("ai-feature"), data)


def _fast_verdict(data: object) -> bool:
    """True when the compiled validator accepts the document."""
    try:
        schema._fast_validator("ai-feature")(data)
    except ValueError:
        return False
    return True


def test_the_valid_document_passes_both_validators() -> None:
    assert _fast_verdict(_VALID) and _reference_errors(_VALID) == set()


@given(_broken_features())
@settings(max_examples=600, deadline=None)
def test_compiled_verdict_is_jsonschemas(document: object) -> None:
    expected = _reference_errors(document)
    assert _fast_verdict(document) == (not expected)
    assert _explained_errors(document) == expected


@given(_VALUES)
@settings(max_examples=200, deadline=None)
def test_compiled_verdict_is_jsonschemas_for_any_document(document: object) -> None:
    assert _fast_verdict(document) == (not _reference_errors(document))


def _with(path: str, value: object) -> object:
    import copy

    document = copy.deepcopy(_VALID)
    *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
    node: object = document
    for part in parents:
        node = node[part]  # type: ignore[index]
    if value is _DELETE:
        del node[last]  # type: ignore[attr-defined]
    else:
        node[last] = value  # type: ignore[index]
    return document


_DELETE = object()
EDGES = [
    ("spec.rag.top_k", 3.0),  # a float with no fraction is an integer
    ("spec.rag.top_k", 2.5),
    ("spec.rag.top_k", True),
    ("spec.rag.top_k", 0),
    ("spec.requirements.latency_p95_ms", 0),  # exclusiveMinimum
    ("spec.knowledge.corpus_tokens", -1),
    ("metadata.owner", ""),  # minLength 1
    ("metadata.name", "a" * 70),  # maxLength
    ("metadata.name", "Bad Name"),  # pattern
    ("metadata.labels", {"domain": 3}),  # additionalProperties with a schema
    ("metadata.labels", []),
    ("spec.approach", "retrieval"),  # enum
    ("spec.approach", True),
    ("apiVersion", "archlint/v2"),  # const
    ("kind", 1),
    ("spec.waivers.0.expires", "2026-02-30"),  # format date
    ("spec.waivers.0.expires", 20270131),
    ("spec.waivers.0.rule", "rag6"),
    ("spec.waivers", {"rule": "x"}),
    ("spec.waivers.0", "RAG006"),
    ("spec.rag.retrieval_eval.metrics", ["recall", 4, None]),
    ("spec.rag.extra", 1),  # additionalProperties false
    ("spec.rag.chunking", None),
    ("spec.problem", _DELETE),  # required
    ("metadata", _DELETE),
    ("spec", []),
    ("spec.fine_tuning.eval_set.held_out", "yes"),
]


@pytest.mark.parametrize(("path", "value"), EDGES, ids=[f"{p}={v!r}"[:60] for p, v in EDGES])
def test_compiled_verdict_is_jsonschemas_at_the_edges(path: str, value: object) -> None:
    document = _with(path, value)
    assert _fast_verdict(document) == (not _reference_errors(document))
    assert _explained_errors(document) == _reference_errors(document)
    if path != "spec.rag.top_k" or value != 3.0:
        assert _reference_errors(document), "an edge case that is not an error tests nothing"
