from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from archlint.evidence import reader


def read_all(path: Path, limit: int = reader.MAX_LINE, digest: reader.Digest | None = None) -> list[object]:
    descriptor = reader.open_regular(str(path))
    try:
        return list(reader.lines(descriptor, digest, limit))
    finally:
        os.close(descriptor)


def test_lines_across_chunk_boundaries_and_a_last_line_without_newline(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    body = [b"x" * (reader.CHUNK // 3 + n) for n in range(10)]
    path.write_bytes(b"\n".join(body) + b"\nlast")
    assert read_all(path) == [*body, b"last"]


def test_a_line_over_the_limit_ends_the_stream_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"a\nb\n" + b"c" * 100 + b"\nnever read\n")
    assert read_all(path, limit=50) == [b"a", b"b", reader.TooLong(3, 50)]


def test_an_endless_line_is_cut_after_the_limit_even_across_chunks(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"ok\n" + b"z" * (3 * reader.CHUNK))
    assert read_all(path, limit=reader.CHUNK) == [b"ok", reader.TooLong(2, reader.CHUNK)]


def test_the_digest_is_the_sha256_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "f.jsonl"
    content = os.urandom(3 * reader.CHUNK + 17).replace(b"\n", b" ") + b"\nend\n"
    path.write_bytes(content)
    digest = reader.Digest()
    read_all(path, limit=10 * reader.CHUNK, digest=digest)
    assert digest.hexdigest() == hashlib.sha256(content).hexdigest() == reader.file_digest(str(path))


def test_only_regular_files_are_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(reader.NotAFile):
        reader.open_regular(str(tmp_path / "fifo"))  # O_NONBLOCK: no writer needed to return
    with pytest.raises(OSError):
        reader.open_regular(str(tmp_path / "missing"))
