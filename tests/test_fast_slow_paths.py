"""The fast path (worker processes, cache, compiled validator, quick tag resolver) reports
exactly what the slow path (one process, no cache, jsonschema, ruamel's own resolver) reports.
"""

from __future__ import annotations

import datetime
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from archlint import _yaml, engine, schema
from archlint.cache import open_store
from archlint.check import FileResult, check_file, plan
from archlint.discovery import discover
from archlint.parallel import Checker, Outcome, check_all, recipe_for
from archlint.policies import Catalog, load_catalog
from archlint.settings import Settings

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


def _fast(kind: object, value: str | None, implicit: object) -> str:
    return str(_yaml._Composer("").resolve(kind, value, implicit))


@pytest.mark.parametrize("value", SCALARS)
@pytest.mark.parametrize("implicit", [(True, False), (False, True), (False, False)])
def test_tag_resolution_is_ruamels(value: str, implicit: tuple[bool, bool]) -> None:
    assert _fast(ScalarNode, value, implicit) == _reference(ScalarNode, value, implicit)


@given(st.text(alphabet="0123456789abcdefxoABCDEFXO_.:+-eEtTnNul~<=! ", max_size=12))
@settings(max_examples=400, deadline=None)
def test_tag_resolution_is_ruamels_for_any_plain_scalar(value: str) -> None:
    assert _fast(ScalarNode, value, (True, False)) == _reference(ScalarNode, value, (True, False))


def test_collections_resolve_to_the_default_tags() -> None:
    assert _fast(SequenceNode, None, True) == _reference(SequenceNode, None, True)
    assert _fast(MappingNode, None, True) == _reference(MappingNode, None, True)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog([str(ROOT / "examples" / "policies")])


def _slow(
    items: list[tuple[str, str]], catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> list[FileResult]:
    """One process, no cache, jsonschema for every document, ruamel's own tag resolver,
    every CEL expression evaluated on its own."""
    the_plan = plan(catalog, Settings(today=TODAY))
    with monkeypatch.context() as patch:
        patch.setattr(schema, "validate", lambda data, name="ai-feature": schema.explain(data, name))
        patch.setattr(engine, "COMBINE_AFTER", 10**9)
        patch.setattr(_yaml._Composer, "resolve", VersionedResolver.resolve)
        patch.setattr(_yaml._Composer, "descend_resolver", VersionedResolver.descend_resolver)
        patch.setattr(_yaml._Composer, "ascend_resolver", VersionedResolver.ascend_resolver)
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
    catalog = load_catalog([str(policy)])
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
