"""Problem 9 of issue 13: anyone who can write the cache folder must not be able to flip a
verdict. Every cache file carries a MAC under the per-user key; one that fails it is a miss.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import FAILING_FEATURE, archlint, commit_all

POLICY = """\
apiVersion: archlint/v1
kind: PolicySet
metadata: {name: team}
rules:
  - id: TEAM001
    name: no-rag
    severity: error
    summary: This team does not run retrieval.
    rationale: The team has no vector store to run one on.
    remediation: Use prompting.
    references: [{title: Notes, url: "https://example.org/notes"}]
    condition: spec.approach == 'rag'
    path: spec.approach
    message: "approach is {spec.approach}"
"""


def packs(repo: Path) -> list[Path]:
    """The files holding per-file results (not the run record, not compiled catalogs)."""
    return [
        path
        for path in (repo / ".archlint_cache").rglob("*.json")
        if path.parent.name != "v1" and path.name != "run.json"
    ]


def cleared(content: bytes) -> bytes:
    """The attack: every entry's findings emptied, the MAC line left as it was."""
    mac, _, payload = content.partition(b"\n")
    pack = json.loads(payload)
    for entry in pack.values():
        entry["findings"] = []
    return mac + b"\n" + json.dumps(pack).encode()


def never_fires(value: Any) -> Any:
    """An encoded catalog whose TEAM001 condition is `false`, compiled from that source."""
    if isinstance(value, dict):
        if value.get("P", [None])[0] == "spec.approach == 'rag'":
            return {"P": ["false", None]}
        return {key: never_fires(item) for key, item in value.items()}
    if isinstance(value, list):
        return [never_fires(item) for item in value]
    return value


@pytest.fixture
def checked(repo: Path, user_cache: Path) -> Path:
    """A repository whose failing feature a first run has checked and cached."""
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    commit_all(repo)
    first = archlint("check", "--format", "json", ".", cwd=repo, user_cache=user_cache)
    assert first.returncode == 1 and packs(repo), first.stderr
    return repo


def verdict(repo: Path, user_cache: Path) -> tuple[int, list[str]]:
    run = archlint("check", "--format", "json", ".", cwd=repo, user_cache=user_cache)
    return run.returncode, sorted(finding["rule"] for finding in json.loads(run.stdout)["findings"])


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(cleared, id="findings emptied, MAC line kept"),
        pytest.param(
            lambda content: cleared(content).partition(b"\n")[2], id="findings emptied, no MAC line"
        ),
        pytest.param(
            lambda content: b"archlint-mac " + b"0" * 40 + b"\n" + cleared(content).split(b"\n", 1)[1],
            id="findings emptied, a made-up MAC",
        ),
    ],
)
def test_an_edited_entry_is_a_miss(checked: Path, user_cache: Path, edit) -> None:  # type: ignore[no-untyped-def]
    expected = verdict(checked, user_cache)
    for pack in packs(checked):
        pack.write_bytes(edit(pack.read_bytes()))

    assert verdict(checked, user_cache) == expected
    assert expected[0] == 1 and "RAG001" in expected[1]


def test_an_entry_moved_to_another_name_is_a_miss(checked: Path, user_cache: Path) -> None:
    # A clean feature's valid pack copied over the failing feature's: entries hold to their name.
    (checked / "clean").mkdir()
    (checked / "clean" / "ai-feature.yaml").write_text(
        FAILING_FEATURE.replace("acl_filtering: false", "acl_filtering: true")
    )
    archlint("check", "--format", "json", "clean", cwd=checked, user_cache=user_cache)
    expected = verdict(checked, user_cache)
    (failing,) = [p for p in packs(checked) if b'"file":"ai-feature.yaml"' in p.read_bytes()]
    others = [p for p in packs(checked) if p != failing]
    assert others
    for other in others:
        shutil.copyfile(other, failing)
        assert verdict(checked, user_cache) == expected


def test_an_edited_run_record_and_catalog_are_misses(repo: Path, user_cache: Path) -> None:
    (repo / "policies").mkdir()
    (repo / "policies" / "team.yaml").write_text(POLICY)
    (repo / "archlint.toml").write_text('policy-paths = ["policies"]\n')
    (repo / "ai-feature.yaml").write_text(FAILING_FEATURE)
    commit_all(repo)
    expected = verdict(repo, user_cache)
    assert "TEAM001" in expected[1]
    (catalog,) = (repo / ".archlint_cache").rglob("catalog-*.json")
    mac, _, payload = catalog.read_bytes().partition(b"\n")
    # The compiled condition replaced by one that never fires, the MAC line kept.
    catalog.write_bytes(mac + b"\n" + json.dumps(never_fires(json.loads(payload))).encode())
    for record in (repo / ".archlint_cache").rglob("run.json"):
        mac, _, payload = record.read_bytes().partition(b"\n")
        record.write_bytes(mac + b"\n" + json.dumps({"evaluated": []}).encode())
    for pack in packs(repo):
        pack.unlink()  # the file is checked again, with the catalog from the cache

    assert verdict(repo, user_cache) == expected


def test_a_valid_entry_is_a_hit(checked: Path, user_cache: Path) -> None:
    before = {path: path.read_bytes() for path in packs(checked)}
    stamps = {path: path.stat().st_mtime_ns for path in before}
    assert verdict(checked, user_cache)[0] == 1
    assert {path: path.read_bytes() for path in packs(checked)} == before
    assert {path: path.stat().st_mtime_ns for path in before} == stamps  # answered, nothing rewritten
    assert all(content.startswith(b"archlint-mac ") for content in before.values())


def test_a_cache_made_under_another_users_key_is_not_believed(
    checked: Path, user_cache: Path, tmp_path: Path
) -> None:
    expected = verdict(checked, user_cache)
    for pack in packs(checked):
        pack.write_bytes(cleared(pack.read_bytes()))
    # Another user (say the pull request's author on their machine) has their own key.
    assert verdict(checked, tmp_path / "another-user") == expected
    assert verdict(checked, user_cache) == expected


def test_an_edited_discover_cache_entry_is_a_miss(repo: Path, user_cache: Path) -> None:
    # archlint discover caches each source file's usages; a pull request that plants an entry
    # saying the file uses no AI library must not hide the undeclared usage (DSC001).
    (repo / "summarise.py").write_text("import openai\nopenai.OpenAI()\n")
    commit_all(repo)
    first = archlint("discover", "--format", "json", ".", cwd=repo, user_cache=user_cache)
    assert first.returncode == 1 and "DSC001" in first.stdout, first.stderr
    entries = list((repo / ".archlint_cache").rglob("discover-*.json"))
    assert len(entries) == 1
    text = entries[0].read_text()
    assert text.startswith("archlint-mac ")  # written with its MAC
    mac, body = text.split("\n", 1)
    emptied = json.loads(body)
    for item in emptied["files"].values():
        item["usages"] = []
    entries[0].write_text(mac + "\n" + json.dumps(emptied))

    again = archlint("discover", "--format", "json", ".", cwd=repo, user_cache=user_cache)

    assert again.returncode == 1 and "DSC001" in again.stdout, again.stderr
