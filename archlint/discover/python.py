"""Python scanner: the standard `ast` module, imports and aliases resolved per file."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from .catalogue import Catalogue, Entry, Evidence, call_matches, module_matches
from .usage import UNRESOLVED, Usage

_DYNAMIC = frozenset({"importlib.import_module", "__import__"})


def scan(source: bytes, file: str, catalogue: Catalogue) -> list[Usage]:
    """Every usage the catalogue's Python evidence finds in `source`; a file that does not
    parse (Python 2, a template) has none."""
    try:
        tree = ast.parse(source, filename=file)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    entries = [(entry, entry.python) for entry in catalogue.entries if entry.python is not None]
    return list(_Scan(tree, file, entries).usages())


class _Scan:
    def __init__(self, tree: ast.Module, file: str, entries: list[tuple[Entry, Evidence]]) -> None:
        self.file = file
        self.entries = entries
        self.aliases: dict[str, str] = {}
        self.imported: list[tuple[str, ast.stmt | ast.expr]] = []  # (module or module.name, node)
        self.calls: list[ast.Call | ast.expr] = []
        self.dynamic: list[ast.Call] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    local = alias.asname or alias.name.split(".", 1)[0]
                    self.aliases[local] = alias.name if alias.asname else local
                    self.imported.append((alias.name, node))
            elif isinstance(node, ast.ImportFrom):
                if node.level or not node.module:
                    continue  # a relative import is the project's own code
                for alias in node.names:
                    if alias.name == "*":
                        self.imported.append((node.module, node))
                        continue
                    self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                    self.imported.append((f"{node.module}.{alias.name}", node))
            elif isinstance(node, ast.Call):
                self.calls.append(node)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                # A decorator without arguments (@tool) is a use of the name, as a call is.
                self.calls.extend(d for d in node.decorator_list if not isinstance(d, ast.Call))

    def name_of(self, node: ast.expr) -> str | None:
        parts: list[str] = []
        while True:
            if isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
            elif isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Name):
                parts.append(self.aliases.get(node.id, node.id))
                break
            else:
                return ".".join(reversed(parts)) if parts else None
        return ".".join(reversed(parts))

    def usages(self) -> Iterator[Usage]:
        names = [
            (self.name_of(call.func if isinstance(call, ast.Call) else call), call) for call in self.calls
        ]
        for name, call in names:
            if name in _DYNAMIC and isinstance(call, ast.Call):
                module = _literal(call)
                if module is None:
                    yield self._usage(call, UNRESOLVED, "", _source_of(call), "")
                else:
                    self.imported.append((module, call))
        used = {name for name, _ in names if name} | {module for module, _ in self.imported}
        for entry, evidence in self.entries:
            matched = [
                (m, n) for m, n in self.imported if any(module_matches(p, m) for p in evidence.imports)
            ]
            if not matched:
                continue
            if evidence.import_is_usage:
                seen: set[int] = set()
                for module, node in matched:
                    if id(node) not in seen:
                        seen.add(id(node))
                        yield self._usage(node, entry.kind, entry.library, module, entry.id)
                continue
            if evidence.with_ and not any(_under(w, used) for w in evidence.with_):
                continue
            for name, call in names:
                if name is None or (
                    evidence.calls and not any(call_matches(p, name) for p in evidence.calls)
                ):
                    continue
                if evidence.arguments and not _passes(call, evidence.arguments):
                    continue
                yield self._usage(call, entry.kind, entry.library, name, entry.id)

    def _usage(self, node: ast.stmt | ast.expr, kind: str, library: str, symbol: str, entry: str) -> Usage:
        return Usage(self.file, node.lineno, node.col_offset + 1, kind, library, symbol, entry)


def _source_of(call: ast.Call) -> str:
    try:
        return ast.unparse(call)[:200]
    except (RecursionError, ValueError):  # a hostile, deeply nested argument
        return "(a dynamic import)"


def _literal(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _passes(call: ast.expr, arguments: Iterable[str]) -> bool:
    if not isinstance(call, ast.Call):
        return False
    wanted = set(arguments)
    return any(keyword.arg in wanted for keyword in call.keywords)


def _under(name: str, used: set[str]) -> bool:
    return any(item == name or item.startswith(name + ".") for item in used)
