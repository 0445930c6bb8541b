"""Apply a feature's waivers to its findings, and check the waivers themselves."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any

from .finding import Finding, Severity
from .loader import Path
from .settings import ALWAYS_ON as UNWAIVABLE

EXPIRED = ("WVR001", "expired-waiver", Severity.ERROR)
UNUSED = ("WVR002", "unused-waiver", Severity.WARNING)
UNKNOWN = ("WVR003", "waiver-for-unknown-rule", Severity.ERROR)

MakeFinding = Callable[[str, str, Severity, str, Path], Finding]


def apply(
    findings: Sequence[Finding],
    waivers: Sequence[dict[str, Any]],
    known_rules: Collection[str],
    today: str,
    make: MakeFinding,
    honour: bool = True,
    skip: Collection[int] = (),
) -> list[Finding]:
    """Return the findings with waived ones marked suppressed, plus WVR findings.

    An expired waiver (WVR001) or one naming an unknown rule (WVR003) waives
    nothing; a valid waiver whose rule did not fire is reported unused
    (WVR002). With `honour` false (--no-waivers) nothing is suppressed.
    `today` and the waivers' dates are ISO days (YYYY-MM-DD, as the schema
    requires), which compare as strings in date order. The waivers at the
    indices in `skip` broke the schema (reported as such): they waive nothing.
    """
    result = list(findings)
    extra: list[Finding] = []
    for index, waiver in enumerate(waivers):
        if index in skip:
            continue
        rule = waiver["rule"]
        at: Path = ("spec", "waivers", index)
        if rule not in known_rules:
            extra.append(
                make(*UNKNOWN, f"waiver names rule {rule}, which no loaded policy defines", (*at, "rule"))
            )
            continue
        if rule in UNWAIVABLE or rule.startswith("WVR"):
            message = f"waiver names rule {rule}, which cannot be waived: fix the policy or the file instead"
            extra.append(make(*UNKNOWN, message, (*at, "rule")))
            continue
        expires = waiver["expires"]
        if expires < today:
            message = f"waiver for {rule} expired on {expires}; renew it or fix the finding"
            extra.append(make(*EXPIRED, message, (*at, "expires")))
            continue
        covered = [i for i, finding in enumerate(result) if finding.rule == rule]
        if not covered:
            message = f"waiver for {rule} is unused: the rule does not fire on this feature; remove it"
            extra.append(make(*UNUSED, message, (*at, "rule")))
            continue
        if honour:
            justification = (
                # One line: a `|` block reason must not split a finding across lines.
                f"{' '.join(waiver['reason'].split())} "
                f"(approved by {' '.join(waiver['approved_by'].split())}, expires {expires})"
            )
            for i in covered:
                result[i] = result[i]._replace(suppressed=justification)
    return result + extra
