"""Read YAML into plain data plus a map from document path to source position.

This is the only module that knows about YAML. It parses with libyaml (through
ruamel.yaml.clib), resolves scalars by the YAML 1.2 core schema, and refuses
anything a policy gate should not accept: duplicate keys, tags other than the
core ones, merge keys, documents whose aliases expand past a limit, nesting
deeper than a limit, files that are too large, binary or badly encoded.
Every refusal is a `YamlError` with a 1-based line and column.
"""

from __future__ import annotations

import codecs
import errno
import math
import os
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Path = tuple[str | int, ...]

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_EXPANDED_NODES = 20_000
# Nodes as written, all documents of a file together: counted in C before any
# Python object is built, so a 1 MiB file of tiny nodes is refused in milliseconds.
MAX_NODES = 20_000
# CEL integers are 64-bit; a larger YAML integer could not be evaluated by any rule.
_INT64 = (-(2**63), 2**63 - 1)

_CORE = "tag:yaml.org,2002:"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class YamlError(Exception):
    """The text is not a YAML document archlint accepts."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Document:
    """One YAML document: its data and where each path stands in the file."""

    data: Any
    positions: Mapping[Path, tuple[int, int]] = field(repr=False)
    index: int = 0
    start_line: int = 1

    def locate(self, path: Path) -> tuple[Path, int, int]:
        """Return the longest present prefix of `path` and its line and column.

        An absent field points at its nearest present parent, and the document
        itself (its first line) when nothing on the path is present.
        """
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            position = self.positions.get(prefix)
            if position is not None:
                return prefix, position[0], position[1]
        return (), self.start_line, 1

    def get(self, path: Path) -> Any:
        """Return the value at `path`, or raise KeyError when it is absent."""
        value = self.data
        for part in path:
            if isinstance(part, int):
                if not isinstance(value, list) or not -len(value) <= part < len(value):
                    raise KeyError(part)
                value = value[part]
            elif isinstance(value, dict) and part in value:
                value = value[part]
            else:
                raise KeyError(part)
        return value


def decode(raw: bytes) -> str:
    """Decode file bytes as YAML allows (UTF-8, or UTF-16/32 with a BOM)."""
    if b"\x00" in raw and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        offset = raw.index(b"\x00")
        line = raw.count(b"\n", 0, offset) + 1
        raise YamlError("file contains a NUL byte: binary files are not YAML", line, 1)
    encoding = next((enc for bom, enc in _BOMS if raw.startswith(bom)), "utf-8")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(
            f"file is not valid {encoding.upper().replace('-SIG', '')}: "
            f"byte 0x{raw[exc.start]:02x} cannot be decoded",
            line,
            column,
        ) from None


def read_file(path: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read and decode a file, refusing one larger than `max_bytes`.

    OSError propagates: an unreadable path is the caller's to report.
    """
    return decode_limited(read_bytes(path, max_bytes), max_bytes)


def read_bytes(path: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The first `max_bytes + 1` bytes of a regular file (OSError propagates)."""
    # O_NONBLOCK so a FIFO named like a feature file cannot hang the run.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", path)
        return handle.read(max_bytes + 1)


def decode_limited(raw: bytes, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Decode what `read_bytes` returned, refusing more than `max_bytes`."""
    if len(raw) > max_bytes:
        raise YamlError(
            f"file is larger than the {max_bytes // 1024} KiB limit for feature files; "
            "a feature description is a few kilobytes",
        )
    return decode(raw)


def load_all(text: str) -> list[Document]:
    """Parse every non-empty document in `text`.

    Raises YamlError for the first problem found, so a file is either fully
    understood or reported as broken; never half-read.
    """
    from . import _yaml

    documents: list[Document] = []
    for index, node in enumerate(_yaml.compose_all(text)):
        if node is None:
            continue
        data, positions = _construct(node)
        documents.append(Document(data, positions, index, node.start_mark.line + 1))
    return documents


def _mark(node: Any) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _scalar(node: Any, tag: str) -> Any:
    value: str = node.value
    if tag == _CORE + "str" or tag == "!" or tag == _CORE + "timestamp":
        # Dates stay strings ("2027-03-31") so every consumer sees one type.
        return value
    if tag == _CORE + "null":
        return None
    if tag == _CORE + "bool":
        return value.lower() == "true"
    if tag == _CORE + "int":
        from . import _yaml  # here, not per scalar: most scalars are strings

        try:
            number = _yaml.construct_int(node)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            number = None
        if number is None or not _INT64[0] <= number <= _INT64[1]:
            shown = value if len(value) <= 24 else value[:21] + "..."
            raise YamlError(f"integer {shown} is out of range: numbers must fit in 64 bits", *_mark(node))
        return number
    if tag == _CORE + "float":
        from . import _yaml

        real = _yaml.construct_float(node)
        return real if math.isfinite(real) else value
    raise YamlError(f"tag {tag!r} is not allowed: only plain YAML 1.2 data is accepted", *_mark(node))


def _key(node: Any, tag_of: Callable[[Any], str]) -> str:
    if node.id != "scalar":
        raise YamlError("mapping keys must be plain scalars, not collections", *_mark(node))
    tag = tag_of(node)
    if tag == _CORE + "merge":
        raise YamlError("merge keys ('<<') are not supported; write the keys out", *_mark(node))
    if tag != _CORE + "str":
        _scalar(node, tag)  # rejects forbidden tags on keys too
    return str(node.value)


def _construct(root: Any) -> tuple[Any, dict[Path, tuple[int, int]]]:
    """Turn a composed node tree into plain data.

    Aliased nodes are built once and shared, as every YAML loader does; the
    expanded size is counted so a "billion laughs" document is refused before
    anything downstream walks it. Recursion is bounded by MAX_DEPTH. Problems
    are found in document order: a mapping's keys before its values, a
    sequence's items before its own tag.
    """
    from . import _yaml

    tag_of = _yaml.tag_of
    built: dict[int, tuple[Any, int]] = {}  # id(node) -> (value, expanded size)
    positions: dict[Path, tuple[int, int]] = {(): _mark(root)}
    str_tag, seq_tag, map_tag = _CORE + "str", _CORE + "seq", _CORE + "map"

    def build(node: Any, path: Path, depth: int) -> tuple[Any, int]:
        key = id(node)
        done = built.get(key)
        if done is not None:
            return done  # an alias: already built, shared
        if depth > MAX_DEPTH:
            raise YamlError(f"nesting is deeper than {MAX_DEPTH} levels", *_mark(node))
        kind = node.id
        if kind == "scalar":
            tag = tag_of(node)
            value = node.value if tag == str_tag else _scalar(node, tag)
            built[key] = done = (value, 1)
            return done
        size = 1
        result: Any
        if kind == "sequence":
            result = []
            for index, item in enumerate(node.value):
                item_path = (*path, index)
                mark = item.start_mark
                positions[item_path] = (mark.line + 1, mark.column + 1)
                value, item_size = build(item, item_path, depth + 1)
                result.append(value)
                size += item_size
            if tag_of(node) != seq_tag:
                raise YamlError(
                    f"tag {node.tag!r} is not allowed: only plain YAML 1.2 data is accepted", *_mark(node)
                )
        else:
            if tag_of(node) != map_tag:
                raise YamlError(
                    f"tag {node.tag!r} is not allowed: only plain YAML 1.2 data is accepted", *_mark(node)
                )
            seen: dict[str, tuple[int, int]] = {}
            for key_node, _ in node.value:
                name = _key(key_node, tag_of)
                if name in seen:
                    line, column = seen[name]
                    raise YamlError(
                        f"duplicate key {name!r} (first defined at line {line}, column {column})",
                        *_mark(key_node),
                    )
                mark = key_node.start_mark
                seen[name] = positions[(*path, name)] = (mark.line + 1, mark.column + 1)
            result = {}
            for key_node, value_node in node.value:
                name = str(key_node.value)
                value, value_size = build(value_node, (*path, name), depth + 1)
                result[name] = value
                size += 1 + value_size
        if size > MAX_EXPANDED_NODES:
            raise YamlError(
                f"document expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases",
                *_mark(node),
            )
        built[key] = done = (result, size)
        return done

    return build(root, (), 0)[0], positions
