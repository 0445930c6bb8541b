"""Render `archlint report examples/` in headless Chromium and save the README's screenshot.

    python tools/screenshot_report.py [--out docs/img/report.png] [--full-page]

Needs Debian's `chromium` (/usr/bin/chromium, or $CHROMIUM) and the playwright package (dev
extra); playwright drives that browser, it downloads none. The report is judged on a fixed day
so the picture does not change from one day to the next.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TODAY = "2026-12-01"


def chromium() -> str:
    return os.environ.get("CHROMIUM", "/usr/bin/chromium")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "img" / "report.png"))
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the first screen")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as scratch:
        page_file = Path(scratch) / "portfolio.html"
        # A copy in a repository of a fixed name: the page names its source after the repository,
        # which would otherwise be whatever this checkout's folder is called.
        repository = Path(scratch) / "archlint-examples"
        shutil.copytree(ROOT / "examples", repository / "examples")
        subprocess.run(["git", "init", "-q", str(repository)], check=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "archlint",
                "report",
                "--isolated",
                "examples",
                "--today",
                TODAY,
                "-o",
                str(page_file),
            ],
            cwd=repository,
            check=True,
            env={**os.environ, "ARCHLINT_QUIET": "1"},
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch_persistent_context(
                str(Path(scratch) / "profile"),
                executable_path=chromium(),
                args=CHROMIUM_ARGS,
                viewport={"width": 1280, "height": 1100},
            )
            page = browser.new_page()
            page.goto(page_file.as_uri())
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=args.out, full_page=args.full_page)
            browser.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
