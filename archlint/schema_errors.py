"""Every way a document breaks a JSON Schema, without importing jsonschema.

Importing jsonschema takes about 100 ms, which a run paid as soon as one file
was invalid. This walks the part of Draft 2020-12 the published schemas use
and yields errors shaped like jsonschema's ValidationError (the attributes
`schema._describe` reads), with jsonschema's messages. A schema that uses
any other keyword is not `supported`, and jsonschema explains it instead.
tests/test_fast_slow_paths.py holds the two to the same answers.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

_CHECKED = frozenset(
    {
        "$ref",
        "type",
        "properties",
        "additionalProperties",
        "required",
        "enum",
        "const",
        "pattern",
        "format",
        "minimum",
        "exclusiveMinimum",
        "maximum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "items",
    }
)
# Keywords that assert nothing.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples", "deprecated"}
)
_FORMATS = frozenset({"date"})
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")


class Error(NamedTuple):
    """What `schema._describe` reads of a jsonschema ValidationError."""

    message: str
    validator: str
    validator_value: Any
    instance: Any
    schema: Mapping[str, Any]
    absolute_path: tuple[str | int, ...]


_SUPPORTED: dict[int, tuple[Mapping[str, Any], bool]] = {}


def supports(schema: Mapping[str, Any]) -> bool:
    """True when every keyword of `schema` (and of its subschemas) is one this module checks."""
    known = _SUPPORTED.get(id(schema))
    if known is None or known[0] is not schema:
        known = _SUPPORTED[id(schema)] = (schema, _supports(schema))
    return known[1]


def _supports(schema: Mapping[str, Any]) -> bool:
    seen: set[int] = set()
    pending: list[Any] = [schema]
    while pending:
        node = pending.pop()
        if not isinstance(node, dict) or id(node) in seen:
            return isinstance(node, dict)  # a boolean schema: not handled here
        seen.add(id(node))
        for keyword, value in node.items():
            if keyword not in _CHECKED and keyword not in _ANNOTATIONS:
                return False
            if keyword == "$ref" and not (isinstance(value, str) and value.startswith("#/$defs/")):
                return False
            if keyword == "format" and value not in _FORMATS:
                return False
            if keyword == "type" and not all(kind in _TYPES for kind in _as_list(value)):
                return False
            if keyword in ("properties", "$defs"):
                pending.extend(value.values())
            elif keyword == "items" or (keyword == "additionalProperties" and isinstance(value, dict)):
                pending.append(value)
    return True


def iter_errors(schema: Mapping[str, Any], instance: Any) -> Iterator[Error]:
    """Every error jsonschema's Draft202012Validator (with format checks) reports, in some order."""
    return _walk(schema, instance, (), schema)


def _walk(
    schema: Mapping[str, Any], instance: Any, path: tuple[str | int, ...], root: Mapping[str, Any]
) -> Iterator[Error]:
    for keyword, value in schema.items():
        if keyword == "$ref":
            target: Any = root
            for part in value[2:].split("/"):
                target = target[part]
            yield from _walk(target, instance, path, root)
        elif keyword == "type":
            kinds = _as_list(value)
            if not any(_is_type(instance, kind) for kind in kinds):
                names = ", ".join(repr(kind) for kind in kinds)
                yield Error(f"{instance!r} is not of type {names}", keyword, value, instance, schema, path)
        elif keyword == "properties":
            if isinstance(instance, dict):
                for name, subschema in value.items():
                    if name in instance:
                        yield from _walk(subschema, instance[name], (*path, name), root)
        elif keyword == "additionalProperties":
            if isinstance(instance, dict):
                known = schema.get("properties", {})
                extras = [name for name in instance if name not in known]
                if isinstance(value, dict):
                    for name in extras:
                        yield from _walk(value, instance[name], (*path, name), root)
                elif value is False and extras:
                    ordered = sorted(extras, key=str)
                    verb = "was" if len(ordered) == 1 else "were"
                    listed = ", ".join(repr(name) for name in ordered)
                    message = f"Additional properties are not allowed ({listed} {verb} unexpected)"
                    yield Error(message, keyword, value, instance, schema, path)
        elif keyword == "required":
            if isinstance(instance, dict):
                for name in value:
                    if name not in instance:
                        message = f"{name!r} is a required property"
                        yield Error(message, keyword, value, instance, schema, path)
        elif keyword == "enum":
            if all(not _equal(option, instance) for option in value):
                message = f"{instance!r} is not one of {value!r}"
                yield Error(message, keyword, value, instance, schema, path)
        elif keyword == "const":
            if not _equal(instance, value):
                yield Error(f"{value!r} was expected", keyword, value, instance, schema, path)
        elif keyword == "pattern":
            if isinstance(instance, str) and not re.search(value, instance):
                message = f"{instance!r} does not match {value!r}"
                yield Error(message, keyword, value, instance, schema, path)
        elif keyword == "format":
            if isinstance(instance, str) and not _is_date(instance):
                message = f"{instance!r} is not a {value!r}"
                yield Error(message, keyword, value, instance, schema, path)
        elif keyword in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
            if _is_type(instance, "number"):
                yield from _bound(keyword, value, instance, schema, path)
        elif keyword in ("minLength", "maxLength"):
            if isinstance(instance, str):
                if keyword == "minLength" and len(instance) < value:
                    words = "should be non-empty" if value == 1 else "is too short"
                    yield Error(f"{instance!r} {words}", keyword, value, instance, schema, path)
                elif keyword == "maxLength" and len(instance) > value:
                    words = "is expected to be empty" if value == 0 else "is too long"
                    yield Error(f"{instance!r} {words}", keyword, value, instance, schema, path)
        elif keyword == "items" and isinstance(instance, list):
            for index, item in enumerate(instance):
                yield from _walk(value, item, (*path, index), root)


def _bound(
    keyword: str, bound: Any, instance: Any, schema: Mapping[str, Any], path: tuple[str | int, ...]
) -> Iterator[Error]:
    if keyword == "minimum" and instance < bound:
        message = f"{instance!r} is less than the minimum of {bound!r}"
    elif keyword == "exclusiveMinimum" and instance <= bound:
        message = f"{instance!r} is less than or equal to the minimum of {bound!r}"
    elif keyword == "maximum" and instance > bound:
        message = f"{instance!r} is greater than the maximum of {bound!r}"
    elif keyword == "exclusiveMaximum" and instance >= bound:
        message = f"{instance!r} is greater than or equal to the maximum of {bound!r}"
    else:
        return
    yield Error(message, keyword, bound, instance, schema, path)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _is_type(instance: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(instance, dict)
    if kind == "array":
        return isinstance(instance, list)
    if kind == "string":
        return isinstance(instance, str)
    if kind == "boolean":
        return isinstance(instance, bool)
    if kind == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if kind == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    return isinstance(instance, (int, float))  # "number"


def _is_date(text: str) -> bool:
    try:
        return bool(_DATE.fullmatch(text) and datetime.date.fromisoformat(text))
    except ValueError:
        return False


_TRUE, _FALSE = object(), object()


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's equality: true is not 1, false is not 0, also inside lists and mappings."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list | tuple) and isinstance(two, list | tuple):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        same = all(key in two and _equal(item, two[key]) for key, item in one.items())
        return len(one) == len(two) and same
    return bool(_unbool(one) == _unbool(two))


def _unbool(value: Any) -> Any:
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    return value
