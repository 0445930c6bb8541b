"""The composite GitHub Action (action.yml) and the CI examples in docs/ci.md."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from archlint.loader import load_all

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
DOCS = ROOT / "docs" / "ci.md"
FEATURES = (
    "tests/reporters/data/support-assistant.ai-feature.yaml\ntests/reporters/data/clean.ai-feature.yaml"
)
CHECK_JSONSCHEMA = shutil.which("check-jsonschema") or str(Path(sys.executable).parent / "check-jsonschema")


def action() -> Any:
    (document,) = load_all(ACTION.read_text(encoding="utf-8"))
    return document.data


def step(step_id: str) -> Any:
    return next(s for s in action()["runs"]["steps"] if s.get("id") == step_id)


def validate_with_check_jsonschema(schema: str, path: Path) -> None:
    result = subprocess.run(
        [CHECK_JSONSCHEMA, "--builtin-schema", schema, str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_action_matches_the_github_actions_schema() -> None:
    validate_with_check_jsonschema("vendor.github-actions", ACTION)


def test_action_is_composite_with_the_documented_inputs() -> None:
    data = action()
    assert data["runs"]["using"] == "composite"
    assert {"paths", "format", "fail-on", "args", "sarif-file", "upload-sarif"} <= set(data["inputs"])
    upload = next(s for s in data["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "$GITHUB_ACTION_PATH" in step("install")["run"]  # installs the checkout it runs from
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", DOCS.read_text(encoding="utf-8"), re.MULTILINE))
    assert set(data["inputs"]) <= documented


def test_action_inputs_never_reach_a_script_as_text() -> None:
    # Script injection: an input like `paths: "$(curl …)"` must stay data.
    for item in action()["runs"]["steps"]:
        assert "${{" not in item.get("run", ""), item.get("name")


@pytest.fixture
def run_check_step(tmp_path: Path) -> Any:
    """Run the action's check step as the runner would, with archlint from this checkout."""
    wrapper = tmp_path / "archlint"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m archlint "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    defaults = {name: str(spec.get("default", "")) for name, spec in action()["inputs"].items()}

    def run(**inputs: str) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
        values = {**defaults, **inputs}
        output = tmp_path / "github_output"
        output.write_text("")
        env = {
            **os.environ,
            "GITHUB_ACTIONS": "true",
            "GITHUB_OUTPUT": str(output),
            "ARCHLINT": str(wrapper),
            "ARCHLINT_QUIET": "1",
        }
        for key, expression in step("check")["env"].items():
            match = re.fullmatch(r"\$\{\{ inputs\.([a-z-]+) \}\}", expression)
            if match:
                env[key] = values[match.group(1)]
        result = subprocess.run(
            # How the runner starts a `shell: bash` step.
            ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step("check")["run"]],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
        return result, outputs

    return run


@pytest.mark.skipif(shutil.which("bash") is None, reason="the action's steps run in bash")
def test_check_step_writes_sarif_annotates_and_reports_the_exit_code(
    run_check_step: Any, tmp_path: Path
) -> None:
    sarif = tmp_path / "out" / "archlint.sarif"
    sarif.parent.mkdir()
    result, outputs = run_check_step(paths=FEATURES, **{"sarif-file": str(sarif), "args": "--isolated"})
    assert result.returncode == 0, result.stderr  # the last step fails the job, after the upload
    assert outputs == {"sarif-file": str(sarif), "exit-code": "1"}
    schema = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    log = json.loads(sarif.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    assert "RAG001" in {r["ruleId"] for r in log["runs"][0]["results"]}
    annotation = "::error file=tests/reporters/data/support-assistant.ai-feature.yaml,line=13,col=5,"
    assert annotation in result.stdout
    assert "2 files checked" in result.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="the action's steps run in bash")
def test_check_step_options(run_check_step: Any) -> None:
    clean = "tests/reporters/data/clean.ai-feature.yaml"
    # RAG002 is a warning on this file: below the default threshold, at `fail-on: warning`.
    options = {"sarif-file": "", "annotations": "false", "args": "--isolated --select RAG002"}
    result, outputs = run_check_step(paths=clean, **options)
    assert outputs == {"exit-code": "0"}  # no SARIF written, nothing at or above error
    assert "warning RAG002" in result.stdout
    assert not any(line.startswith("::") for line in result.stdout.splitlines())
    result, outputs = run_check_step(paths=clean, **options, **{"fail-on": "warning"})
    assert outputs == {"exit-code": "1"}
    result, outputs = run_check_step(paths=clean, **{**options, "args": "--isolated --fail-on nonsense"})
    assert outputs == {"exit-code": "2"}  # a usage error is not swallowed


def ci_examples() -> dict[str, str]:
    """The YAML examples in docs/ci.md, keyed by the file name in their first line."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.DOTALL)
    return {block.splitlines()[0].lstrip("# ").strip(): block for block in blocks}


@pytest.mark.parametrize(
    ("prefix", "schema"),
    [(".github/workflows/", "vendor.github-workflows"), (".gitlab-ci.yml", "vendor.gitlab-ci")],
)
def test_docs_examples_match_their_platform_schema(prefix: str, schema: str, tmp_path: Path) -> None:
    examples = {name: text for name, text in ci_examples().items() if name.startswith(prefix)}
    assert examples
    for name, text in examples.items():
        path = tmp_path / Path(name).name
        path.write_text(text, encoding="utf-8")
        validate_with_check_jsonschema(schema, path)


def test_docs_workflow_uses_only_inputs_the_action_declares() -> None:
    (document,) = load_all(ci_examples()[".github/workflows/archlint.yml"])
    steps = document.data["jobs"]["archlint"]["steps"]
    uses = next(s for s in steps if s["uses"].split("@")[0].endswith("/archlint"))
    assert set(uses["with"]) <= set(action()["inputs"])


@pytest.mark.skipif(shutil.which("bash") is None, reason="the action's steps run in bash")
def test_check_step_passes_the_organisation_config(run_check_step: Any, tmp_path: Path) -> None:
    clean = "tests/reporters/data/clean.ai-feature.yaml"
    org = tmp_path / "org.toml"  # outside the checkout, as the input's description asks
    org.write_text('select = ["RAG002"]\nfail-on = "warning"\n')
    options = {"sarif-file": "", "annotations": "false", "args": "--isolated"}
    result, outputs = run_check_step(paths=clean, **options, **{"org-config": str(org)})
    assert outputs == {"exit-code": "1"}, result.stderr  # the org config's fail-on applies
    assert "warning RAG002" in result.stdout
    org.write_text("lock = maybe\n")
    result, outputs = run_check_step(paths=clean, **options, **{"org-config": str(org)})
    assert outputs == {"exit-code": "2"}
    assert f"{org}:1:8: invalid TOML" in result.stderr
