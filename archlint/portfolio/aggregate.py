"""The numbers of a portfolio: headline counts, chart series and the controls view."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, NamedTuple

from . import frameworks

APPROACHES = ("prompting", "rag", "fine-tuning", "hybrid")
SEVERITIES = ("error", "warning", "info")
# Waiver expiry buckets, in days from today: (label, first day, last day)
EXPIRY_BUCKETS = (
    ("expired", None, -1),
    ("0-30 days", 0, 30),
    ("31-60 days", 31, 60),
    ("61-90 days", 61, 90),
    ("91-180 days", 91, 180),
    ("over 180 days", 181, None),
)


def days_until(expires: str, today: str) -> int | None:
    try:
        return (date.fromisoformat(expires) - date.fromisoformat(today)).days
    except ValueError:
        return None


def active(feature: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [f for f in feature["findings"] if not f["waived"]]


def count(feature: Mapping[str, Any], severity: str) -> int:
    return sum(1 for f in active(feature) if f["severity"] == severity)


def differs(feature: Mapping[str, Any]) -> bool:
    recommended = feature.get("recommended")
    return bool(recommended) and recommended != feature.get("approach")


class Headline(NamedTuple):
    features: int
    owners: int
    errors: int
    warnings: int
    infos: int
    waivers: int
    waivers_active: int
    expiring_30: int
    expiring_60: int
    expiring_90: int
    waivers_expired: int
    differ: int
    sources: int


def headline(features: Sequence[Mapping[str, Any]], today: str) -> Headline:
    waivers = [w for f in features for w in f["waivers"]]
    left = [days_until(w["expires"], today) for w in waivers]
    valid_left = [d for d in left if d is not None]
    return Headline(
        features=len(features),
        owners=len({f["owner"] for f in features if f["owner"]}),
        errors=sum(count(f, "error") for f in features),
        warnings=sum(count(f, "warning") for f in features),
        infos=sum(count(f, "info") for f in features),
        waivers=len(waivers),
        waivers_active=sum(1 for d in valid_left if d >= 0),
        expiring_30=sum(1 for d in valid_left if 0 <= d <= 30),
        expiring_60=sum(1 for d in valid_left if 0 <= d <= 60),
        expiring_90=sum(1 for d in valid_left if 0 <= d <= 90),
        waivers_expired=sum(1 for d in valid_left if d < 0),
        differ=sum(1 for f in features if differs(f)),
        sources=len({f["source"] for f in features}),
    )


def by_approach(features: Sequence[Mapping[str, Any]]) -> list[tuple[str, dict[str, int]]]:
    # A value outside the four (a schema error) counts as invalid, not as a fifth approach.
    counts = Counter(f["approach"] if f["approach"] in APPROACHES else "(invalid)" for f in features)
    order = [a for a in APPROACHES if counts[a]] + sorted(set(counts) - set(APPROACHES))
    return [(approach, {"features": counts[approach]}) for approach in order]


def by_rule(features: Sequence[Mapping[str, Any]], limit: int = 20) -> list[tuple[str, dict[str, int]]]:
    """Active findings per rule and severity, the rules with most first (at most `limit`)."""
    series: dict[str, Counter[str]] = {}
    for feature in features:
        for finding in active(feature):
            series.setdefault(finding["rule"], Counter())[finding["severity"]] += 1
    ranked = sorted(series.items(), key=lambda item: (-sum(item[1].values()), item[0]))[:limit]
    return [(rule, {s: counts[s] for s in SEVERITIES}) for rule, counts in ranked]


def by_owner(features: Sequence[Mapping[str, Any]], limit: int = 20) -> list[tuple[str, dict[str, int]]]:
    series: dict[str, Counter[str]] = {}
    for feature in features:
        counts = series.setdefault(feature["owner"] or "(no owner)", Counter())
        for finding in active(feature):
            counts[finding["severity"]] += 1
    ranked = sorted(series.items(), key=lambda item: (-sum(item[1].values()), item[0]))[:limit]
    return [(owner, {s: counts[s] for s in SEVERITIES}) for owner, counts in ranked]


def expiry_timeline(features: Sequence[Mapping[str, Any]], today: str) -> list[tuple[str, dict[str, int]]]:
    counts: Counter[str] = Counter()
    for feature in features:
        for waiver in feature["waivers"]:
            left = days_until(waiver["expires"], today)
            if left is None:
                continue
            for label, first, last in EXPIRY_BUCKETS:
                if (first is None or left >= first) and (last is None or left <= last):
                    counts[label] += 1
    return [(label, {"waivers": counts[label]}) for label, _, _ in EXPIRY_BUCKETS]


def waiver_status(expires: str, today: str) -> str:
    left = days_until(expires, today)
    if left is None:
        return "invalid date"
    if left < 0:
        return f"expired {-left} days ago"
    return f"expires in {left} days"


class ControlRow(NamedTuple):
    control: frameworks.Control
    passing: int
    failing: int
    waived: int
    not_assessed: int
    failing_features: tuple[int, ...]  # indexes into the features list


def controls_view(
    features: Sequence[Mapping[str, Any]], rules: Mapping[str, Mapping[str, Any]]
) -> list[tuple[str, list[ControlRow]]]:
    """Per framework, per control: features passing, failing (an active finding of a mapped
    rule), waived (only waived findings of mapped rules) and not assessed (the file did not
    validate, so no policy rule ran on it)."""
    mappings = {rule: record.get("mappings") or {} for rule, record in rules.items()}
    view = []
    for framework in frameworks.framework_ids(mappings.values()):
        rows = []
        for control in frameworks.controls(framework, mappings):
            covering = set(control.rules)
            passing = failing = waived = unassessed = 0
            failing_at: list[int] = []
            for index, feature in enumerate(features):
                hits = [f for f in feature["findings"] if f["rule"] in covering]
                if any(not f["waived"] for f in hits):
                    failing += 1
                    failing_at.append(index)
                elif hits:
                    waived += 1
                elif not feature["valid"]:
                    unassessed += 1
                else:
                    passing += 1
            rows.append(ControlRow(control, passing, failing, waived, unassessed, tuple(failing_at)))
        view.append((framework, rows))
    return view
