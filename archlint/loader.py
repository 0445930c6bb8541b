"""Read YAML into plain data plus a map from document path to source position.

This is the only module that knows about YAML. It parses with libyaml (through
ruamel.yaml.clib), resolves scalars by the YAML 1.2 core schema, and refuses
anything a policy gate should not accept: duplicate keys, tags other than the
core ones, merge keys, documents whose aliases expand past a limit, nesting
deeper than a limit, files that are too large, binary or badly encoded.
Every refusal is a `YamlError` with a 1-based line and column.
"""

import codecs
import errno
import math
import os
import stat
from collections.abc import Mapping
from typing import Any, NamedTuple

Path = tuple[str | int, ...]

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_EXPANDED_NODES = 20_000
# Nodes as written, all documents of a file together, counted as libyaml reports
# them: a 1 MiB file of tiny nodes is refused after 20,000 small steps, in milliseconds.
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


class Document(NamedTuple):
    """One YAML document: its data and where each path stands in the file."""

    data: Any
    positions: Mapping[Path, tuple[int, int]]
    number: int = 0  # its place in the file, from 0
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
    # O_NONBLOCK so a FIFO named like a feature file cannot hang the run; plain
    # os.read calls, as a buffered file object costs more than reading a small file.
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", path)
        wanted = max_bytes + 1
        chunks = []
        while wanted > 0:
            chunk = os.read(descriptor, min(wanted, max(status.st_size + 1, 4096)))
            if not chunk:
                break
            chunks.append(chunk)
            wanted -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


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

    Raises YamlError for the first problem found, in document order, so a file
    is either fully understood or reported as broken; never half-read.
    """
    from . import _yaml

    return _build(_yaml, text)


_STR, _NULL, _BOOL, _INT, _FLOAT = (_CORE + name for name in ("str", "null", "bool", "int", "float"))
_SEQ, _MAP, _MERGE, _TIMESTAMP = (_CORE + name for name in ("seq", "map", "merge", "timestamp"))
_NOT_PLAIN = "is not allowed: only plain YAML 1.2 data is accepted"


class _Collection:
    """A sequence or mapping being built: its value so far, where it is, its expanded size."""

    __slots__ = ("anchor", "key", "path", "position", "seen", "size", "tag", "value")

    def __init__(self, value: Any, path: Path, position: tuple[int, int], anchor: Any, tag: Any) -> None:
        self.value = value
        self.path = path
        self.position = position
        self.anchor: str | None = anchor
        self.tag: str | None = tag  # a sequence's explicit tag, judged after its items
        self.size = 1
        self.key: str | None = None  # a mapping's key waiting for its value
        # A mapping's keys and where each stands; None for a sequence.
        self.seen: dict[str, tuple[int, int]] | None = {} if type(value) is dict else None


class _Anchor(NamedTuple):
    """What an alias to this anchor stands for."""

    value: Any
    size: int  # expanded nodes
    position: tuple[int, int]
    text: str | None  # a scalar's text, for an alias used as a key; None for a collection
    tag: str | None
    done: bool = True  # False while its collection is still being built


def _build(yaml: Any, text: str) -> list[Document]:
    """Plain data and positions from libyaml's parse events, in one pass (no node tree).

    Aliased values are built once and shared, as every YAML loader does; the
    expanded size is counted so a "billion laughs" document is refused before
    anything downstream walks it. Nesting is bounded by MAX_DEPTH, and the
    nodes of a file by MAX_NODES, counted as the events arrive.
    """
    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    tag_name = yaml.tag_name
    documents: list[Document] = []
    number = -1
    nodes = 0
    stack: list[_Collection] = []
    anchors: dict[str, _Anchor] = {}
    positions: dict[Path, tuple[int, int]] = {}
    root: Any = None
    empty = False
    for event in yaml.events(text):
        kind = type(event)
        if kind is scalar or kind is mapping_start or kind is sequence_start or kind is alias:
            nodes += 1
            mark = event.start_mark
            position = (mark.line + 1, mark.column + 1)
            if nodes > MAX_NODES:
                raise YamlError(
                    f"the file holds more than {MAX_NODES:,} YAML nodes, the limit for one file", *position
                )
            path: Path = ()
            parent = stack[-1] if stack else None
            if parent is None:
                positions[()] = position
            elif parent.seen is None:  # a sequence item
                path = (*parent.path, len(parent.value))
                positions[path] = position
            elif parent.key is None:  # a mapping key
                if (
                    kind is scalar
                    and event.tag is None
                    and event.anchor is None
                    and tag_name(event.value, event.implicit) == _STR
                ):
                    key = event.value  # the usual key: a plain word
                else:
                    key, position = _key(event, kind is scalar, kind is alias, position, anchors, tag_name)
                seen = parent.seen
                if key in seen:
                    line, column = seen[key]
                    raise YamlError(
                        f"duplicate key {key!r} (first defined at line {line}, column {column})", *position
                    )
                seen[key] = positions[(*parent.path, key)] = position
                parent.key = key
                parent.size += 1
                continue
            else:  # a mapping value
                path = (*parent.path, parent.key)
            if kind is alias:
                anchor = _alias(event.anchor, position, anchors)
                value, size = anchor.value, anchor.size
            elif len(stack) > MAX_DEPTH:
                raise YamlError(f"nesting is deeper than {MAX_DEPTH} levels", *position)
            elif kind is scalar:
                value = event.value
                tag = event.tag
                if tag is None or tag == "!":
                    tag = tag_name(value, event.implicit)
                if tag != _STR:
                    if parent is None and tag == _NULL and value in ("", "~"):
                        empty = True  # an empty document (a bare `---`, `~`): skipped
                    value = _scalar(value, tag, position)
                size = 1
                if event.anchor is not None:
                    _anchor(anchors, event.anchor, _Anchor(value, 1, position, event.value, tag))
            else:
                tag = event.tag
                if tag == "!":
                    tag = None
                if kind is mapping_start:
                    if tag is not None and tag != _MAP:
                        raise YamlError(f"tag {tag!r} {_NOT_PLAIN}", *position)
                    stack.append(_Collection({}, path, position, event.anchor, None))
                else:
                    stack.append(_Collection([], path, position, event.anchor, tag))
                if event.anchor is not None:
                    _anchor(anchors, event.anchor, _Anchor(None, 0, position, None, None, done=False))
                continue
        elif kind in ends:
            collection = stack.pop()
            value, size = collection.value, collection.size
            if collection.tag is not None and collection.tag != _SEQ:
                raise YamlError(f"tag {collection.tag!r} {_NOT_PLAIN}", *collection.position)
            if size > MAX_EXPANDED_NODES:
                raise YamlError(
                    f"document expands to more than {MAX_EXPANDED_NODES:,} nodes through aliases",
                    *collection.position,
                )
            if collection.anchor is not None:
                anchors[collection.anchor] = _Anchor(value, size, collection.position, None, None)
            parent = stack[-1] if stack else None
        elif kind is yaml.DocumentStartEvent:
            number += 1
            anchors, positions, root, empty = {}, {}, None, False
            continue
        else:
            if kind is yaml.DocumentEndEvent and not empty:
                documents.append(Document(root, positions, number, positions[()][0]))
            continue
        # A finished value: into its parent, or the document's root.
        if parent is None:
            root = value
        elif parent.seen is None:
            parent.value.append(value)
            parent.size += size
        else:
            parent.value[parent.key] = value
            parent.key = None
            parent.size += size
    return documents


def _key(
    event: Any,
    is_scalar: bool,
    is_alias: bool,
    position: tuple[int, int],
    anchors: dict[str, _Anchor],
    tag_name: Any,
) -> tuple[str, tuple[int, int]]:
    """A mapping key's text and where it stands; YamlError for a key plain data cannot have."""
    if is_scalar:
        text, tag = event.value, event.tag
        if tag is None or tag == "!":
            tag = tag_name(text, event.implicit)
    elif is_alias:  # an alias stands where its anchor is
        anchor = _alias(event.anchor, position, anchors)
        text, tag, position = anchor.text, anchor.tag, anchor.position
    else:
        text = tag = None
    if text is None or tag is None:
        raise YamlError("mapping keys must be plain scalars, not collections", *position)
    if tag == _MERGE:
        raise YamlError("merge keys ('<<') are not supported; write the keys out", *position)
    value = text if tag == _STR else _scalar(text, tag, position)  # refuses forbidden tags on keys too
    if is_scalar and event.anchor is not None:
        _anchor(anchors, event.anchor, _Anchor(value, 1, position, text, tag))
    return text, position


def _alias(name: str, position: tuple[int, int], anchors: dict[str, _Anchor]) -> _Anchor:
    anchor = anchors.get(name)
    if anchor is None:
        raise YamlError(
            f"found undefined alias *{name}: no anchor &{name} before it in this document", *position
        )
    if not anchor.done:
        raise YamlError(
            f"alias *{name} is inside the collection it names: recursive data is not accepted", *position
        )
    return anchor


def _anchor(anchors: dict[str, _Anchor], name: str, anchor: _Anchor) -> None:
    earlier = anchors.get(name)
    if earlier is not None:
        line, column = earlier.position
        raise YamlError(
            f"duplicate anchor &{name} (first defined at line {line}, column {column})", *anchor.position
        )
    anchors[name] = anchor


def _scalar(text: str, tag: str, position: tuple[int, int]) -> Any:
    """A scalar's value by its resolved tag; YamlError for a tag plain data does not have."""
    if tag in (_STR, _TIMESTAMP):
        # Dates stay strings ("2027-03-31") so every consumer sees one type.
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    if tag == _INT:
        from . import _yaml  # here, not per scalar: most scalars are strings

        try:
            number = _yaml.construct_int(text)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            number = None
        if number is None or not _INT64[0] <= number <= _INT64[1]:
            shown = text if len(text) <= 24 else text[:21] + "..."
            raise YamlError(f"integer {shown} is out of range: numbers must fit in 64 bits", *position)
        return number
    if tag == _FLOAT:
        from . import _yaml

        real = _yaml.construct_float(text)
        return real if math.isfinite(real) else text
    raise YamlError(f"tag {tag!r} {_NOT_PLAIN}", *position)


class Declaration:
    """What a document says it is: its top-level `apiVersion` and `kind`, and where `kind` stands.

    A plain class, not a NamedTuple: every run imports this module, most never call
    `declaration`, and creating a NamedTuple class is not free."""

    __slots__ = ("api_version", "column", "kind", "line")

    def __init__(self, api_version: str | None, kind: str | None, line: int, column: int) -> None:
        self.api_version = api_version
        self.kind = kind
        self.line = line
        self.column = column

    def __repr__(self) -> str:
        return f"Declaration({self.api_version!r}, {self.kind!r}, {self.line}, {self.column})"

    @property
    def feature(self) -> bool:
        """An archlint feature document: `apiVersion: archlint/...` and `kind: AIFeature`."""
        return self.kind == "AIFeature" and (self.api_version or "").startswith("archlint/")


def declaration(text: str) -> Declaration | None:
    """The declaration of the first document of `text`, read from the parse events of that
    document alone (a broken later document does not hide it); None when it declares
    neither (not a mapping, not YAML before either key)."""
    from . import _yaml

    found: dict[str, str] = {}
    where = (1, 1)
    depth = 0
    key: str | None = None  # a top-level key waiting for its value
    expecting_key = True
    try:
        for event in _yaml.events(text):
            kind = type(event)
            if kind in (_yaml.MappingStartEvent, _yaml.SequenceStartEvent):
                if depth == 0 and kind is _yaml.SequenceStartEvent:
                    return None
                if depth == 1:  # a collection as a top-level key, or as a key's value
                    key, expecting_key = None, not expecting_key
                depth += 1
                continue
            if kind in (_yaml.MappingEndEvent, _yaml.SequenceEndEvent):
                depth -= 1
                if depth == 0:
                    break
                continue
            if kind is _yaml.DocumentEndEvent:
                break
            if depth != 1 or kind not in (_yaml.ScalarEvent, _yaml.AliasEvent):
                if depth == 0 and kind is _yaml.ScalarEvent:
                    return None  # a document that is one scalar
                continue
            if expecting_key:
                key = event.value if kind is _yaml.ScalarEvent else None
                expecting_key = False
            else:
                if key in ("apiVersion", "kind") and kind is _yaml.ScalarEvent and key not in found:
                    found[key] = event.value
                    if key == "kind":
                        where = (event.start_mark.line + 1, event.start_mark.column + 1)
                key, expecting_key = None, True
    except YamlError:
        pass  # what the first document declared before the error still counts
    if not found:
        return None
    return Declaration(found.get("apiVersion"), found.get("kind"), *where)
