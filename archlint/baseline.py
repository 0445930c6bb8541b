"""Baselines: record today's findings, then report only new ones.

A baseline file is a small JSON document (`version` plus one entry per
finding: rule, file, path, fingerprint, message). Findings match entries by
their file path and their stable fingerprint (feature + rule + document path),
so moved lines and reworded messages still match, but an entry never matches
a finding of another file: a pull request that deletes a baselined file and
adds a violating one elsewhere with the same feature name gets no free pass
(a moved or renamed file needs a new baseline). Entries that match nothing are stale and
are listed so the baseline shrinks instead of silently hiding a finding that
returns later; an entry for a file this run did not check (pre-commit names
only the changed files) is stale only if that file no longer exists.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import UsageError
from .finding import Finding

if TYPE_CHECKING:
    from .report import FileResult

VERSION = 1
_FIELDS = ("rule", "file", "path", "fingerprint", "message")


class Entry(NamedTuple):
    """One recorded finding."""

    rule: str
    file: str
    path: str
    fingerprint: str
    message: str


class Outcome(NamedTuple):
    """What applying a baseline did to a run."""

    files: tuple[FileResult, ...]  # the results with baselined findings removed
    matched: int
    stale: tuple[Entry, ...]
    source: str

    def extra(self) -> dict[str, Any]:
        """For machine-readable reports (Report.extra)."""
        return {
            "baseline": {
                "file": self.source,
                "matched": self.matched,
                # The findings this run did not report because of the baseline (= matched).
                "suppressed": self.matched,
                "stale": [entry._asdict() for entry in self.stale],
            }
        }

    def notices(self) -> list[str]:
        """Lines for stderr: how much the baseline hid, and which entries no longer occur."""
        lines = []
        if self.matched:
            noun = "finding" if self.matched == 1 else "findings"
            lines.append(f"archlint: {self.matched} {noun} recorded in {self.source} not reported")
        if self.stale:
            noun = "entry no longer occurs" if len(self.stale) == 1 else "entries no longer occur"
            lines.append(
                f"archlint: {len(self.stale)} baseline {noun}; "
                f"shrink the baseline with `archlint check --write-baseline {self.source}`:"
            )
            lines.extend(
                f"  {e.file}: {e.rule} {e.path or '(document)'} [{e.fingerprint}]" for e in self.stale
            )
        return lines


def entry(finding: Finding) -> Entry:
    return Entry(finding.rule, finding.file, finding.path, finding.fingerprint, finding.message)


def entries_for(findings: Iterable[Finding]) -> list[Entry]:
    """Entries for the active (unwaived) findings, sorted for stable diffs."""
    return sorted(
        (entry(f) for f in findings if f.suppressed is None),
        key=lambda e: (e.file, e.fingerprint, e.message),
    )


def dumps(entries: Iterable[Entry]) -> str:
    payload = {"version": VERSION, "findings": [e._asdict() for e in entries]}
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def write(target: str, findings: Iterable[Finding]) -> int:
    """Write the baseline of `findings` to `target`; return the number of entries."""
    entries = entries_for(findings)
    from .files import replace

    try:
        replace(target, dumps(entries).encode("utf-8"))  # never through a link at `target`
    except OSError as exc:
        raise UsageError(f"cannot write baseline: {exc.strerror or exc}", target) from None
    return len(entries)


def read(source: str) -> list[Entry]:
    """Parse a baseline file; anything wrong is a located UsageError (exit 2)."""
    try:
        with open(source, encoding="utf-8") as stream:
            text = stream.read()
    except FileNotFoundError:
        raise UsageError("baseline file does not exist (create it with --write-baseline)", source) from None
    except OSError as exc:
        raise UsageError(f"cannot read baseline: {exc.strerror or exc}", source) from None
    except UnicodeDecodeError:
        raise UsageError("baseline file is not valid UTF-8", source) from None
    return parse(text, source)


def parse(text: str, source: str = "<baseline>") -> list[Entry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"invalid JSON: {exc.msg}", source, exc.lineno, exc.colno) from None
    if not isinstance(data, dict) or "version" not in data or "findings" not in data:
        raise UsageError("not an archlint baseline: expected an object with 'version' and 'findings'", source)
    if data["version"] != VERSION:
        raise UsageError(
            f"baseline version {data['version']!r} is not supported (this archlint reads version {VERSION})",
            source,
        )
    if not isinstance(data["findings"], list):
        raise UsageError("'findings' must be a list", source)
    entries = []
    for index, item in enumerate(data["findings"]):
        if not isinstance(item, Mapping) or not all(isinstance(item.get(key), str) for key in _FIELDS):
            raise UsageError(
                f"findings[{index}] must be an object with string fields {', '.join(_FIELDS)}", source
            )
        entries.append(Entry(*(item[key] for key in _FIELDS)))
    return entries


def split(
    findings: Sequence[Finding], entries: Sequence[Entry]
) -> tuple[list[Finding], list[Finding], list[Entry]]:
    """(new, matched, stale): each entry matches at most one active finding of its own file.

    Waived findings are never matched: they are reported as waived either way.
    """
    remaining = list(entries)
    by_key: dict[tuple[str, str], list[int]] = {}
    for index, item in enumerate(remaining):
        by_key.setdefault((item.fingerprint, item.file), []).append(index)
    used: set[int] = set()
    hidden: set[int] = set()
    for finding in findings:
        if finding.suppressed is not None:
            continue
        for index in by_key.get((finding.fingerprint, finding.file), ()):
            if index not in used:
                used.add(index)
                hidden.add(id(finding))
                break
    matched = [f for f in findings if id(f) in hidden]
    new = [f for f in findings if id(f) not in hidden]
    stale = [item for index, item in enumerate(remaining) if index not in used]
    return new, matched, stale


def apply(
    files: Sequence[FileResult],
    entries: Sequence[Entry],
    source: str,
    exists: Callable[[str], bool] = lambda file: True,
) -> Outcome:
    """Remove baselined findings from each file's results.

    `exists` tells whether an entry's file (a display path) is still there.
    """
    everything = [finding for result in files for finding in result.findings]
    _, matched, unmatched = split(everything, entries)
    checked = {result.file for result in files}
    stale = [item for item in unmatched if item.file in checked or not exists(item.file)]
    hidden = {id(f) for f in matched}
    kept = tuple(
        result._replace(findings=tuple(f for f in result.findings if id(f) not in hidden)) for result in files
    )
    return Outcome(kept, len(matched), tuple(stale), source)


def for_run(
    files: Sequence[FileResult], baseline: str | None, write_to: str | None
) -> tuple[tuple[FileResult, ...], dict[str, Any], list[str]]:
    """What `archlint check` does with --baseline / --write-baseline: (files, report extra, notices)."""
    if baseline and write_to:
        raise UsageError(
            "--baseline and --write-baseline cannot be combined; "
            "run --write-baseline alone to re-record the baseline"
        )
    if write_to:
        count = write(write_to, (finding for result in files for finding in result.findings))
        noun = "entry" if count == 1 else "entries"
        return tuple(files), {}, [f"archlint: wrote baseline {write_to} ({count} {noun})"]
    if baseline:
        from .paths import project_root

        root = project_root(os.getcwd())
        outcome = apply(
            files, read(baseline), baseline, lambda file: os.path.exists(os.path.join(root, file))
        )
        return outcome.files, outcome.extra(), outcome.notices()
    return tuple(files), {}, []
