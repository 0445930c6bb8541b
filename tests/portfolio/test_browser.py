"""The report as a person sees it: rendered by a real headless Chromium (Debian's `chromium`,
driven by playwright without any downloaded browser), from a file:// URL."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import EXAMPLES, HOSTILE_FEATURE, report

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian's chromium (installed by .ci/run)"),
]


class Page:
    """A loaded page, with what the browser complained about."""

    def __init__(self, page: Any, problems: list[str], requests: list[str]) -> None:
        self.page = page
        self.problems = problems
        self.requests = requests


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=ARGS, viewport={"width": 1280, "height": 1000}
        )
        yield context
        context.close()


def _open(browser: Any, html_file: Path) -> Page:
    page = browser.new_page()
    problems: list[str] = []
    requests: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("request", lambda request: requests.append(request.url))
    page.goto(html_file.as_uri())
    page.wait_for_load_state("load")
    return Page(page, problems, requests)


@pytest.fixture(scope="module")
def examples_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    folder = tmp_path_factory.mktemp("report")
    html_file = folder / "report.html"
    html_file.write_text(report(folder, str(EXAMPLES), fmt="html"), encoding="utf-8")
    opened = _open(browser, html_file)
    yield opened
    opened.page.close()


def test_renders_without_errors_or_network_and_takes_a_screenshot(
    examples_page: Page, examples_portfolio: dict[str, Any], tmp_path: Path
) -> None:
    page = examples_page.page
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert examples_page.problems == []
    assert all(url.startswith("file://") for url in examples_page.requests)
    count = len(examples_portfolio["features"])
    assert page.inner_text("[data-key=features] dd") == str(count)
    assert page.locator("#feature-table tbody tr").count() == count
    assert page.locator("article.feature").count() == count
    assert page.inner_text("#shown") == str(count)


def test_every_chart_figure_holds_a_drawn_chart(examples_page: Page) -> None:
    page = examples_page.page
    figures = page.locator("figure.chart-figure")
    keys = figures.evaluate_all("(fs) => fs.map((f) => f.dataset.chart)")
    assert keys[:4] == ["approach", "rules", "owners", "waivers"]
    assert {"controls-owasp-llm-2025", "controls-nist-ai-rmf-1.0"} <= set(keys)
    sizes = figures.evaluate_all(
        "(fs) => fs.map((f) => { const s = f.querySelector('svg'); const b = s.getBoundingClientRect();"
        " return [b.width, b.height, s.querySelectorAll('rect').length]; })"
    )
    for width, height, bars in sizes:
        assert width > 200 and height > 20 and bars > 0


def test_filter_and_sort_work(examples_page: Page, examples_portfolio: dict[str, Any]) -> None:
    page = examples_page.page
    visible = "#feature-table tbody tr:not([hidden])"
    page.fill("#filter", "support-assistant")
    assert page.locator(visible).count() == 1
    assert page.inner_text(f"{visible} td a") == "support-assistant"
    assert page.inner_text("#shown") == "1"
    page.fill("#filter", "")
    page.select_option("#approach-filter", "fine-tuning")
    expected = sum(1 for f in examples_portfolio["features"] if f["approach"] == "fine-tuning")
    assert page.locator(visible).count() == expected
    page.select_option("#approach-filter", "")
    page.check("#errors-only")
    errors = page.locator(f"{visible} td:nth-child(5)").all_inner_texts()
    assert errors and all(int(n) > 0 for n in errors)
    page.uncheck("#errors-only")
    page.click("button[data-sort='4']")  # errors, ascending
    page.click("button[data-sort='4']")  # descending
    column = [int(n) for n in page.locator("#feature-table tbody td:nth-child(5)").all_inner_texts()]
    assert column == sorted(column, reverse=True)
    # A row links to its feature's section.
    page.click("#feature-table tbody tr:first-child td a")
    assert page.evaluate("location.hash").startswith("#feature-")
    assert examples_page.problems == []


def test_hostile_values_render_as_text(browser: Any, tmp_path: Path) -> None:
    (tmp_path / "hostile.ai-feature.yaml").write_text(HOSTILE_FEATURE, encoding="utf-8")
    html_file = tmp_path / "report.html"
    html_file.write_text(report(tmp_path, str(tmp_path), fmt="html"), encoding="utf-8")
    opened = _open(browser, html_file)
    page = opened.page
    assert page.inner_text("#feature-table tbody tr td a") == "<script>alert('name')</script>"
    assert page.locator("script").count() == 1
    assert page.locator("article.feature img, article.feature svg[onload], article.feature b").count() == 0
    assert opened.problems == []
    page.close()
