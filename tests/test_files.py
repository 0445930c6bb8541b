"""Writing a file whole by rename, never through a link at its name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archlint import files


def test_replace_writes_a_new_file(tmp_path: Path) -> None:
    files.replace(str(tmp_path / "report.txt"), b"whole\n")
    assert (tmp_path / "report.txt").read_bytes() == b"whole\n"
    assert os.listdir(tmp_path) == ["report.txt"]


def test_replace_replaces_a_link_instead_of_following_it(tmp_path: Path) -> None:
    target = tmp_path / "victim"
    target.write_text("keep\n")
    (tmp_path / "report.txt").symlink_to(target)
    files.replace(str(tmp_path / "report.txt"), b"report\n")
    assert target.read_text() == "keep\n"
    assert not (tmp_path / "report.txt").is_symlink()
    assert (tmp_path / "report.txt").read_bytes() == b"report\n"


def test_a_dangling_link_does_not_create_its_target(tmp_path: Path) -> None:
    (tmp_path / "CACHEDIR.TAG").symlink_to(tmp_path / "created")
    files.replace(str(tmp_path / "CACHEDIR.TAG"), b"tag\n")
    assert not (tmp_path / "created").exists()


def test_replacing_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    (tmp_path / "report.txt").write_text("old\n")
    with pytest.raises(RuntimeError), files.Replacing(str(tmp_path / "report.txt")) as stream:
        stream.write("half")
        raise RuntimeError("the reporter broke")
    assert (tmp_path / "report.txt").read_text() == "old\n"
    assert os.listdir(tmp_path) == ["report.txt"]  # no temporary file left behind


def test_a_missing_folder_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        files.replace(str(tmp_path / "no" / "report.txt"), b"x")
