from __future__ import annotations

import copy
from typing import Any

import pytest

from archlint.schema import explain, validate

VALID: dict[str, Any] = {
    "apiVersion": "archlint/v1",
    "kind": "AIFeature",
    "metadata": {"name": "support-assistant", "owner": "support-platform"},
    "spec": {"problem": "knowledge", "approach": "rag"},
}


def with_spec(**spec: Any) -> dict[str, Any]:
    document = copy.deepcopy(VALID)
    document["spec"].update(spec)
    return document


def test_valid_document_has_no_problems() -> None:
    assert validate(VALID) == []


@pytest.mark.parametrize(
    ("document", "path", "fragment"),
    [
        (with_spec(aproach="rag"), ("spec", "aproach"), "unknown field 'aproach' (did you mean 'approach'?)"),
        (with_spec(problem="knowlege"), ("spec", "problem"), "did you mean 'knowledge'"),
        (with_spec(rag={"acl_filtering": "yes"}), ("spec", "rag", "acl_filtering"), "write true or false"),
        (with_spec(rag={"top_k": 0}), ("spec", "rag", "top_k"), "minimum"),
        (with_spec(task=None), ("spec", "task"), "an empty section"),
        (
            with_spec(knowledge={"corpus_tokens": "4M"}),
            ("spec", "knowledge", "corpus_tokens"),
            "expected an integer",
        ),
        (
            with_spec(
                waivers=[{"rule": "FT001", "reason": "r", "approved_by": "a", "expires": "2027-02-30"}]
            ),
            ("spec", "waivers", 0, "expires"),
            "not a valid date",
        ),
        ({**VALID, "apiVersion": "archlint/v2"}, ("apiVersion",), "must be 'archlint/v1'"),
        ({**VALID, "metadata": {"name": "Bad_Name", "owner": "x"}}, ("metadata", "name"), "does not match"),
        ({k: v for k, v in VALID.items() if k != "kind"}, (), "missing required field 'kind'"),
        ([1, 2], (), "not an archlint AIFeature document (got a list"),
    ],
)
def test_each_error_type_has_a_path_and_a_message(
    document: Any, path: tuple[Any, ...], fragment: str
) -> None:
    problems = validate(document)
    assert any(p.path == path and fragment in p.message for p in problems), problems


def test_fast_and_slow_validators_agree_on_validity() -> None:
    documents = [
        VALID,
        with_spec(rag={"top_k": 0}),
        with_spec(extra=1),
        with_spec(evaluation={"dataset": ""}),
    ]
    for document in documents:
        assert (validate(document) == []) == (explain(document) == [])


def test_explaining_an_error_does_not_load_the_iri_grammar_package() -> None:
    # jsonschema imports rfc3987_syntax when it is installed (its format extras bring it, and
    # the test extras install them), which compiles 38 grammars at import; explaining the first
    # schema error must not pay for a format no schema uses.
    import importlib.util
    import subprocess
    import sys

    if importlib.util.find_spec("rfc3987_syntax") is None:
        pytest.skip("rfc3987_syntax is not installed here, so nothing could load it")
    script = (
        "import sys\n"
        "from archlint.schema import validate\n"
        "problems = validate({'apiVersion': 'archlint/v1', 'kind': 'AIFeature'})\n"
        "assert problems, 'the document should be invalid'\n"
        "print('rfc3987_syntax' in sys.modules, 'jsonschema' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]
