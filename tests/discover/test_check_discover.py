"""`archlint check --discover` (and config `discover = true`): the DSC findings in every format,
DSC001/DSC004 located in the source files, DSC002/DSC003 on the feature file's fields."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from archlint.reporters import REPORTERS

from .conftest import MakeRepo, feature, run

FILES = {
    "services/triage/ai-feature.yaml": feature("triage"),
    "services/triage/triage.py": (
        "import chromadb\nimport anthropic\n"
        "anthropic.Anthropic().messages.create(model='m', tools=TOOLS, messages=[])\n"
    ),
    "services/faq/ai-feature.yaml": feature("faq"),
    "services/faq/render.py": "import jinja2\n",
    "web/src/Tagline.ts": "import OpenAI from 'openai';\nexport const c = new OpenAI();\n",
}
# rule -> (file, line) every format must carry
EXPECTED = {
    ("DSC001", "web/src/Tagline.ts", 1),
    ("DSC002", "services/triage/ai-feature.yaml", 6),
    ("DSC003", "services/faq/ai-feature.yaml", 3),
    ("DSC004", "services/triage/triage.py", 3),
}


def located(fmt: str, output: str) -> set[tuple[str, str, int]]:
    if fmt == "text":
        found = set()
        for line in output.splitlines():
            parts = line.split(" ")
            if len(parts) > 2 and parts[2].startswith("DSC"):
                file, number = parts[0].split(":")[:2]
                found.add((parts[2], file, int(number)))
        return found
    if fmt == "json":
        data = json.loads(output)
        return (
            {(f["rule"], f["file"], f["line"]) for r in data["files"] for f in r["findings"]}
            if "files" in data
            else {(f["rule"], f["file"], f["line"]) for f in data["findings"]}
        )
    if fmt == "sarif":
        results = json.loads(output)["runs"][0]["results"]
        return {
            (
                r["ruleId"],
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
            )
            for r in results
        }
    if fmt == "github":
        found = set()
        for line in output.splitlines():
            head, _, _rest = line.partition("::")[2].partition("::")
            fields = dict(item.split("=", 1) for item in head.split(" ", 1)[1].split(","))
            found.add((fields["title"].split(" ")[0], fields["file"], int(fields["line"])))
        return found
    if fmt == "gitlab":
        return {
            (
                i["check_name"].split(" ")[0] if " " in i["check_name"] else i["check_name"],
                i["location"]["path"],
                i["location"]["lines"]["begin"],
            )
            for i in json.loads(output)
        }
    if fmt == "junit":
        found = set()
        for case in ET.fromstring(output).iter("testcase"):
            # Findings at or above --fail-on are failures; warnings below it are listed in
            # the passing case's system-out.
            for failure in [*case.findall("failure"), *case.findall("system-out")]:
                text = (failure.get("message") or "") + (failure.text or "")
                for rule, file, line in EXPECTED:
                    if rule in text and file in (case.get("classname", "") + case.get("name", "") + text):
                        found.add((rule, file, line))
        return found
    if fmt == "cyclonedx":
        # A BOM names the component a finding belongs to, not a line: the feature file (its
        # archlint:file property) or the source file (the component's name).
        found = set()
        for component in json.loads(output).get("components", []):
            properties = {p["name"]: p["value"] for p in component.get("properties", [])}
            file = properties.get("archlint:file", component["name"])
            found |= {
                item for item in EXPECTED if item[1] == file and f"archlint:finding:{item[0]}" in properties
            }
        return found
    raise AssertionError(fmt)


@pytest.mark.parametrize("fmt", sorted(REPORTERS))
def test_every_format_carries_the_discover_findings(make_repo: MakeRepo, fmt: str) -> None:
    root = make_repo(FILES)
    completed = run(
        root, "check", "--discover", "--no-cache", "--isolated", "--format", fmt, "--select", "DSC"
    )
    assert completed.returncode == 1, completed.stderr
    assert located(fmt, completed.stdout) >= EXPECTED, completed.stdout


def test_config_discover_true_turns_it_on(make_repo: MakeRepo) -> None:
    root = make_repo(FILES)
    assert "DSC" not in run(root, "check", "--no-cache", "--select", "DSC").stdout
    (root / "pyproject.toml").write_text("[tool.archlint]\ndiscover = true\n", encoding="utf-8")
    completed = run(root, "check", "--no-cache", "--select", "DSC")
    assert completed.returncode == 1
    assert {rule for rule, _, _ in located("text", completed.stdout)} == {
        "DSC001",
        "DSC002",
        "DSC003",
        "DSC004",
    }
    (root / "pyproject.toml").write_text("[tool.archlint]\ndiscover = 'yes'\n", encoding="utf-8")
    refused = run(root, "check", "--no-cache")
    assert refused.returncode == 2 and "'discover' must be true or false" in refused.stderr


def test_check_without_discover_imports_none_of_it(make_repo: MakeRepo) -> None:
    root = make_repo(FILES)
    probe = (
        "import sys; from archlint.__main__ import main; main(['check', '--no-cache', '--isolated', '.']);"
        "print(sorted(m for m in sys.modules if m.startswith(("
        "'archlint.discover.', 'archlint.commands.discover', 'tree_sitter', 'cyclonedx'))))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=False
    )
    assert completed.stdout.splitlines()[-1] == "[]", completed.stderr


def test_check_of_one_feature_file_still_judges_its_code(make_repo: MakeRepo) -> None:
    root = make_repo(FILES)
    completed = run(
        root,
        "check",
        "--discover",
        "--no-cache",
        "--isolated",
        "--select",
        "DSC",
        "services/faq/ai-feature.yaml",
    )
    assert {rule for rule, _, _ in located("text", completed.stdout)} == {"DSC003"}
    completed = run(
        root, "check", "--discover", "--no-cache", "--isolated", "--select", "DSC", "services/triage"
    )
    assert {rule for rule, _, _ in located("text", completed.stdout)} == {"DSC002", "DSC004"}


def test_explain_knows_the_discover_rules(make_repo: MakeRepo) -> None:
    for rule in ("DSC001", "DSC002", "DSC003", "DSC004"):
        completed = run(Path.cwd(), "explain", rule)
        assert completed.returncode == 0 and rule in completed.stdout
