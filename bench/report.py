"""Time `archlint report` on a generated portfolio and measure the HTML page.

    python bench/report.py [--count 500] [--workdir DIR] [--runs 3]

Writes `--count` feature files with bench/generate.py (deterministic), then reports for each
run: the whole command (check + decide + render, in a fresh process), the HTML rendering alone
(from the command's JSON, in this process) and the page's size. The issue's target is a
500-feature page rendered in under 2 s and smaller than 5 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", default=None)
    parser.add_argument(
        "--browser", action="store_true", help="also time loading the page in headless /usr/bin/chromium"
    )
    args = parser.parse_args(argv)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="archlint-report-bench-"))
    corpus = workdir / f"corpus-{args.count}"
    if not corpus.exists():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(corpus), "--count", str(args.count)], check=True
        )
    env = {**os.environ, "ARCHLINT_QUIET": "1"}
    page = workdir / "portfolio.html"
    data_file = workdir / "portfolio.json"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "archlint",
            "report",
            "--isolated",
            str(corpus),
            "--format",
            "json",
            "-o",
            str(data_file),
        ],
        check=True,
        env=env,
    )
    from archlint.portfolio import html

    data = json.loads(data_file.read_text(encoding="utf-8"))
    for run in range(1, args.runs + 1):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "archlint", "report", "--isolated", str(corpus), "-o", str(page)],
            check=True,
            env=env,
        )
        command = time.perf_counter() - start
        start = time.perf_counter()
        text = html.render(data)
        render = time.perf_counter() - start
        size = len(text.encode("utf-8"))
        print(
            f"run {run}: {len(data['features'])} features; archlint report (whole command) {command:.2f} s; "
            f"HTML rendering alone {render:.2f} s; page {size / 1_000_000:.2f} MB ({page})"
        )
    if args.browser:
        print(
            f"chromium: page loaded and laid out in {_browser_load(page):.2f} s "
            "(navigation start to load end)"
        )
    return 0


def _browser_load(page: Path) -> float:
    """Seconds from navigation start to the end of the load event, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
            args=["--no-sandbox", "--disable-gpu"],
        )
        tab = browser.new_page()
        tab.goto(page.as_uri())
        tab.wait_for_load_state("load")
        seconds: float = tab.evaluate(
            "(() => performance.getEntriesByType('navigation')[0].loadEventEnd / 1000)()"
        )
        browser.close()
    return seconds


if __name__ == "__main__":
    raise SystemExit(main())
