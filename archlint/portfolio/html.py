"""The portfolio as one self-contained HTML page (Jinja2, autoescaped; styles, charts and
script inline, nothing fetched), readable from a file:// URL, as a CI artifact and on paper."""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from markupsafe import Markup, escape

from .. import __version__
from . import aggregate, charts, frameworks

SERIES_CONTROLS = ("passing", "failing", "waived", "not assessed")


def render(data: Mapping[str, Any]) -> str:
    """The HTML page of a portfolio (as `collect.portfolio` builds it)."""
    from jinja2 import Environment, StrictUndefined

    environment = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    environment.filters["prose"] = prose
    text = files(__package__).joinpath("templates", "report.html.j2").read_text(encoding="utf-8")
    return environment.from_string(text).render(**context(data))


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def _inline(text: str) -> Markup:
    """One paragraph's text, escaped, with `code` spans as <code>."""
    parts = _CODE_SPAN.split(text)
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )


def prose(text: str) -> Markup:
    """A rule's markdown rationale or remediation as a few safe HTML blocks: paragraphs
    (re-flowed), bullet lists, fenced code blocks (kept as written) and `code` spans. Every
    piece of text is escaped; nothing else of markdown is interpreted."""
    blocks: list[Markup] = []
    lines = text.strip().splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.lstrip().startswith("```"):
            end = index + 1
            while end < len(lines) and not lines[end].lstrip().startswith("```"):
                end += 1
            blocks.append(Markup("<pre><code>{}</code></pre>").format("\n".join(lines[index + 1 : end])))
            index = end + 1
            continue
        if not line.strip():
            index += 1
            continue
        paragraph = []
        while index < len(lines) and lines[index].strip() and not lines[index].lstrip().startswith("```"):
            paragraph.append(lines[index])
            index += 1
        if all(item.lstrip().startswith(("- ", "* ")) or item.startswith("  ") for item in paragraph):
            items: list[str] = []
            for item in paragraph:
                if item.lstrip().startswith(("- ", "* ")):
                    items.append(item.lstrip()[2:])
                elif items:
                    items[-1] += " " + item.strip()
            rows = Markup("").join(Markup("<li>{}</li>").format(_inline(item)) for item in items)
            blocks.append(Markup("<ul>{}</ul>").format(rows))
        else:
            blocks.append(Markup("<p>{}</p>").format(_inline(" ".join(part.strip() for part in paragraph))))
    return Markup("").join(blocks)


def context(data: Mapping[str, Any]) -> dict[str, Any]:
    features = data["features"]
    rules: Mapping[str, Mapping[str, Any]] = data["rules"]
    today: str = data["today"]
    head = aggregate.headline(features, today)
    chart_list = [
        (
            "approach",
            "Features by approach",
            charts.bar_chart("Features by approach", aggregate.by_approach(features), ["features"]),
        ),
        (
            "rules",
            "Open findings by rule and severity (top 20)",
            charts.bar_chart(
                "Open findings by rule and severity",
                aggregate.by_rule(features),
                aggregate.SEVERITIES,
                "no open findings",
            ),
        ),
        (
            "owners",
            "Open findings by owner (top 20)",
            charts.bar_chart(
                "Open findings by owner", aggregate.by_owner(features), aggregate.SEVERITIES, "no features"
            ),
        ),
        (
            "waivers",
            "Waivers by time to expiry",
            charts.bar_chart(
                "Waivers by time to expiry",
                aggregate.expiry_timeline(features, today),
                ["waivers"],
                "no waivers",
                row_colours={"expired": charts.COLOURS["error"], "0-30 days": "#E69F00"},
            ),
        ),
    ]
    controls = []
    for framework, rows in aggregate.controls_view(features, rules):
        series = [
            (
                row.control.id,
                {
                    "passing": row.passing,
                    "failing": row.failing,
                    "waived": row.waived,
                    "not assessed": row.not_assessed,
                },
            )
            for row in rows
        ]
        controls.append(
            {
                "id": framework,
                "title": frameworks.title(framework),
                "rows": rows,
                "svg": charts.bar_chart(
                    f"{frameworks.title(framework)}: features per control",
                    series,
                    SERIES_CONTROLS,
                    notes={row.control.id: f"{row.failing} failing" for row in rows},
                    hints={row.control.id: f"{row.control.id} {row.control.title}".strip() for row in rows},
                ),
            }
        )
    fired = {f["rule"] for feature in features for f in feature["findings"]}
    shown_rules = [
        {"id": rule_id, **record}
        for rule_id, record in sorted(rules.items())
        if rule_id in fired or record.get("mappings")
    ]
    return {
        "version": __version__,
        "today": today,
        "sources": data.get("sources") or [],
        "head": head,
        "charts": [{"key": key, "title": title, "svg": svg} for key, title, svg in chart_list],
        "approaches": [approach for approach, _ in aggregate.by_approach(features)],
        "features": features,
        "rows": [_row(index, feature, rules, today) for index, feature in enumerate(features)],
        "multi_source": len({f["source"] for f in features}) > 1,
        "controls": controls,
        "disclaimer": frameworks.DISCLAIMER,
        "rules": shown_rules,
    }


def _row(
    index: int, feature: Mapping[str, Any], rules: Mapping[str, Mapping[str, Any]], today: str
) -> dict[str, Any]:
    labels = sorted(feature["labels"].items())
    findings = [{**f, "summary": rules.get(f["rule"], {}).get("summary", "")} for f in feature["findings"]]
    search = " ".join(
        [
            feature["name"],
            feature["owner"],
            feature["approach"],
            feature.get("recommended") or "",
            feature["source"],
            feature["file"],
            *(f"{k} {v} {k}:{v}" for k, v in labels),
            *(f["rule"] for f in feature["findings"]),
        ]
    ).lower()
    return {
        **feature,
        "index": index,
        "approach_key": feature["approach"] if feature["approach"] in aggregate.APPROACHES else "(invalid)",
        "labels": labels,
        "findings": findings,
        "errors": aggregate.count(feature, "error"),
        "warnings": aggregate.count(feature, "warning"),
        "waivers": len(feature["waivers"]),
        "differs": aggregate.differs(feature),
        "search": search,
        "waiver_rows": [
            {**w, "status": aggregate.waiver_status(w["expires"], today)} for w in feature["waivers"]
        ],
    }
