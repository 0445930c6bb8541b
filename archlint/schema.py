"""Validate data against the published schemas.

The verdict comes from a validator compiled ahead of time (microseconds, no
heavy imports). Only when it says "invalid" is jsonschema imported to list
every error with its document path, so clean runs never pay for it.
"""

import json
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, Literal, NamedTuple

from . import resources
from .loader import Path

SchemaName = Literal["ai-feature", "policy", "decision"]

# YAML 1.1 spelled booleans many ways; YAML 1.2 (what archlint reads) keeps
# these as strings, so point the author at the spelling that works.
_YAML11_BOOLEANS = frozenset(
    ["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"]
)


class SchemaProblem(NamedTuple):
    """One way a document breaks the schema, at the path it concerns.

    `fix` is the mechanical repair when there is exactly one (what `check --fix` applies):
    ("rename", KEY) for an unknown key with a single close match, ("value", BOOL) for a
    YAML 1.1 boolean spelling in a boolean field.
    """

    path: Path
    message: str
    fix: tuple[str, Any] | None = None


def _fast_validator(name: SchemaName) -> Callable[[Any], Any]:
    import importlib

    module = importlib.import_module(f"archlint._{name.replace('-', '_').split('_')[-1]}_validator")
    validate: Callable[[Any], Any] = module.validate
    return validate


@cache
def load_schema(name: SchemaName) -> dict[str, Any]:
    """The schema document as published in `schemas/`."""
    schema: dict[str, Any] = json.loads(resources.read_text("schemas", f"{name}.v1.schema.json"))
    return schema


def validate(data: Any, name: SchemaName = "ai-feature") -> list[SchemaProblem]:
    """Return every schema problem in `data`, sorted by path; [] when valid."""
    try:
        _fast_validator(name)(data)
    except ValueError:
        return explain(data, name)
    return []


@cache
def _slow_validator(name: SchemaName) -> Any:
    jsonschema = _import_jsonschema()
    schema = _inline_references(load_schema(name))
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def _import_jsonschema() -> Any:
    """jsonschema, without the optional IRI-format package it would load if installed.

    `import jsonschema` imports rfc3987_syntax when present (it comes with jsonschema's format
    extras, which other packages install), and that package compiles 38 lark grammars at
    import: 2.6 s before the first schema error could be explained. The schemas use no IRI
    format, so the import is refused for as long as jsonschema loads (a None entry in
    sys.modules makes an import fail; jsonschema then skips that checker), then restored.
    """
    import sys

    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    blocked = "rfc3987_syntax"
    before = sys.modules.get(blocked, _MISSING)
    if before is _MISSING:
        sys.modules[blocked] = None  # type: ignore[assignment]
    try:
        import jsonschema
    finally:
        if before is _MISSING:
            del sys.modules[blocked]
    return jsonschema


_MISSING = object()


# Keywords beside a $ref that only annotate: the definition can replace the $ref.
_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "deprecated", "$comment"})


def _inline_references(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with each local `#/$defs/X` reference replaced by the definition itself.

    The same errors at the same document paths (a test compares them), about a
    third faster to explain: jsonschema no longer resolves a reference at each
    step. A reference with sibling keywords that constrain, or one that leads
    back to itself, is kept.
    """
    definitions = schema.get("$defs", {})

    def inline(node: Any, seen: frozenset[str]) -> Any:
        if isinstance(node, list):
            return [inline(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/$defs/"):
            name = reference.removeprefix("#/$defs/")
            if name in definitions and name not in seen and set(node) - {"$ref"} <= _ANNOTATIONS:
                return inline(definitions[name], seen | {name})
        return {key: inline(value, seen) for key, value in node.items()}

    inlined: dict[str, Any] = inline(schema, frozenset())
    return inlined


# The kind each schema's documents declare: a document that has neither it nor an
# `apiVersion` of archlint/... is not one of archlint's, whatever its file's name.
KINDS: dict[str, str] = {"ai-feature": "AIFeature", "policy": "PolicySet", "decision": "DecisionGates"}


def claims(data: Any, name: SchemaName) -> bool:
    """Whether `data` says it is meant as a document of this schema: a mapping whose
    `apiVersion` starts with archlint/ or whose `kind` is the schema's (one is enough: a
    document missing the other is still explained in full)."""
    if not isinstance(data, dict):
        return False
    version = data.get("apiVersion")
    return data.get("kind") == KINDS[name] or (isinstance(version, str) and version.startswith("archlint/"))


def explain(data: Any, name: SchemaName = "ai-feature") -> list[SchemaProblem]:
    """List every schema error with a path and a message written for people.

    A document that does not claim to be one of this schema's gets one problem that quotes
    nothing of it: a link named like a feature or policy file can point at any file
    (/etc/passwd), and no report may carry that file's content.
    """
    if not claims(data, name):
        kind = KINDS[name]
        shape = "a mapping" if isinstance(data, dict) else _type_words(_json_type(data))
        return [
            SchemaProblem(
                (),
                f"document: not an archlint {kind} document (got {shape} with neither apiVersion: "
                f"archlint/v1 nor kind: {kind}); its content is not checked or shown",
            )
        ]
    problems: list[SchemaProblem] = []
    for error in _errors(data, name):
        problems.extend(_describe(error))
    return sorted(set(problems), key=lambda p: ([str(part) for part in p.path], p.message))


def _errors(data: Any, name: SchemaName) -> Iterable[Any]:
    """jsonschema's errors: imported only here, for a document the compiled validator refused."""
    errors: Iterable[Any] = _slow_validator(name).iter_errors(data)
    return errors


def _describe(error: Any) -> list[SchemaProblem]:
    path: Path = tuple(error.absolute_path)
    validator = error.validator
    value = error.instance
    if validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extras = [key for key in value if key not in error.schema.get("properties", {})]
        return [
            SchemaProblem((*path, key), _unknown_field(key, allowed), _rename(key, allowed)) for key in extras
        ]
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return [SchemaProblem(path, f"missing required field '{missing}'")]
    where = _dotted(path) or "document"
    if validator == "type":
        expected = error.validator_value
        message = f"{where}: expected {_type_words(expected)}, got {_describe_value(value)}"
        fix: tuple[str, Any] | None = None
        if expected == "boolean" and isinstance(value, str) and value in _YAML11_BOOLEANS:
            message += " (YAML 1.2 reads yes/no/on/off as strings: write true or false)"
            fix = ("value", value.lower() in ("y", "yes", "on"))
        elif expected == "object" and value is None:
            message += " (an empty section: remove the key or fill it in)"
        return [SchemaProblem(path, message, fix)]
    if validator == "enum":
        options = ", ".join(str(option) for option in error.validator_value)
        hint = _close(value, [str(option) for option in error.validator_value])
        return [SchemaProblem(path, f"{where}: {_describe_value(value)} is not one of: {options}{hint}")]
    if validator == "const":
        return [
            SchemaProblem(path, f"{where}: must be {error.validator_value!r}, got {_describe_value(value)}")
        ]
    if validator == "pattern":
        shown = _describe_value(value)
        return [SchemaProblem(path, f"{where}: {shown} does not match the pattern {error.validator_value}")]
    if validator == "format":
        shown = _describe_value(value)
        return [SchemaProblem(path, f"{where}: {shown} is not a valid {error.validator_value}")]
    # jsonschema's own messages quote the whole value: shorten a long one.
    return [SchemaProblem(path, f"{where}: {error.message.replace(repr(value), _describe_value(value))}")]


def _unknown_field(key: str, allowed: list[str]) -> str:
    hint = _close(key, allowed)
    if hint:
        return f"unknown field '{_shown(key)}'{hint}"
    return f"unknown field '{_shown(key)}' (allowed here: {', '.join(allowed)})"


def _rename(key: str, allowed: list[str]) -> tuple[str, Any] | None:
    """("rename", the key meant) when exactly one allowed key is close to `key`."""
    import difflib

    matches = difflib.get_close_matches(key, allowed, n=2, cutoff=0.6)
    return ("rename", matches[0]) if len(matches) == 1 else None


def _shown(text: str, limit: int = 60) -> str:
    """A key from the document inside a one-line message."""
    from .messages import one_line

    return one_line(text, limit)


def _close(value: Any, options: list[str]) -> str:
    import difflib  # only when explaining a broken document

    matches = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def _dotted(path: Path) -> str:
    return ".".join(_shown(part) if isinstance(part, str) else str(part) for part in path)


def _type_words(expected: Any) -> str:
    names = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "boolean": "true or false",
        "null": "null",
    }
    if isinstance(expected, list):
        return " or ".join(names.get(item, str(item)) for item in expected)
    return names.get(expected, str(expected))


def _json_type(value: Any) -> str:
    """The JSON Schema type name of a loaded YAML value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "string"


def _describe_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37] + "...")
    return repr(value)
