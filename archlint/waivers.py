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
NOT_ALLOWED = ("WVR004", "waiver-not-allowed", Severity.ERROR)

MakeFinding = Callable[[str, str, Severity, str, Path], Finding]


def apply(
    findings: Sequence[Finding],
    waivers: Sequence[dict[str, Any]],
    known_rules: Collection[str],
    today: str,
    make: MakeFinding,
    honour: bool = True,
    skip: Collection[int] = (),
    approvers: Collection[str] = (),
    max_days: int | None = None,
) -> list[Finding]:
    """Return the findings with waived ones marked suppressed, plus WVR findings.

    An expired waiver (WVR001) or one naming an unknown rule (WVR003) waives
    nothing; a valid waiver whose rule did not fire is reported unused
    (WVR002). With `honour` false (--no-waivers) nothing is suppressed. A
    waiver the organisation's waiver policy refuses (approved by someone not in
    `approvers`, or expiring more than `max_days` after `today`) waives nothing
    either (WVR004).
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
        refusal = _not_allowed(waiver, today, approvers, max_days)
        if refusal is not None:
            field, message = refusal
            extra.append(make(*NOT_ALLOWED, message, (*at, field)))
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


def _not_allowed(
    waiver: dict[str, Any], today: str, approvers: Collection[str], max_days: int | None
) -> tuple[str, str] | None:
    """(field, message) when the organisation's waiver policy refuses a waiver, else None."""
    rule = waiver["rule"]
    approved_by = " ".join(str(waiver["approved_by"]).split())
    if approvers and approved_by not in approvers:
        return "approved_by", (
            f"waiver for {rule} is approved by '{approved_by}', who is not among the approvers "
            f"the configuration lists (waivers.approvers: {', '.join(approvers)}); it waives nothing"
        )
    if max_days is not None:
        try:
            days = days_between(today, waiver["expires"])
        except ValueError:  # the schema refuses such a date; never waive on one
            return "expires", f"waiver for {rule} expires on {waiver['expires']!r}, which is not a date"
        if days > max_days:
            return "expires", (
                f"waiver for {rule} expires on {waiver['expires']}, {days} days from today, more than "
                f"the {max_days} days the configuration allows (waivers.max-days); it waives nothing"
            )
    return None


def days_between(start: str, end: str) -> int:
    """Days from one ISO date to another."""
    import datetime  # here: only a run with waivers.max-days needs it

    return (datetime.date.fromisoformat(end) - datetime.date.fromisoformat(start)).days
