"""`python -m archlint` and the `archlint` console script."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import NoReturn


def main(argv: Sequence[str] | None = None) -> int:
    from .cli import main as cli_main

    return cli_main(argv)


def run() -> NoReturn:
    """The console script: `main()`, then exit at once.

    Python would otherwise tear the interpreter down first, freeing every
    module and object one by one: about 10 ms, a tenth of a pre-commit run on
    one file. Nothing is lost: files are written and closed and worker
    processes stopped before `main()` returns; only the standard streams are
    flushed here.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: the output did not get through
        code = code or 1
    os._exit(code)


if __name__ == "__main__":
    run()
