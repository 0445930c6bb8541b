"""`archlint schema`: print a published JSON Schema, or write it where editors can find it."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

from .. import resources
from ..errors import UsageError

FEATURE_SCHEMA = "ai-feature.v1.schema.json"
POLICY_SCHEMA = "policy.v1.schema.json"


def run(args: argparse.Namespace) -> int:
    name = POLICY_SCHEMA if args.policy else FEATURE_SCHEMA
    if args.write is None:
        sys.stdout.write(resources.read_text("schemas", name))
        return 0
    folder = os.path.isdir(args.write) or args.write.endswith(("/", os.sep))
    target = os.path.join(args.write, name) if folder else args.write
    changed = write_schema(target, name)
    print(f"archlint: {'wrote' if changed else 'up to date:'} {target}", file=sys.stderr)
    return 0


def write_schema(path: str, name: str = FEATURE_SCHEMA) -> bool:
    """Write the schema archlint ships to `path` (folders created); False when it already
    holds exactly that. A file there that is not an archlint schema is never replaced."""
    text = resources.read_text("schemas", name)
    if os.path.islink(path):
        raise UsageError("is a symbolic link; archlint does not write through it", path)
    if os.path.exists(path):
        try:
            with open(path, encoding="utf-8") as handle:
                current = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the existing file: {exc}", path) from None
        if current == text:
            return False
        if _schema_id(current) != _schema_id(text):
            raise UsageError("exists and is not an archlint schema; not replaced", path)
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".archlint-schema-", suffix=".tmp")
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        raise UsageError(f"cannot write the schema: {exc.strerror or exc}", path) from None
    return True


def _schema_id(text: str) -> object:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data.get("$id") if isinstance(data, dict) else None
