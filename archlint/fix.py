"""`archlint check --fix`: rewrite what is mechanical, keeping everything else byte for byte.

Three repairs, each one that has a single right answer:

- an unknown key with exactly one close match is renamed (`aproach` -> `approach`);
- a YAML 1.1 boolean spelling (`yes`/`no`/`on`/`off`) in a boolean field becomes `true`/`false`;
- an unused waiver (WVR002) is removed (and `waivers:` with it when it was the last).

The file is edited through ruamel.yaml's round-trip mode, which keeps comments, key order,
quoting and flow style. A file is only rewritten when ruamel.yaml reproduces it exactly
before any edit (so nothing but the repairs can change), it is not invalid YAML (SCH002),
and it is a regular file inside the repository: never through a symbolic link. The new text
goes to a temporary file in the same folder, renamed over the old one.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from .check import Plan, check_text
from .finding import Finding
from .loader import MAX_FILE_BYTES, YamlError, decode_limited, load_all, read_bytes
from .schema import validate

# (mapping, sequence, offset) indentations tried, the usual ones first: a file is rewritten
# with the first that reproduces it exactly.
_USUAL = ((2, 2, 0), (2, 4, 2), (4, 4, 0), (4, 6, 2), (4, 4, 2))
_INDENTS = _USUAL + tuple(
    (mapping, offset + dash, offset)
    for mapping in (2, 4, 3)
    for offset in range(mapping + 1)
    for dash in (2, 4, 3)
    if (mapping, offset + dash, offset) not in _USUAL
)


class Change(NamedTuple):
    """One repair, where it was made (1-based line and column of the original file)."""

    line: int
    column: int
    description: str


class Refused(Exception):
    """The file is left as it is, for this reason."""


class Fixed(NamedTuple):
    text: str
    changes: tuple[Change, ...]


def fix_text(text: str, display: str, the_plan: Plan) -> Fixed:
    """The text with every mechanical repair applied, and what changed; Refused when the
    file cannot be repaired safely. Applying it to its own result changes nothing."""
    crlf = "\r\n" in text
    source = text.replace("\r\n", "\n") if crlf else text
    try:
        documents = load_all(source)
    except YamlError as exc:
        raise Refused(f"invalid YAML (SCH002) at line {exc.line}: fix it by hand first") from None
    yaml, nodes = _round_trip(source)
    changes: list[Change] = []
    for document in documents:
        node = nodes[document.number] if document.number < len(nodes) else None
        for problem in validate(document.data):
            if problem.fix is None or node is None:
                continue
            parent = _at(node, problem.path[:-1])
            key = problem.path[-1]
            if not hasattr(parent, "insert") or key not in parent:
                continue
            _, line, column = document.locate(problem.path)
            kind, value = problem.fix
            if kind == "rename" and value not in parent:
                _rename(parent, str(key), value)
                changes.append(Change(line, column, f"renamed '{key}' to '{value}'"))
            elif kind == "value":
                old = parent[key]
                parent[key] = value
                changes.append(Change(line, column, f"'{old}' -> {'true' if value else 'false'} (a boolean)"))
    fixed = _dump(yaml, nodes) if changes else source
    unused = [f for f in check_text(fixed, display, the_plan).findings if f.rule == "WVR002"]
    if unused:
        fixed = _remove_waivers(fixed, unused)
        for finding in unused:
            rule = finding.message.split()[2] if finding.message.startswith("waiver for ") else "a rule"
            # Renames and booleans keep lines where they are, so the line is the original's too.
            changes.append(Change(finding.line, finding.column, f"removed the unused waiver for {rule}"))
    changes.sort()
    if crlf:
        fixed = fixed.replace("\n", "\r\n")
    return Fixed(fixed, tuple(changes))


def _waiver_index(path: str) -> int:
    return int(path.split(".")[2])  # spec.waivers.N.rule


def _remove_waivers(text: str, unused: Sequence[Finding]) -> str:
    """The text without the waivers of `unused` (WVR002 findings).

    A block list item goes with its lines and the comment lines directly above it (they
    describe it); comments directly above the next item stay with that one. Line by line,
    because ruamel.yaml files a comment between two items under the one before. A `waivers:`
    left empty goes too. A waiver in a flow list (`[{rule: ...}]`) is removed through the
    round-trip instead.
    """
    documents = {document.number: document for document in load_all(text)}
    lines = text.splitlines(keepends=True)
    spans: list[tuple[int, int]] = []
    flow: list[tuple[int, int]] = []
    for finding in unused:
        document = documents[finding.document]
        index = _waiver_index(finding.path)
        span = _item_span(lines, document.positions[("spec", "waivers", index)])
        if span is None:
            flow.append((finding.document, index))
            continue
        spans.append(span)
        count = len(document.data["spec"]["waivers"])
        if sum(1 for f in unused if f.document == finding.document) == count:
            # Every waiver of this document goes: its `waivers:` line too, when it is alone there.
            key_line, _ = document.positions[("spec", "waivers")]
            if lines[key_line - 1].split("#", 1)[0].strip() == "waivers:":
                spans.append((key_line - 1, key_line))
    for start, end in sorted(set(spans), reverse=True):
        del lines[start:end]
    text = "".join(lines)
    if flow:
        yaml, nodes = _round_trip(text)
        for number, index in sorted(flow, reverse=True):
            spec = nodes[number]["spec"]
            del spec["waivers"][index]
            if not spec["waivers"]:
                del spec["waivers"]
        text = _dump(yaml, nodes)
    return text


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_comment_or_blank(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def _item_span(lines: Sequence[str], position: tuple[int, int]) -> tuple[int, int] | None:
    """[first, last) line indices of the block list item whose content starts at `position`,
    with its comment lines directly above; None when it is not a block item (`- ` first)."""
    row, column = position[0] - 1, position[1] - 1
    line = lines[row]
    dash = line.rfind("-", 0, column)
    if dash < 0 or line[:dash].strip() or line[dash + 1 : column].strip():
        return None
    start = row
    while start > 0 and lines[start - 1].lstrip().startswith("#") and _indent(lines[start - 1]) == dash:
        start -= 1
    end = row + 1
    for later in range(row + 1, len(lines)):
        text = lines[later]
        if text.startswith(("---", "...")):
            break
        if _is_comment_or_blank(text):
            continue
        if _indent(text) <= dash:
            break
        end = later + 1
    return start, end


def _round_trip(text: str) -> tuple[Any, list[Any]]:
    """ruamel.yaml set up to reproduce `text` exactly, and its documents; Refused if none does."""
    from ruamel.yaml import YAML

    for mapping, sequence, offset in _INDENTS:
        yaml = YAML()  # round-trip mode, YAML 1.2 like the loader
        yaml.preserve_quotes = True
        yaml.width = 1 << 16  # never re-wrap a long line
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        try:
            nodes = list(yaml.load_all(text))
        except Exception:  # ruamel's own errors: the loader accepted it, so this is a layout issue
            raise Refused("ruamel.yaml cannot read it back; fix it by hand") from None
        if _dump(yaml, nodes) == text:
            return yaml, nodes
    raise Refused("it cannot be rewritten without changing its layout; fix it by hand")


def _dump(yaml: Any, nodes: Sequence[Any]) -> str:
    stream = io.StringIO()
    yaml.dump_all(nodes, stream)
    return stream.getvalue()


def _at(node: Any, path: Iterable[str | int]) -> Any:
    for part in path:
        node = node[part]
    return node


def _rename(mapping: Any, old: str, new: str) -> None:
    """Rename a key in place: same position, same value, same comment."""
    position = list(mapping).index(old)
    comment = mapping.ca.items.pop(old, None)
    value = mapping.pop(old)
    mapping.insert(position, new, value)
    if comment is not None:
        mapping.ca.items[new] = comment


# ---------------------------------------------------------------------------- files


def fix_file(path: str, display: str, the_plan: Plan, root: str) -> Fixed:
    """The repaired text of the file at `path` (not written); Refused when it needs a repair
    that may not be made (see the module's docstring)."""
    raw = read_bytes(path, MAX_FILE_BYTES)
    if raw.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        raise Refused("it is not plain UTF-8 (it starts with a byte order mark)")
    try:
        text = decode_limited(raw)
    except YamlError as exc:
        raise Refused(exc.message) from None
    fixed = fix_text(text, display, the_plan)
    if fixed.changes:
        _writable(path, root)
    return fixed


def _writable(path: str, root: str) -> None:
    if os.path.islink(path):
        raise Refused("it is a symbolic link; fix the file it points to")
    real = os.path.realpath(path)
    top = os.path.realpath(root)
    if os.path.commonpath([real, top]) != top:
        raise Refused("it is outside the repository")
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise Refused("it is not a regular file")


def write(path: str, text: str, root: str) -> None:
    """Replace the file's content: a temporary file in the same folder, renamed over it
    (never following a symbolic link; the file keeps its permissions)."""
    _writable(path, root)
    folder = os.path.dirname(os.path.abspath(path))
    mode = stat.S_IMODE(os.stat(path).st_mode)
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".archlint-fix-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
