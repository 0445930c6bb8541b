"""`archlint config`: the effective configuration and where each value came from."""

from __future__ import annotations

import argparse
import json
import sys

from ..config import describe, load_for


def run(args: argparse.Namespace) -> int:
    resolved, catalog = load_for(args)
    rows = describe(resolved, catalog)
    if args.format == "json":
        payload = {
            "config_file": resolved.file,
            "values": [{"key": key, "value": value, "origin": origin} for key, value, origin in rows],
        }
        json.dump(payload, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    print(f"config file: {resolved.file or 'none found'}")
    width = max(len(key) for key, _, _ in rows)
    for key, value, origin in rows:
        print(f"{key:<{width}}  {value}  ({origin})")
    return 0
