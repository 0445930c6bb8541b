"""Hostile custom policies for the tests of bounded evaluation (issue 13, items 4 and 5).

Each is what a pull request author can commit: a policy file whose rule is valid CEL, passes
every load-time check, and costs too much when evaluated on a document.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FEATURE = (ROOT / "tests" / "hostile" / "valid-feature.yaml").read_text(encoding="utf-8")
# Where every finding of the rules below is located: metadata.name in FEATURE (line 5, column 3).
RULE_AT = ":5:3: error POL001 rule "

# The attack of the issue, 5 KB of CEL: each chain grows the feature's name (4 'e') 4 times
# then doubles it 26 times, so its last call makes 2^30 characters out of 2^29: 1.5 GB at once.
# (CEL's parser refuses more than about 32 nested calls in one expression.)
_CHAIN = "metadata.name.replace('e', 'eeee')" + ".replace('e', 'ee')" * 26 + ".size() == 0"
NESTED_REPLACE = " ||\n".join([_CHAIN] * 8)
# The same growth made of few calls with a long replacement: the third asks for 13.5 GB at once.
ONE_BIG_ALLOCATION = "metadata.name" + f".replace('e', '{'e' * 1500}')" * 3 + ".size() == 0"
# Pure CPU inside CEL's 10,000 step budget: 99 x 99 searches of a 1 MB string.
_MEGABYTE = "metadata.name" + ".replace('e', 'eeeeeeee')" * 6
SLOW = (
    f"[{', '.join(map(str, range(99)))}]"
    f".all(a, [{', '.join(map(str, range(99)))}].all(b, !({_MEGABYTE}).contains('z')))"
)
_HUNDRED = f"[{', '.join(map(str, range(100)))}]"
# 90 x 100 = 9,000 steps: inside CEL's iteration budget alone, past it twice over.
NEAR_BUDGET = f"[{', '.join(map(str, range(90)))}].map(a, {_HUNDRED}.filter(b, b > a)).size() == 0"
# 101 x 100 steps: past the budget on its own.
OVER_BUDGET = f"{_HUNDRED}.map(a, {_HUNDRED}.filter(b, b > a)).size() == 101"


def policy(*conditions: str, prefix: str = "HOS") -> str:
    """A policy file with one rule per condition (ids HOS001, HOS002...), all at metadata.name."""
    rules = "".join(
        f"""  - id: {prefix}{number:03d}
    name: hostile-rule-{prefix.lower()}-{number}
    severity: error
    summary: Costs too much to evaluate.
    condition: {_quoted(condition)}
    path: metadata.name
    message: "never shown"
    rationale: r
    remediation: r
    references: [{{title: t, url: "https://example.org"}}]
"""
        for number, condition in enumerate(conditions, start=1)
    )
    return f"""apiVersion: archlint/v1
kind: PolicySet
metadata:
  name: hostile
  description: Conditions a pull request author could write.
rules:
{rules}"""


def _quoted(condition: str) -> str:
    if "\n" in condition:
        return "|-\n      " + condition.replace("\n", "\n      ")
    return '"' + condition.replace("\\", "\\\\").replace('"', '\\"') + '"'


def repository(folder: Path, files: int, *conditions: str) -> Path:
    """A folder with `files` copies of a clean feature and the policy in `hostile.yaml`."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(files):
        (folder / f"f{number:03d}.ai-feature.yaml").write_text(FEATURE, encoding="utf-8")
    (folder / "hostile.yaml").write_text(policy(*conditions), encoding="utf-8")
    return folder


def check(folder: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """`archlint check` in `folder` as a user runs it (a real process, no cache). The timeout
    is only a safety net: each test is bounded by the guarantee it checks."""
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(folder / ".user-cache")}
    return subprocess.run(
        [sys.executable, "-m", "archlint", "check", "--no-cache", "--policies", "hostile.yaml", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def findings_by_file(output: str) -> dict[str, list[str]]:
    """The finding lines of a text report, by file, without the file name."""
    found: dict[str, list[str]] = {}
    for line in output.splitlines():
        name, separator, rest = line.partition(".ai-feature.yaml")
        if separator:
            found.setdefault(os.path.basename(name), []).append(rest)
    return found
