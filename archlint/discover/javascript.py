"""JavaScript/TypeScript scanner: tree-sitter's grammars (prebuilt wheels), imports and aliases
resolved per file. The call sites come from the syntax tree, never from a pattern over text."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from .catalogue import Catalogue, Entry, Evidence, call_matches, module_matches
from .usage import UNRESOLVED, Usage

if TYPE_CHECKING:
    from tree_sitter import Node, Parser, Query

SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")

_QUERY = """
(import_statement source: (string) @source) @import
(call_expression) @call
(new_expression) @new
(variable_declarator) @declarator
"""


@cache
def _parser(dialect: str) -> tuple[Parser, Query]:
    import tree_sitter

    if dialect == "javascript":
        import tree_sitter_javascript

        pointer = tree_sitter_javascript.language()
    else:
        import tree_sitter_typescript

        pointer = (
            tree_sitter_typescript.language_tsx()
            if dialect == "tsx"
            else tree_sitter_typescript.language_typescript()
        )
    language = tree_sitter.Language(pointer)
    return tree_sitter.Parser(language), tree_sitter.Query(language, _QUERY)


def dialect_of(file: str) -> str:
    lower = file.lower()
    if lower.endswith(".tsx"):
        return "tsx"
    if lower.endswith((".ts", ".mts", ".cts")):
        return "typescript"
    return "javascript"  # its grammar covers JSX


def scan(source: bytes, file: str, catalogue: Catalogue) -> list[Usage]:
    """Every usage the catalogue's JavaScript evidence finds in `source`."""
    import tree_sitter

    parser, query = _parser(dialect_of(file))
    tree = parser.parse(source)
    captures: dict[str, list[Any]] = tree_sitter.QueryCursor(query).captures(tree.root_node)
    entries = [(entry, entry.javascript) for entry in catalogue.entries if entry.javascript is not None]
    return list(_Scan(captures, file, entries).usages())


def _text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def _string(node: Node | None) -> str | None:
    """The value of a string literal (or a template literal without substitutions)."""
    if node is None or node.type not in ("string", "template_string"):
        return None
    if any(child.type == "template_substitution" for child in node.children):
        return None
    return _text(node)[1:-1]


class _Scan:
    def __init__(
        self, captures: dict[str, list[Any]], file: str, entries: list[tuple[Entry, Evidence]]
    ) -> None:
        self.file = file
        self.entries = entries
        self.aliases: dict[str, str] = {}
        self.imported: list[tuple[str, Node]] = []
        self.unresolved: list[Node] = []
        for statement in captures.get("import", ()):
            self._import(statement)
        self.calls: list[Node] = sorted(
            (*captures.get("call", ()), *captures.get("new", ())), key=lambda node: node.start_byte
        )
        # Node objects are made afresh on each access: a call is known by its span.
        loaders = {(node.start_byte, node.end_byte) for node in self.calls if self._loaded(node)}
        for declarator in captures.get("declarator", ()):
            self._declared(declarator, loaders)
        for call in self.calls:
            module = self._loaded(call)
            if module == "":
                self.unresolved.append(call)
            elif module is not None:
                self.imported.append((module, call))

    def _import(self, statement: Node) -> None:
        source = _string(statement.child_by_field_name("source"))
        if source is None:
            return
        self.imported.append((source, statement))
        clause = next((child for child in statement.children if child.type == "import_clause"), None)
        if clause is None:
            return
        for part in clause.children:
            if part.type == "identifier":  # import X from 'p'
                self.aliases[_text(part)] = source
            elif part.type == "namespace_import":  # import * as X from 'p'
                name = next((c for c in part.children if c.type == "identifier"), None)
                if name is not None:
                    self.aliases[_text(name)] = source
            elif part.type == "named_imports":  # import { a as b } from 'p'
                for specifier in part.children:
                    if specifier.type != "import_specifier":
                        continue
                    imported = _text(specifier.child_by_field_name("name"))
                    local = _text(specifier.child_by_field_name("alias")) or imported
                    self.aliases[local] = f"{source}.{imported}"

    def _loaded(self, call: Node) -> str | None:
        """The module a require()/import() call loads; "" when it is not a literal; None for
        any other call."""
        if call.type != "call_expression":
            return None
        function = call.child_by_field_name("function")
        if function is None or not (
            function.type == "import" or (function.type == "identifier" and _text(function) == "require")
        ):
            return None
        arguments = call.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments is not None and arguments.named_children else None
        value = _string(first)
        return "" if value is None else value

    def _declared(self, declarator: Node, loaders: set[tuple[int, int]]) -> None:
        """const X = require('p'), const { a: b } = await import('p')."""
        value = declarator.child_by_field_name("value")
        while value is not None and value.type in ("await_expression", "parenthesized_expression"):
            value = value.named_children[0] if value.named_children else None
        if value is None or (value.start_byte, value.end_byte) not in loaders:
            return
        module = self._loaded(value)
        if not module:
            return
        target = declarator.child_by_field_name("name")
        if target is None:
            return
        if target.type == "identifier":
            self.aliases[_text(target)] = module
        elif target.type == "object_pattern":
            for item in target.named_children:
                if item.type == "shorthand_property_identifier_pattern":
                    self.aliases[_text(item)] = f"{module}.{_text(item)}"
                elif item.type == "pair_pattern":
                    key = _text(item.child_by_field_name("key"))
                    local = item.child_by_field_name("value")
                    if local is not None and local.type == "identifier":
                        self.aliases[_text(local)] = f"{module}.{key}"

    def name_of(self, node: Node | None) -> str | None:
        parts: list[str] = []
        while node is not None:
            kind = node.type
            if kind == "member_expression":
                parts.append(_text(node.child_by_field_name("property")))
                node = node.child_by_field_name("object")
            elif kind == "call_expression":
                node = node.child_by_field_name("function")
            elif kind == "new_expression":
                node = node.child_by_field_name("constructor")
            elif kind in ("parenthesized_expression", "await_expression", "non_null_expression"):
                node = node.named_children[0] if node.named_children else None
            elif kind == "identifier":
                name = _text(node)
                parts.append(self.aliases.get(name, name))
                break
            elif kind == "this":
                parts.append("this")
                break
            else:
                break
        return ".".join(reversed(parts)) if parts else None

    def usages(self) -> Iterator[Usage]:
        for call in self.unresolved:
            yield self._usage(call, UNRESOLVED, "", _text(call)[:200], "")
        names = [
            (
                self.name_of(
                    call.child_by_field_name("function" if call.type == "call_expression" else "constructor")
                ),
                call,
            )
            for call in self.calls
        ]
        for entry, evidence in self.entries:
            matched = [
                (m, n) for m, n in self.imported if any(module_matches(p, m, "/") for p in evidence.imports)
            ]
            if not matched:
                continue
            if evidence.import_is_usage:
                for module, node in matched:
                    yield self._usage(node, entry.kind, entry.library, module, entry.id)
                continue
            for name, call in names:
                if name is None or (
                    evidence.calls and not any(call_matches(p, name) for p in evidence.calls)
                ):
                    continue
                if evidence.arguments and not _passes(call, evidence.arguments):
                    continue
                yield self._usage(call, entry.kind, entry.library, name, entry.id)

    def _usage(self, node: Node, kind: str, library: str, symbol: str, entry: str) -> Usage:
        row, column = node.start_point
        return Usage(self.file, row + 1, column + 1, kind, library, symbol, entry)


def _passes(call: Node, arguments: tuple[str, ...]) -> bool:
    """The call passes an object literal with one of these properties."""
    node = call.child_by_field_name("arguments")
    if node is None:
        return False
    for argument in node.named_children:
        if argument.type != "object":
            continue
        for item in argument.named_children:
            if item.type == "pair":
                key = item.child_by_field_name("key")
                name = _string(key) if key is not None and key.type == "string" else _text(key)
            elif item.type == "shorthand_property_identifier":
                name = _text(item)
            else:
                continue
            if name in arguments:
                return True
    return False
