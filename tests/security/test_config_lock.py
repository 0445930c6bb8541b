"""Issue 13, item 3 (and the waiver and baseline half of item 6): a repository config that
turns a failure into a pass, and the organisation config with `lock = true` that stops it.

Every attack is first shown to work without an organisation config (exit 0 on a failing
feature), then refused under the lock with exit 2, the file, the line and the rule it breaks.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from archlint.cache import validity
from archlint.cli import main
from archlint.loader import Document

ROOT = Path(__file__).resolve().parent.parent.parent
# FT004 (error): 30 training examples, below min_training_examples (50).
FAILING = ROOT / "examples" / "anti-patterns" / "FT004-too-few-training-examples.ai-feature.yaml"
LOCK = "lock = true\n"
OWN_POLICY = """apiVersion: archlint/v1
kind: PolicySet
metadata: {name: own}
rules:
  - id: OWN001
    name: own-rule
    severity: info
    summary: s
    condition: "false"
    path: spec.approach
    message: m
    rationale: r
    remediation: r
    references: [{title: t, url: "https://example.org"}]
"""


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    checkout = tmp_path / "repo"
    checkout.mkdir()
    subprocess.run(["git", "init", "-q", str(checkout)], check=True)
    shutil.copy(FAILING, checkout / "ai-feature.yaml")
    monkeypatch.chdir(checkout)
    return checkout


def org_config(tmp_path: Path, text: str) -> Path:
    """An organisation config outside the checkout (as CI fetches it into $RUNNER_TEMP)."""
    path = tmp_path / "org" / "archlint-org.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--no-cache", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# (repository config, line of the offending entry, what the error says)
ATTACKS = [
    ('ignore = ["ALL"]\n', 2, "ignore: a repository config may not ignore rules ('ALL')"),
    ('select = ["SCH001"]\n', 2, "select: a repository config may only select more rules"),
    ('[tool.archlint.severity]\nALL = "info"\n', 2, "severity.ALL: a repository config may not lower"),
    (
        "[tool.archlint.params]\nmin_training_examples = 1\n",
        2,
        "params.min_training_examples: a repository config may only tighten min_training_examples: "
        "higher is stricter, and 1 is below 50",
    ),
    ('exclude = ["*"]\n', 2, "exclude: a repository config may not exclude files ('*')"),
    (
        'builtin-policies = false\npolicy-paths = ["policies"]\n',
        2,
        "builtin-policies: a repository config may not disable the built-in",
    ),
    ('fail-on = "info"\n', 2, "fail-on: a repository config may not change fail-on"),
]


@pytest.mark.parametrize(("body", "line", "message"), ATTACKS)
def test_a_repository_config_cannot_weaken_a_locked_organisation_config(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, line: int, message: str
) -> None:
    own = repo / "policies" / "own.yaml"  # a harmless policy of the repository's own
    own.parent.mkdir()
    own.write_text(OWN_POLICY)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(f"[tool.archlint]\n{body}" if not body.startswith("[") else body)
    if "fail-on" not in body:
        # The attack works without an organisation config: the failing feature passes.
        assert run(capsys)[0] == 0
    org = org_config(tmp_path, LOCK)
    code, out, err = run(capsys, "--org-config", str(org))
    assert code == 2
    assert out == ""
    assert err.startswith(f"archlint: error: {pyproject}:{line}: {message}")
    assert err.endswith(f": the organisation config ({org}:1) sets lock = true\n")
    assert err.count("\n") == 1


def test_the_environment_variable_names_the_organisation_config(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / "archlint.toml").write_text('ignore = ["FT004"]\n')
    assert run(capsys)[0] == 0
    monkeypatch.setenv("ARCHLINT_ORG_CONFIG", str(org_config(tmp_path, LOCK)))
    code, _, err = run(capsys)
    assert code == 2 and f"{repo / 'archlint.toml'}:1: ignore: " in err


@pytest.mark.parametrize(
    ("org", "repository"),
    [
        # Tighten a param in its declared direction, raise a severity, add a policy folder.
        ("", "[params]\nmin_training_examples = 80\n"),
        ("", '[severity]\nDEC001 = "warning"\n'),
        ("", 'policy-paths = ["policies"]\n'),
        ("", 'ignore = []\nselect = ["ALL"]\n'),
        # Select more rules than the organisation does.
        ('select = ["FT"]\n', 'select = ["GEN"]\n'),
        # Repeat what the organisation itself ignores, or a stricter waiver policy.
        ('ignore = ["DEC001"]\n', 'ignore = ["DEC001"]\n'),
        ("[waivers]\nmax-days = 90\n", "[waivers]\nmax-days = 30\n"),
        ('fail-on = "warning"\n', 'fail-on = "warning"\n'),
    ],
)
def test_what_only_tightens_is_allowed_under_the_lock(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], org: str, repository: str
) -> None:
    (repo / "policies").mkdir()
    (repo / "archlint.toml").write_text(repository)
    code, out, err = run(capsys, "--org-config", str(org_config(tmp_path, LOCK + org)))
    assert (code, err) == (1, ""), err
    assert "error FT004" in out


def test_the_organisation_layer_alone_applies_its_settings(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without a lock the org config is a lower layer: its values hold unless the repository sets them.
    org = org_config(tmp_path, "[params]\nmin_training_examples = 20\n")
    assert run(capsys, "--org-config", str(org))[0] == 0
    (repo / "archlint.toml").write_text("[params]\nmin_training_examples = 60\n")
    assert run(capsys, "--org-config", str(org))[0] == 1


def test_every_repository_file_is_checked_against_the_lock(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org = str(org_config(tmp_path, LOCK))
    service = repo / "services" / "faq-bot"
    service.mkdir(parents=True)
    shutil.copy(FAILING, service / "ai-feature.yaml")
    (repo / "archlint.toml").write_text("policy-paths = []\n")
    # A service's own file, applied from the root (hierarchical config) ...
    (service / "archlint.toml").write_text('ignore = ["FT004"]\n')
    code, _, err = run(capsys, "--org-config", org)
    assert code == 2 and err.startswith(f"archlint: error: {service / 'archlint.toml'}:1: ignore: ")
    # ... and a file it extends.
    (repo / "base.toml").write_text('\n[severity]\nFT004 = "info"\n')
    (service / "archlint.toml").write_text('extend = "../../base.toml"\n')
    code, _, err = run(capsys, "--org-config", org)
    assert code == 2 and err.startswith(f"archlint: error: {repo / 'base.toml'}:3: severity.FT004: ")
    assert "may not lower FT004 from error to info" in err


def test_a_dedicated_file_beside_pyproject_is_an_error_not_a_silent_replacement(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "pyproject.toml").write_text('[tool.archlint]\nfail-on = "warning"\n')
    assert run(capsys)[0] == 1
    (repo / ".archlint.toml").write_text('ignore = ["ALL"]\n')
    code, out, err = run(capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"archlint: error: {repo}: more than one archlint config in this folder "
        "(.archlint.toml, pyproject.toml): keep one, so that which settings apply is never in doubt\n"
    )


def test_the_organisation_config_must_live_outside_the_checkout(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inside = repo / "ci" / "org.toml"
    inside.parent.mkdir()
    inside.write_text(LOCK)
    code, _, err = run(capsys, "--org-config", str(inside))
    assert code == 2
    assert err.startswith(
        f"archlint: error: {inside}: the organisation config must live outside the repository"
    )


def test_only_the_organisation_config_may_set_lock_or_baseline(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "archlint.toml").write_text('fail-on = "error"\nlock = false\n')
    code, _, err = run(capsys)
    assert code == 2
    assert err == (
        f"archlint: error: {repo / 'archlint.toml'}:2: 'lock' may be set only in the organisation "
        "config (--org-config)\n"
    )


def test_flags_belong_to_whoever_runs_archlint(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The lock binds repository files; the command line is the CI job's (docs/security.md).
    code, _, err = run(capsys, "--org-config", str(org_config(tmp_path, LOCK)), "--ignore", "FT004")
    assert (code, err) == (0, "")


# ---------------------------------------------------------------- waivers and baselines (item 6)


def waive(feature: Path, approved_by: str, expires: str) -> None:
    text = feature.read_text()
    feature.write_text(
        text + f"  waivers:\n    - rule: FT004\n      reason: accepted\n      approved_by: {approved_by}\n"
        f"      expires: '{expires}'\n"
    )


def findings(out: str) -> list[tuple[str, str | None, str]]:
    return [
        (finding["rule"], finding["justification"], finding["path"])
        for finding in json.loads(out)["findings"]
    ]


def test_me_until_9999_waives_anything_without_an_organisation_waiver_policy(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    waive(repo / "ai-feature.yaml", "me", "9999-12-31")
    code, out, _ = run(capsys, "--format", "json")
    assert code == 0
    assert (
        "FT004",
        "accepted (approved by me, expires 9999-12-31)",
        "spec.fine_tuning.training_examples",
    ) in (findings(out))


@pytest.mark.parametrize(
    ("approved_by", "expires", "field", "message"),
    [
        ("me", "2027-01-01", "approved_by", "is approved by 'me', who is not among the approvers"),
        ("arch-review-board", "9999-12-31", "expires", "more than the 90 days the configuration allows"),
    ],
)
def test_the_organisation_waiver_policy_refuses_the_waiver(
    repo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    approved_by: str,
    expires: str,
    field: str,
    message: str,
) -> None:
    waive(repo / "ai-feature.yaml", approved_by, expires)
    org = org_config(tmp_path, 'lock = true\n[waivers]\nmax-days = 90\napprovers = ["arch-review-board"]\n')
    code, out, _ = run(capsys, "--org-config", str(org), "--format", "json")
    assert code == 1
    found = findings(out)
    assert ("FT004", None, "spec.fine_tuning.training_examples") in found  # not waived
    wvr = [f for f in json.loads(out)["findings"] if f["rule"] == "WVR004"]
    assert [f["path"] for f in wvr] == [f"spec.waivers.0.{field}"]
    assert wvr[0]["severity"] == "error"
    assert message in wvr[0]["message"]


def test_a_listed_approver_within_max_days_waives(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import datetime

    soon = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    waive(repo / "ai-feature.yaml", "arch-review-board", soon)
    org = org_config(tmp_path, 'lock = true\n[waivers]\nmax-days = 90\napprovers = ["arch-review-board"]\n')
    code, out, _ = run(capsys, "--org-config", str(org), "--format", "json")
    assert code == 0
    assert not [f for f in findings(out) if f[0] == "WVR004"]


def test_a_repository_config_cannot_add_approvers_under_the_lock(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "archlint.toml").write_text('[waivers]\napprovers = ["arch-review-board", "me"]\n')
    org = org_config(tmp_path, 'lock = true\n[waivers]\napprovers = ["arch-review-board"]\n')
    code, _, err = run(capsys, "--org-config", str(org))
    assert code == 2
    assert err.startswith(
        f"archlint: error: {repo / 'archlint.toml'}:2: waivers.approvers: a repository config may not add "
        "the approver 'me'"
    )


def test_baseline_false_honours_no_baseline(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A pull request records its own new finding in the baseline ...
    assert main(["check", "--no-cache", "--write-baseline", "baseline.json"]) == 0
    capsys.readouterr()
    assert run(capsys, "--baseline", "baseline.json")[0] == 0
    # ... which an organisation config with baseline = false refuses to honour.
    org = org_config(tmp_path, "baseline = false\n")
    code, out, err = run(capsys, "--org-config", str(org), "--baseline", "baseline.json")
    assert (code, out) == (2, "")
    assert err == (
        f"archlint: error: {org}:1: --baseline: the organisation config sets baseline = false, "
        "so no baseline is honoured\n"
    )
    code, _, err = run(capsys, "--org-config", str(org), "--write-baseline", "again.json")
    assert code == 2 and "--write-baseline: " in err
    assert run(capsys, "--org-config", str(org))[0] == 1


def test_config_shows_each_values_layer(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org = org_config(tmp_path, 'lock = true\nignore = ["DEC001"]\n[waivers]\nmax-days = 90\n')
    (repo / "archlint.toml").write_text('ignore = ["DEC001"]\n[params]\nmax_top_k = 4\n')
    assert (
        main(["config", "--org-config", str(org), "--format", "json", "--param", "low_latency_ms=900"]) == 0
    )
    payload = json.loads(capsys.readouterr().out)
    assert payload["org_config"] == str(org)
    rows = {row["key"]: (row["layer"], row["origin"]) for row in payload["values"]}
    assert rows["lock"] == ("org", f"{org}:1")
    assert rows["waivers.max-days"] == ("org", f"{org}:4")
    assert rows["params.max_top_k"] == ("repo", f"{repo / 'archlint.toml'}:3")
    assert rows["params.low_latency_ms"] == ("flag", "--param")
    assert rows["fail-on"] == ("default", "default")
    assert rows["ignore"][0] == "org + repo"


def test_max_days_moves_the_cache_validity_of_a_result() -> None:
    document = Document({"spec": {"waivers": [{"rule": "FT004", "expires": "2027-04-01"}]}}, {})
    # 90 days before the expiry is 2027-01-01: the waiver is too long through 2026-12-31, then allowed.
    assert validity([document], "2026-12-01", 90) == (None, "2026-12-31")
    assert validity([document], "2027-01-05", 90) == ("2027-01-01", "2027-04-01")
    assert validity([document], "2026-12-01") == (None, "2027-04-01")
