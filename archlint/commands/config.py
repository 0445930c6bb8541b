"""`archlint config [PATH]`: the effective configuration, each value's layer and origin."""

from __future__ import annotations

import argparse
import json
import os
import sys

from ..config import describe, load_for
from ..errors import UsageError
from ..inert import InertLines


def run(args: argparse.Namespace) -> int:
    path = getattr(args, "path", None)
    if path is not None and not os.path.exists(path):
        raise UsageError("no such file or directory", path)
    # A folder is configured like the files in it.
    target = os.path.join(path, "_") if path is not None and os.path.isdir(path) else path
    resolved, catalog = load_for(args, path=target)
    rows = describe(resolved, catalog)
    if args.format == "json":
        payload = {
            "config_file": resolved.file,
            "org_config": resolved.org,
            "values": [row._asdict() for row in rows],
        }
        json.dump(payload, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    # Paths and values come from the repository's files: printed inert.
    with InertLines(sys.stdout) as out:
        if path is not None:
            print(f"for: {path}", file=out)
        print(f"config file: {resolved.file or 'none found'}", file=out)
        if resolved.org is not None:
            print(f"org config: {resolved.org}{' (locked)' if resolved.locked else ''}", file=out)
        width = max(len(row.key) for row in rows)
        for row in rows:
            where = row.origin if row.layer == "default" else f"{row.layer}: {row.origin}"
            print(f"{row.key:<{width}}  {row.value}  ({where})", file=out)
    return 0
