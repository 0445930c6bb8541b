"""Broken policy files stop the run with a located PolicyError; good ones compile."""

from __future__ import annotations

from pathlib import Path

import pytest

from archlint.errors import PolicyError
from archlint.policies import load_catalog

HEADER = """apiVersion: archlint/v1
kind: PolicySet
metadata: {name: org}
"""

RULE = """  - id: ORG001
    name: health-needs-grounding
    severity: error
    summary: Health features must be grounded and cite.
    condition: "{condition}"
    path: {path}
    message: "{message}"
    rationale: Clinical answers must be traceable to a source document.
    remediation: Use rag or hybrid with citations.
    references: [{{title: t, url: "https://example.org"}}]
"""


def write_policy(
    tmp_path: Path,
    condition: str = "spec.approach == 'prompting'",
    path: str = "spec.approach",
    message: str = "approach is {spec.approach}",
    extra: str = "",
) -> str:
    target = tmp_path / "org.yaml"
    target.write_text(
        HEADER + extra + "rules:\n" + RULE.format(condition=condition, path=path, message=message)
    )
    return str(target)


def load(path: str) -> None:
    load_catalog([path])


def test_custom_policy_loads_beside_builtins(tmp_path: Path) -> None:
    catalog = load_catalog([write_policy(tmp_path)])
    rule = catalog.rule("ORG001")
    assert rule is not None and not rule.builtin
    assert catalog.rule("health-needs-grounding") is rule
    assert catalog.rule("FT001") is not None


@pytest.mark.parametrize(
    ("kwargs", "line", "fragment"),
    [
        ({"condition": "spec.approach == "}, 9, "CEL error in rules.0.condition at column"),
        ({"condition": "nope.x == 1"}, 9, "undeclared reference to 'nope.x'"),
        ({"condition": "spec.aproach == 'rag'"}, 9, "'spec.aproach' is not a field"),
        ({"condition": "spec.?rag.?topk.orValue(0) > 1"}, 9, "'spec.rag.topk' is not a field"),
        ({"condition": "spec.?rag.?top_k.orValue(0) > params.nothing"}, 9, "unknown param 'nothing'"),
        ({"condition": "variables.missing"}, 9, "unknown variable 'missing'"),
        ({"path": "spec.ragg"}, 10, "path 'spec.ragg' is not a field"),
        ({"message": "{spec.nope}"}, 11, "'spec.nope' is not a field"),
    ],
)
def test_broken_conditions_are_located(
    tmp_path: Path, kwargs: dict[str, str], line: int, fragment: str
) -> None:
    path = write_policy(tmp_path, **kwargs)
    with pytest.raises(PolicyError) as caught:
        load(path)
    assert caught.value.file == path
    assert caught.value.line == line
    assert fragment in caught.value.message


def test_labels_are_a_free_map(tmp_path: Path) -> None:
    load(write_policy(tmp_path, condition="metadata.?labels.?domain.orValue('') == 'health'"))


def test_missing_required_key_is_a_schema_error(tmp_path: Path) -> None:
    target = tmp_path / "org.yaml"
    target.write_text(HEADER + "rules:\n  - id: ORG001\n    name: x\n")
    with pytest.raises(PolicyError, match="not a valid policy file: missing required field"):
        load(str(target))


def test_rule_without_condition_is_refused(tmp_path: Path) -> None:
    text = (HEADER + "rules:\n" + RULE.format(condition="true", path="spec", message="m")).replace(
        '    condition: "true"\n', ""
    )
    target = tmp_path / "org.yaml"
    target.write_text(text)
    with pytest.raises(PolicyError, match="needs condition"):
        load(str(target))


def test_custom_engine_rule_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "org.yaml"
    target.write_text(
        HEADER
        + "rules:\n  - {id: ORG002, name: x, severity: error, summary: s, engine: true, rationale: r,\n"
        + "      remediation: r, references: [{title: t, url: 'https://e.org'}]}\n"
    )
    with pytest.raises(PolicyError, match="reserved for built-in rules"):
        load(str(target))


def test_collision_with_builtin_id_is_refused(tmp_path: Path) -> None:
    path = write_policy(tmp_path)
    Path(path).write_text(Path(path).read_text().replace("ORG001", "FT001"))
    with pytest.raises(PolicyError, match="rule id 'FT001' is already defined by the built-in rule FT001"):
        load(path)


def test_duplicate_ids_across_custom_files_are_refused(tmp_path: Path) -> None:
    first = write_policy(tmp_path)
    second = tmp_path / "org2.yaml"
    second.write_text(Path(first).read_text().replace("health-needs-grounding", "other-name"))
    with pytest.raises(PolicyError) as caught:
        load_catalog([first, str(second)])
    assert caught.value.file == str(second)
    assert "already defined by" in caught.value.message and "org.yaml" in caught.value.message


def test_conflicting_param_defaults_are_refused(tmp_path: Path) -> None:
    extra = "params:\n  max_top_k: {default: 3, description: fewer}\n"
    with pytest.raises(PolicyError, match="param 'max_top_k' is declared with default 3"):
        load(write_policy(tmp_path, extra=extra))


def test_malformed_yaml_is_located(tmp_path: Path) -> None:
    target = tmp_path / "org.yaml"
    target.write_text(HEADER + "rules: [\n")
    with pytest.raises(PolicyError) as caught:
        load(str(target))
    assert caught.value.line == 5 and "invalid YAML" in caught.value.message


def test_missing_policy_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="does not exist"):
        load(str(tmp_path / "nope.yaml"))


def test_folder_of_policies_is_expanded(tmp_path: Path) -> None:
    write_policy(tmp_path)
    catalog = load_catalog([str(tmp_path)])
    assert catalog.rule("ORG001") is not None


@pytest.mark.parametrize(
    ("expression", "depth"),
    [
        ("spec.approach == 'rag'", 0),
        ("spec.?waivers.orValue([]).exists(w, w.rule == 'FT001')", 1),
        ("[1, 2].all(x, [3].exists(y, y > x))", 2),
        ("[1].all(a, [2].all(b, [3].all(c, c > a + b)))", 3),
        ("[1].all(a, a > 0) && [2].exists(b, b > 0) && [3].map(c, c).size() > 0", 1),
        ("'.all(x, .exists(' == 'text'", 0),
    ],
)
def test_comprehension_depth(expression: str, depth: int) -> None:
    from archlint.policies import comprehension_depth

    assert comprehension_depth(expression) == depth


def test_deeply_nested_comprehensions_are_refused(tmp_path: Path) -> None:
    condition = "[1].all(a, [2].all(b, [3].all(c, c > a + b)))"
    with pytest.raises(PolicyError, match="nest deeper than 2"):
        load(write_policy(tmp_path, condition=condition))


def test_second_document_in_a_policy_file_is_located(tmp_path: Path) -> None:
    path = write_policy(tmp_path)
    Path(path).write_text(Path(path).read_text() + "---\na: 1\n")
    with pytest.raises(PolicyError, match="exactly one document, found 2") as caught:
        load(path)
    assert caught.value.line == 16
