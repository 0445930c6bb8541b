"""The portfolio as JSON (mergeable with --from-json), CSV (one row per feature) and Markdown."""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping
from typing import Any, TextIO

from . import aggregate, frameworks

CSV_FIELDS = (
    "name",
    "owner",
    "approach",
    "recommended",
    "errors",
    "warnings",
    "infos",
    "waivers",
    "waivers_expired",
    "rules",
    "labels",
    "file",
    "source",
)


def write_json(data: Mapping[str, Any], stream: TextIO) -> None:
    json.dump(data, stream, indent=1, ensure_ascii=False)
    stream.write("\n")


def _cell(text: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula (CSV injection): quote it.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_csv(data: Mapping[str, Any], stream: TextIO) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    today = data["today"]
    for feature in data["features"]:
        expired = sum(1 for w in feature["waivers"] if (aggregate.days_until(w["expires"], today) or 0) < 0)
        row: dict[str, Any] = {
            "name": feature["name"],
            "owner": feature["owner"],
            "approach": feature["approach"],
            "recommended": feature.get("recommended") or "",
            "errors": aggregate.count(feature, "error"),
            "warnings": aggregate.count(feature, "warning"),
            "infos": aggregate.count(feature, "info"),
            "waivers": len(feature["waivers"]),
            "waivers_expired": expired,
            "rules": " ".join(sorted({f["rule"] for f in aggregate.active(feature)})),
            "labels": " ".join(f"{k}={v}" for k, v in sorted(feature["labels"].items())),
            "file": feature["file"],
            "source": feature["source"],
        }
        writer.writerow([_cell(str(row[field])) for field in CSV_FIELDS])


def _md(text: str) -> str:
    """Text safe in a Markdown table cell: no pipes, no line breaks, no HTML."""
    return (
        " ".join(str(text).split())
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("`", "\\`")
        .replace("[", "\\[")
        .replace("]", "\\]")
    )


def write_markdown(data: Mapping[str, Any], stream: TextIO) -> None:
    features = data["features"]
    head = aggregate.headline(features, data["today"])
    out = [
        "# AI feature portfolio",
        "",
        f"Waivers judged on {data['today']}.",
        "",
        "| Features | Owners | Errors | Warnings | Approach differs | Waivers active "
        "| Expiring in 30 / 60 / 90 days | Expired |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {head.features} | {head.owners} | {head.errors} | {head.warnings} | {head.differ} | "
        f"{head.waivers_active} | {head.expiring_30} / {head.expiring_60} / {head.expiring_90} "
        f"| {head.waivers_expired} |",
        "",
        "## Features",
        "",
        "| Feature | Owner | Approach | Recommended | Errors | Warnings | Waivers |",
        "| --- | --- | --- | --- | ---: | ---: | ---: |",
    ]
    for feature in features:
        out.append(
            f"| {_md(feature['name'])} | {_md(feature['owner'])} | {_md(feature['approach'])} | "
            f"{_md(feature.get('recommended') or '')} | {aggregate.count(feature, 'error')} | "
            f"{aggregate.count(feature, 'warning')} | {len(feature['waivers'])} |"
        )
    for framework, rows in aggregate.controls_view(features, data["rules"]):
        out += [
            "",
            f"## Controls: {_md(frameworks.title(framework))}",
            "",
            "| Control | Rules | Passing | Failing | Waived | Not assessed |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        out += [
            f"| {_md(row.control.id)} {_md(row.control.title)} | {_md(', '.join(row.control.rules))} | "
            f"{row.passing} | {row.failing} | {row.waived} | {row.not_assessed} |"
            for row in rows
        ]
    out += ["", f"_{frameworks.DISCLAIMER}_", ""]
    stream.write("\n".join(out))
