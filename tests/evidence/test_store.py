from __future__ import annotations

import os
from pathlib import Path

import pytest

from archlint import cache
from archlint.evidence import analysis, store

from .conftest import chat, lines

WANTS = frozenset({analysis.INPUTS, analysis.DUPLICATES})


@pytest.fixture
def evidence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> store.EvidenceStore:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    opened = cache.open_store(str(tmp_path / "cache"))
    assert opened is not None
    return store.EvidenceStore(opened)


def old(path: Path) -> None:
    """Set the mtime in the past: a file modified just now gets no stat entry (racy)."""
    os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))


def test_an_unchanged_file_is_answered_without_reading_it(
    tmp_path: Path, evidence: store.EvidenceStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(lines(chat("a"), chat("b"), chat("a")), encoding="utf-8")
    old(path)
    first = evidence.summary(str(path), True, WANTS)

    def no_reading(*args: object) -> None:
        raise AssertionError("read again")

    monkeypatch.setattr(analysis, "analyse", no_reading)
    monkeypatch.setattr(store.reader, "file_digest", no_reading)
    again = evidence.summary(str(path), True, WANTS)
    assert again == first
    assert list(again.inputs) == list(first.inputs) and again.duplicates == 1


def test_a_touched_file_is_hashed_but_not_analysed_again(
    tmp_path: Path, evidence: store.EvidenceStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(lines(chat("a")), encoding="utf-8")
    old(path)
    first = evidence.summary(str(path), True, WANTS)
    os.utime(path, ns=(1_600_000_001_000_000_000, 1_600_000_001_000_000_000))

    def no_analysis(*args: object) -> None:
        raise AssertionError("analysed again")

    monkeypatch.setattr(analysis, "analyse", no_analysis)
    assert evidence.summary(str(path), True, WANTS) == first


def test_a_changed_file_is_analysed_again(tmp_path: Path, evidence: store.EvidenceStore) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(lines(chat("a")), encoding="utf-8")
    old(path)
    assert evidence.summary(str(path), True, WANTS).records == 1
    path.write_text(lines(chat("a"), chat("b")), encoding="utf-8")
    old(path)  # same mtime as before: the size and ctime still differ
    assert evidence.summary(str(path), True, WANTS).records == 2


def test_asking_for_more_than_was_cached_reads_again(tmp_path: Path, evidence: store.EvidenceStore) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(lines(chat("a"), chat("a")), encoding="utf-8")
    old(path)
    assert evidence.summary(str(path), True, frozenset()).duplicates == 0
    assert evidence.summary(str(path), True, WANTS).duplicates == 1


def test_a_broken_entry_is_a_miss(tmp_path: Path, evidence: store.EvidenceStore) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(lines(chat("a")), encoding="utf-8")
    old(path)
    evidence.summary(str(path), True, WANTS)
    assert evidence.folder is not None
    for name in os.listdir(evidence.folder):
        Path(evidence.folder, name).write_bytes(b"garbage")
    assert evidence.summary(str(path), True, WANTS).records == 1


def test_pairs_are_computed_once(evidence: store.EvidenceStore) -> None:
    calls: list[int] = []

    def compute() -> list[object]:
        calls.append(1)
        return [3, [[1, 2]]]

    assert evidence.pair("exact", ["a", "b"], compute) == [3, [[1, 2]]]
    assert evidence.pair("exact", ["a", "b"], compute) == [3, [[1, 2]]]
    assert len(calls) == 1


def test_without_a_cache_every_call_analyses(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(lines(chat("a")), encoding="utf-8")
    assert store.EvidenceStore(None).summary(str(path), True, WANTS).records == 1
    assert store.EvidenceStore(None).pair("exact", [], lambda: [1]) == [1]
