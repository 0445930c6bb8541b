from __future__ import annotations

import os
from pathlib import Path

import pytest

from archlint import paths
from archlint.evidence import locate


def test_declared_lists_every_evidence_path_with_its_key_and_manifest() -> None:
    spec = {
        "fine_tuning": {"data": {"train": "t.jsonl", "eval": "e.jsonl", "sha256": {"eval": "AB" * 32}}},
        "evaluation": {"dataset": "g.jsonl"},
        "rag": {"retrieval_eval": {"dataset": "r.jsonl"}},
    }
    assert locate.declared(spec) == [
        locate.Declared("train", ("spec", "fine_tuning", "data", "train"), "t.jsonl", True, None),
        locate.Declared("eval", ("spec", "fine_tuning", "data", "eval"), "e.jsonl", True, "ab" * 32),
        locate.Declared("dataset", ("spec", "evaluation", "dataset"), "g.jsonl", False, None),
        locate.Declared("retrieval", ("spec", "rag", "retrieval_eval", "dataset"), "r.jsonl", False, None),
    ]


def test_a_sha256_string_pins_the_train_file() -> None:
    spec = {"fine_tuning": {"data": {"train": "t", "eval": "e", "sha256": "c" * 64}}}
    assert [item.sha256 for item in locate.declared(spec)] == ["c" * 64, None]


@pytest.mark.parametrize(
    "value", ["s3://b/k.jsonl", "hf://datasets/a/b", "https://x.org/d.jsonl", "gs://b/o"]
)
def test_uris(value: str) -> None:
    assert locate.is_uri(value)


@pytest.mark.parametrize("value", ["data/train.jsonl", "C:/data/train.jsonl", "./s3:/x", "file.jsonl"])
def test_paths(value: str) -> None:
    assert not locate.is_uri(value)


def test_inside() -> None:
    assert paths.inside("/repo/data/x", "/repo")
    assert paths.inside("/repo", "/repo")
    assert not paths.inside("/repository/x", "/repo")
    assert not paths.inside("/", "/repo")


def test_the_root_is_the_git_work_tree_else_the_current_folder_else_the_file_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "features").mkdir()
    feature = tmp_path / "repo" / "features" / "ai-feature.yaml"
    assert locate.repository_root(str(feature)) == os.path.realpath(tmp_path / "repo")
    plain = tmp_path / "plain" / "sub"
    plain.mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "plain")
    assert locate.repository_root(str(plain / "f.yaml")) == os.path.realpath(tmp_path / "plain")
    monkeypatch.chdir(tmp_path / "repo")
    assert locate.repository_root(str(plain / "f.yaml")) == os.path.realpath(plain)


def test_resolve_states(tmp_path: Path) -> None:
    root = os.path.realpath(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.jsonl").write_text("{}\n")
    os.symlink(tmp_path / "data" / "t.jsonl", tmp_path / "link.jsonl")
    feature = str(tmp_path / "ai-feature.yaml")

    def state(value: str) -> str:
        return locate.resolve(locate.Declared("train", (), value, True, None), feature, root).state

    assert state("data/t.jsonl") == "file"
    assert state("link.jsonl") == "file"  # a symlink that stays inside is fine
    assert state("data") == "not-a-file"
    assert state("data/none.jsonl") == "missing"
    assert state("../x.jsonl") == "outside"
    assert state("/etc/hostname") == "outside"
    assert state("s3://b/t.jsonl") == "uri"


def test_signature_changes_when_a_file_appears_or_changes(tmp_path: Path) -> None:
    path = str(tmp_path / "t.jsonl")
    before = paths.signature([path])
    assert before == [[path]]
    Path(path).write_text("{}\n")
    after = paths.signature([path])
    assert after != before and after[0][1] == 3
