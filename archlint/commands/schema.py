"""`archlint schema`: print a published JSON Schema."""

from __future__ import annotations

import argparse
import sys

from .. import resources


def run(args: argparse.Namespace) -> int:
    name = "policy.v1.schema.json" if args.policy else "ai-feature.v1.schema.json"
    sys.stdout.write(resources.read_text("schemas", name))
    return 0
