"""The built-in catalog and gates shipped ready to use, and when they are not used."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archlint import decide, prebuilt, resources
from archlint.cel import Program, programs_in
from archlint.policies import Catalog, build_catalog, catalog_of, load_policy_document, policy_files


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    prebuilt._data.cache_clear()
    yield
    prebuilt._data.cache_clear()


def _built(files: list[tuple[str, bool]]) -> Catalog:
    return build_catalog([(*load_policy_document(path), builtin) for path, builtin in files])


def test_the_committed_file_is_current() -> None:
    assert prebuilt.main(["--check"]) == 0, "run `python -m archlint.prebuilt`"


def test_it_is_the_catalog_the_policy_files_build() -> None:
    files = policy_files()
    ready = prebuilt.catalog(files)
    assert ready is not None
    assert ready == _built(files)  # sources are this installation's paths, programs the same CEL
    assert {rule.source for rule in ready.rules} == {path for path, _ in files}


def test_every_example_gets_the_same_findings_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the shipped compiled programs (as under the CEL build that compiled them)."""
    from archlint.check import check_file, plan
    from archlint.discovery import discover
    from archlint.settings import Settings

    data = prebuilt._data()
    assert data is not None
    monkeypatch.setattr(prebuilt, "cel_build", lambda: data["compiled"]["cel"])
    files = policy_files()
    ready = prebuilt.catalog(files)
    assert ready is not None
    assert all(program.ready for program in programs_in(ready))
    ready_plan, built_plan = plan(ready, Settings(today=None)), plan(_built(files), Settings(today=None))
    examples = list(discover([str(Path(__file__).parents[1] / "examples")]))
    assert len(examples) >= 30
    for path in examples:
        assert check_file(path, path, ready_plan) == check_file(path, path, built_plan), path


def test_the_gates_are_the_gates_file_compiled() -> None:
    params = _built(policy_files()).params
    with open(decide.BUILTIN_GATES, encoding="utf-8") as handle:
        text = handle.read()
    ready = prebuilt.gates(decide.BUILTIN_GATES, text, params)
    assert ready is not None and ready.builtin
    assert ready == decide.parse_gates(text, decide.BUILTIN_GATES, params)


def test_not_used_for_other_gates_text_or_params() -> None:
    params = _built(policy_files()).params
    with open(decide.BUILTIN_GATES, encoding="utf-8") as handle:
        text = handle.read()
    assert prebuilt.gates(decide.BUILTIN_GATES, text + "\n# edited\n", params) is None
    assert prebuilt.gates(decide.BUILTIN_GATES, text, {**params, "extra": 1}) is None
    assert prebuilt.gates("/elsewhere/gates.yaml", text, params) is None


def test_an_edited_policy_file_is_built_from_its_text(tmp_path: Path) -> None:
    copies = []
    for path in resources.builtin_policy_files():
        copy = tmp_path / Path(path).name
        shutil.copyfile(path, copy)
        copies.append((str(copy), True))
    assert prebuilt.catalog(copies) is not None  # the same bytes elsewhere: usable
    first = Path(copies[0][0])
    first.write_text(first.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert prebuilt.catalog(copies) is None
    assert catalog_of(copies) == _built(copies)


def test_not_used_with_policies_of_ones_own() -> None:
    extra = str(Path(__file__).parents[1] / "examples" / "policies" / "health.yaml")
    files = [*policy_files(), (extra, False)]
    assert prebuilt.catalog(files) is None
    assert prebuilt.catalog(policy_files()[:-1]) is None  # not every built-in file


@pytest.mark.parametrize(
    "content",
    ["", "not json", json.dumps({"format": 999}), json.dumps({"format": prebuilt.FORMAT, "policies": []})],
)
def test_a_missing_or_foreign_file_is_ignored(
    content: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "_prebuilt.json"
    if content:
        target.write_text(content, encoding="utf-8")
    monkeypatch.setattr(prebuilt, "FILE", str(target))
    assert prebuilt.catalog(policy_files()) is None
    assert catalog_of(policy_files()) == _built(policy_files())


def test_records_of_another_archlint_version_are_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = prebuilt.build()
    data["catalog"]["f"]["sets"]["T"][0]["f"]["surprise"] = {"J": 1}  # a field these records lack
    target = tmp_path / "_prebuilt.json"
    target.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(prebuilt, "FILE", str(target))
    assert prebuilt.catalog(policy_files()) is None


# -- the compiled CEL shipped beside the sources -------------------------------------


def _every_program(files: list[tuple[str, bool]]) -> list[Program]:
    ready = prebuilt.catalog(files)
    assert ready is not None
    with open(decide.BUILTIN_GATES, encoding="utf-8") as handle:
        gates = prebuilt.gates(decide.BUILTIN_GATES, handle.read(), ready.params)
    return [*programs_in(ready), *programs_in(gates)]


def test_its_programs_come_compiled_under_the_cel_build_that_made_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = prebuilt._data()
    assert data is not None
    recorded = data["compiled"]["cel"]
    assert recorded.startswith("cel_expr_python-") and recorded.endswith(".dist-info")
    monkeypatch.setattr(decide, "_CACHE", {})
    monkeypatch.setattr(prebuilt, "cel_build", lambda: recorded)
    programs = _every_program(policy_files())
    assert len(programs) >= 30 and all(program.ready for program in programs)
    for program in programs:  # each compiled form is its own expression's, not another one's
        assert data["compiled"]["programs"][program.source] == program.serialize().hex()


def test_under_another_cel_build_its_programs_compile_from_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decide, "_CACHE", {})
    monkeypatch.setattr(prebuilt, "cel_build", lambda: "cel_expr_python-0.0.0.dist-info")
    programs = _every_program(policy_files())
    assert programs and not any(program.ready for program in programs)


def test_a_compiled_form_that_does_not_load_is_compiled_from_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = prebuilt.build()
    data["compiled"]["programs"] = dict.fromkeys(data["compiled"]["programs"], "00ff")  # hex, not a program
    target = tmp_path / "_prebuilt.json"
    target.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(prebuilt, "FILE", str(target))
    test_every_example_gets_the_same_findings_with_it(monkeypatch)


def test_regenerating_keeps_the_compiled_forms_of_unchanged_expressions() -> None:
    first = prebuilt.build()
    again = prebuilt.build(first)
    assert again == first
    assert set(first["compiled"]["programs"]) == {p.source for p in _every_program(policy_files())}


def test_the_staleness_check_ignores_only_the_compiled_bytes() -> None:
    fresh = prebuilt.build()

    def text(data: dict[str, Any]) -> str:
        return json.dumps(data, indent=1)

    other_bytes = copy.deepcopy(fresh)
    other_bytes["compiled"] = {
        "cel": "cel_expr_python-9.dist-info",
        "programs": dict.fromkeys(fresh["compiled"]["programs"], "00"),
    }
    assert prebuilt.same_build(text(other_bytes), text(fresh))
    fewer = copy.deepcopy(fresh)
    fewer["compiled"]["programs"].popitem()
    assert not prebuilt.same_build(text(fewer), text(fresh))
    edited = copy.deepcopy(fresh)
    edited["gates"]["params"].append("extra")
    assert not prebuilt.same_build(text(edited), text(fresh))
    assert not prebuilt.same_build("not json", text(fresh))
