"""`archlint report`: what the portfolio holds, its formats, escaping and merging repositories."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from archlint.cli import main
from archlint.discovery import is_feature_file
from archlint.portfolio import aggregate

from ..conftest import CLEAN_RAG_FEATURE
from .conftest import EXAMPLES, HOSTILE_FEATURE, TODAY, report


def _feature(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in data["features"] if f["name"] == name)


def test_examples_portfolio_holds_every_feature_with_its_decision(examples_portfolio: dict[str, Any]) -> None:
    named = (p for p in EXAMPLES.rglob("*") if p.is_file() and is_feature_file(p.name))
    files = sorted(str(p.relative_to(EXAMPLES.parent)) for p in named)
    assert sorted({f["file"] for f in examples_portfolio["features"]}) == files
    rag001 = next(f for f in examples_portfolio["features"] if "RAG001" in f["file"])
    assert [f["rule"] for f in rag001["findings"]].count("RAG001") == 1
    assert rag001["approach"] == "rag" and rag001["recommended"] in aggregate.APPROACHES
    assert rag001["decision"]["steps"][-1]["recommendation"] == rag001["recommended"]
    dec001 = next(f for f in examples_portfolio["features"] if "DEC001" in f["file"])
    assert aggregate.differs(dec001)
    # A file that is not YAML is still a row of the inventory, not assessed.
    invalid = next(f for f in examples_portfolio["features"] if "SCH002" in f["file"])
    assert invalid["valid"] is False and invalid["decision"] is None


def test_headline_counts_waivers_by_expiry(examples_portfolio: dict[str, Any]) -> None:
    head = aggregate.headline(examples_portfolio["features"], TODAY)
    expiries = [w["expires"] for f in examples_portfolio["features"] for w in f["waivers"]]
    assert head.waivers == len(expiries) > 0
    assert head.waivers_expired == sum(1 for e in expiries if e < TODAY) >= 1  # WVR001's example
    assert head.waivers_active + head.waivers_expired == head.waivers
    assert head.expiring_30 <= head.expiring_60 <= head.expiring_90 <= head.waivers_active
    assert head.errors == sum(
        1
        for f in examples_portfolio["features"]
        for x in f["findings"]
        if x["severity"] == "error" and not x["waived"]
    )


def test_controls_view_counts_every_feature_once_per_control(examples_portfolio: dict[str, Any]) -> None:
    view = dict(aggregate.controls_view(examples_portfolio["features"], examples_portfolio["rules"]))
    assert set(view) >= {"owasp-llm-2025", "nist-ai-rmf-1.0"}
    total = len(examples_portfolio["features"])
    llm08 = next(row for row in view["owasp-llm-2025"] if row.control.id == "LLM08")
    assert "RAG001" in llm08.control.rules
    assert llm08.passing + llm08.failing + llm08.waived + llm08.not_assessed == total
    failing = {examples_portfolio["features"][i]["file"] for i in llm08.failing_features}
    assert any("RAG001" in name for name in failing)


def test_html_is_self_contained_and_escapes_every_feature_value(tmp_path: Path) -> None:
    (tmp_path / "hostile.ai-feature.yaml").write_text(HOSTILE_FEATURE, encoding="utf-8")
    page = report(tmp_path, str(tmp_path), fmt="html")
    assert "<script>alert(" not in page
    assert 'onerror="alert' not in page and "<svg onload" not in page and "<b>key</b>" not in page
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in page
    assert "&lt;svg onload=alert(&#39;approver&#39;)&gt;" in page
    # Nothing is fetched: no URL an element would load.
    for needle in ('src="http', "src='http", 'href="http://', "@import", "url(http", '<link rel="stylesheet'):
        assert needle not in page
    assert page.count("<script>") == 1  # the page's own table script


def test_json_merges_other_repositories_with_from_json(tmp_path: Path) -> None:
    repos = []
    for name, owner in (("payments", "team-pay"), ("search", "team-search")):
        repo = tmp_path / name
        repo.mkdir()
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        text = CLEAN_RAG_FEATURE.replace("docs-search", f"{name}-assistant").replace("platform", owner)
        (repo / "ai-feature.yaml").write_text(text, encoding="utf-8")
        repos.append(repo)
    first = tmp_path / "payments.json"
    assert main(["report", "--isolated", "--format", "json", "-o", str(first), str(repos[0])]) == 0
    merged = json.loads(report(tmp_path, str(repos[1]), "--from-json", str(first)))
    names = {(f["name"], f["owner"]) for f in merged["features"]}
    assert names == {("payments-assistant", "team-pay"), ("search-assistant", "team-search")}
    assert len(merged["sources"]) == 2
    # Only other reports: no local scan of the current folder.
    only = json.loads(report(tmp_path, "--from-json", str(first)))
    assert [f["name"] for f in only["features"]] == ["payments-assistant"]


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        '{"archlint_portfolio": 99, "features": []}',
        '{"archlint_portfolio": 1, "features": {}}',
    ],
)
def test_from_json_refuses_what_is_not_a_portfolio(
    tmp_path: Path, content: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    assert main(["report", "--isolated", "--from-json", str(bad), "-o", str(tmp_path / "out.html")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("archlint: error:") and "Traceback" not in err


def test_from_json_survives_wrong_types_in_features(tmp_path: Path) -> None:
    hostile = {
        "archlint_portfolio": 1,
        "rules": {"X001": {"mappings": {"owasp-llm-2025": ["LLM01"]}}, "bad": 3},
        "features": [
            {
                "name": ["<script>"],
                "owner": 5,
                "labels": "x",
                "findings": [{"severity": "fatal"}, 7],
                "waivers": [1],
            },
        ],
    }
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(hostile), encoding="utf-8")
    page = report(tmp_path, "--from-json", str(path), fmt="html")
    assert "(unnamed)" in page


def test_csv_quotes_formulas_and_has_a_row_per_feature(tmp_path: Path) -> None:
    (tmp_path / "a.ai-feature.yaml").write_text(
        CLEAN_RAG_FEATURE.replace("owner: platform", "owner: '=HYPERLINK(\"http://x\")'"), encoding="utf-8"
    )
    rows = list(csv.DictReader(io.StringIO(report(tmp_path, str(tmp_path), fmt="csv"))))
    assert len(rows) == 1
    assert rows[0]["owner"].startswith("'=")
    assert rows[0]["name"] == "docs-search" and rows[0]["approach"] == "rag"


def test_markdown_escapes_table_cells(tmp_path: Path) -> None:
    (tmp_path / "hostile.ai-feature.yaml").write_text(HOSTILE_FEATURE, encoding="utf-8")
    text = report(tmp_path, str(tmp_path), fmt="markdown")
    assert "<script>" not in text and "## Controls: OWASP Top 10 for LLM Applications 2025" in text
    row = next(line for line in text.splitlines() if "alert(&#39;name" in line or "alert('name" in line)
    assert row.count("|") - row.count("\\|") == 8


def test_bad_today_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--isolated", "--today", "tomorrow", str(tmp_path)]) == 2
    assert "--today" in capsys.readouterr().err


def test_output_to_a_directory_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["report", "--isolated", str(EXAMPLES / "clean"), "-o", str(tmp_path)]) == 2


def test_rule_prose_keeps_code_blocks_and_escapes_everything() -> None:
    from archlint.portfolio.html import prose

    text = (
        "Why `a<b>` matters\nacross lines.\n\n- one <i>\n- two\n\n```yaml\nkey:\n  <script>x</script>\n```\n"
    )
    html = str(prose(text))
    assert html.startswith("<p>Why <code>a&lt;b&gt;</code> matters across lines.</p>")
    assert "<ul><li>one &lt;i&gt;</li><li>two</li></ul>" in html
    assert "<pre><code>key:\n  &lt;script&gt;x&lt;/script&gt;</code></pre>" in html
    assert "<script>" not in html and "<i>" not in html


@pytest.mark.slow
def test_a_generated_portfolio_of_500_features_stays_small(tmp_path: Path) -> None:
    import sys

    corpus = tmp_path / "corpus"
    generate = Path(__file__).resolve().parents[2] / "bench" / "generate.py"
    subprocess.run([sys.executable, str(generate), str(corpus), "--count", "500"], check=True)
    page = report(tmp_path, str(corpus), fmt="html")
    assert page.count('<article class="feature"') >= 500
    assert len(page.encode("utf-8")) < 5_000_000  # the bound (measured: about 1.5 MB)


def test_the_same_report_merged_twice_counts_once(tmp_path: Path) -> None:
    first = tmp_path / "clean.json"
    assert main(["report", "--isolated", "--format", "json", "-o", str(first), str(EXAMPLES / "clean")]) == 0
    once = json.loads(first.read_text(encoding="utf-8"))
    twice = json.loads(report(tmp_path, "--from-json", str(first), "--from-json", str(first)))
    assert [f["name"] for f in twice["features"]] == [f["name"] for f in once["features"]]
