"""The one module that talks to the CEL implementation (cel-expr-python).

Policies only see `compile_expression` and `Program.evaluate`, so the engine
could switch CEL libraries by rewriting this file alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from typing import Any

# `decision` is bound only by the decision gates (archlint.decide): their walk state.
VARIABLES = ("apiVersion", "kind", "metadata", "spec", "params", "variables", "decision")

# Patterns as text, compiled by `re` when an error is first reported, not at import.
_STATUS = r"^(?:[A-Z][A-Z_]*: )+"
_POSITION = r"<input>:(\d+):(\d+): (.*)"


class CelCompileError(Exception):
    """An expression that does not compile; line/column are within the expression."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class CelEvalError(Exception):
    """An expression that failed on one document (absent key, bad types...)."""


class CelLimitError(CelEvalError):
    """An evaluation stopped by a bound (CEL's iteration budget, time, memory)."""


# CEL (cel-cpp) stops an evaluation after this many comprehension steps, counted over the
# whole expression; cel-expr-python offers no way to change it, nor a cost or time limit.
ITERATION_BUDGET = 10_000


@cache
def _environment() -> Any:
    from cel_expr_python import cel
    from cel_expr_python.ext import ext_optional, ext_strings

    return cel.NewEnv(
        variables=dict.fromkeys(VARIABLES, cel.Type.DYN),
        extensions=[ext_optional.ExtOptional(), ext_strings.ExtStrings()],
    )


class Program:
    """A compiled expression, equal to another with the same source.

    One restored from its serialized form (`restore`) is only deserialized
    when first evaluated, so a run answered from the cache never loads CEL;
    one `deferred` (an expression already checked when it was first
    compiled) is compiled when first evaluated.
    """

    __slots__ = ("_blob", "_compiled", "source")

    def __init__(self, source: str, compiled: Any = None, blob: bytes | None = None) -> None:
        self.source = source
        self._compiled = compiled
        self._blob = blob

    @classmethod
    def restore(cls, source: str, blob: bytes) -> Program:
        """A program from `serialize()`: trusted output of the same CEL build."""
        return cls(source, blob=blob)

    @classmethod
    def deferred(cls, source: str) -> Program:
        """A program compiled from `source` on first use: a source known to compile."""
        return cls(source)

    @property
    def ready(self) -> bool:
        """Compiled, or holding its compiled form: serializing it costs no compilation."""
        return self._compiled is not None or self._blob is not None

    def adopt(self, blob: bytes) -> None:
        """Take the compiled form of this source (from the cache) if not compiled yet."""
        if self._compiled is None and self._blob is None:
            self._blob = blob

    def serialize(self) -> bytes:
        if self._blob is None:
            self._blob = bytes(self._program().serialize())
        return self._blob

    def _program(self) -> Any:
        compiled = self._compiled
        if compiled is None:
            if self._blob is not None:
                try:
                    compiled = _environment().deserialize(self._blob)
                except Exception:  # not a program of this CEL build: compile the source instead
                    self._blob = None
            if compiled is None:
                compiled = _environment().compile(self.source)
            self._compiled = compiled
        return compiled

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Program) and other.source == self.source

    def __hash__(self) -> int:
        return hash(self.source)

    def __repr__(self) -> str:
        return f"Program({self.source!r})"

    def evaluate(self, activation: Any) -> Any:
        """Evaluate on an activation; raise CelEvalError on a CEL error value."""
        compiled = self._compiled
        if compiled is None:
            compiled = self._program()
        try:
            result = compiled.eval(activation)
        except RuntimeError as exc:  # CEL raises (rather than returns) on an exhausted budget
            raise _runtime_error(exc) from None
        if result.type().name() == "ERROR":
            raise CelEvalError(_first_line(str(result.value())))
        return result.plain_value()


def compile_expression(source: str) -> Program:
    """Compile once at load; raise CelCompileError with the expression position."""
    try:
        return Program(source, _environment().compile(source))
    except RuntimeError as exc:
        text = str(exc)
        match = re.search(_POSITION, text)
        if match:
            raise CelCompileError(match.group(3).strip(), int(match.group(1)), int(match.group(2))) from None
        raise CelCompileError(_first_line(text)) from None


def comprehension_depth(program: Program) -> int:
    """How deeply loops nest in the compiled expression: comprehensions (all, exists, map,
    filter...) inside the body of another. Read from the checked syntax tree, so comments,
    string literals and spacing cannot hide a loop; a comprehension over an empty list
    literal (cel.bind, optional.optMap) does not loop and does not count."""
    any_message = _fields(program.serialize())
    checked = _fields(_first(any_message, 2, b""))
    return _depth(_first(checked, 4, b""))


# Field numbers of cel.expr.Expr (cel-spec, syntax.proto) that hold sub-expressions.
_SELECT, _CALL, _LIST, _STRUCT, _COMPREHENSION = 5, 6, 7, 8, 9
_LOOP_BODY = (5, 6)  # Comprehension.loop_condition and loop_step: evaluated once per item
_ONCE = (2, 4, 7)  # iter_range, accu_init, result: evaluated once


def _depth(expr: bytes) -> int:
    deepest = 0
    stack = [(expr, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        fields = _fields(node)
        children: list[tuple[bytes, int]] = []
        for number, value in fields:
            if not isinstance(value, bytes):
                continue
            inner = _fields(value) if number in (_SELECT, _CALL, _LIST, _STRUCT, _COMPREHENSION) else []
            if number == _SELECT:
                children += [(v, depth) for n, v in inner if n == 1 and isinstance(v, bytes)]
            elif number == _CALL:
                children += [(v, depth) for n, v in inner if n in (1, 3) and isinstance(v, bytes)]
            elif number == _LIST:
                children += [(v, depth) for n, v in inner if n == 1 and isinstance(v, bytes)]
            elif number == _STRUCT:
                for n, entry in inner:
                    if n == 2 and isinstance(entry, bytes):
                        parts = _fields(entry)
                        children += [(v, depth) for m, v in parts if m in (3, 4) and isinstance(v, bytes)]
            elif number == _COMPREHENSION:
                iter_range = _first(inner, 2, b"")
                loops = not _is_empty_list(iter_range)
                body = depth + 1 if loops else depth
                deepest = max(deepest, body)
                for n, v in inner:
                    if isinstance(v, bytes) and n in _LOOP_BODY:
                        stack.append((v, body))
                    elif isinstance(v, bytes) and n in _ONCE:
                        stack.append((v, depth))
        stack.extend(children)
    return deepest


def _is_empty_list(expr: bytes) -> bool:
    fields = _fields(expr)
    lists = [value for number, value in fields if number == _LIST]
    return len(lists) == 1 and isinstance(lists[0], bytes) and not any(n == 1 for n, _ in _fields(lists[0]))


def _first(fields: list[tuple[int, bytes | int]], number: int, default: bytes) -> bytes:
    for field, value in fields:
        if field == number and isinstance(value, bytes):
            return value
    return default


def _fields(data: bytes) -> list[tuple[int, bytes | int]]:
    """The (field number, value) pairs of one protobuf message, in the wire format: varints as
    ints, length-delimited fields as bytes (sub-messages are decoded by the caller)."""
    fields: list[tuple[int, bytes | int]] = []
    index = 0
    while index < len(data):
        key, index = _varint(data, index)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, index = _varint(data, index)
            fields.append((number, value))
        elif wire == 2:
            size, index = _varint(data, index)
            fields.append((number, data[index : index + size]))
            index += size
        elif wire == 1:
            index += 8
        elif wire == 5:
            index += 4
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")
    return fields


def _varint(data: bytes, index: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[index]
        index += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, index
        shift += 7


def programs_in(value: Any) -> Iterator[Program]:
    """The programs in a tree of records and tuples (mappings hold none: tests, params)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Program):
            yield item
        elif isinstance(item, tuple):
            stack.extend(item)


def adopt_compiled(programs: Iterable[Program], forms: Mapping[str, Any]) -> None:
    """Give each program not compiled yet the compiled form `forms` holds for its source (hex
    text, as `serialize().hex()` wrote it); one that is not hex text is skipped, and that
    program compiles from source when first evaluated."""
    for program in programs:
        form = forms.get(program.source)
        if isinstance(form, str):
            try:
                program.adopt(bytes.fromhex(form))
            except ValueError:
                continue


def activation(data: Mapping[str, Any]) -> Any:
    """Bind variables once per document, for every rule evaluated on it."""
    return _environment().Activation(dict(data))


def _runtime_error(exc: RuntimeError) -> CelEvalError:
    text = str(exc)
    if "budget exceeded" in text.lower():
        steps = f"{ITERATION_BUDGET:,} comprehension steps per evaluation"
        return CelLimitError(f"it exceeded CEL's iteration budget ({steps})")
    return CelEvalError(_first_line(text))


def _first_line(text: str) -> str:
    # Drop absl status codes ("INVALID_ARGUMENT: ", "UNKNOWN: ", "ERROR: "): noise to a reader.
    text = re.sub(_STATUS, "", text.strip())
    return text.splitlines()[0] if text else "evaluation error"
