"""The wheel carries schemas/ and policies/: build it, install it outside the source tree, run it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FEATURE = """apiVersion: archlint/v1
kind: AIFeature
metadata: {name: wheel-check, owner: platform}
spec:
  problem: behavior
  approach: fine-tuning
  knowledge: {change_frequency: monthly}
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("archlint-*.whl")
    return built


def test_wheel_contains_schemas_and_policies(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "archlint/_data/schemas/ai-feature.v1.schema.json" in names
    assert "archlint/_data/policies/fine-tuning.yaml" in names
    assert "archlint/portfolio/templates/report.html.j2" in names  # archlint report's page
    assert not any(name.startswith(("tests/", "bench/")) for name in names)


def test_installed_wheel_checks_a_feature_outside_the_source_tree(
    wheel: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = tmp_path_factory.mktemp("outside")
    env_dir = home / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)],
        check=True,
        capture_output=True,
    )
    feature = home / "ai-feature.yaml"
    feature.write_text(FEATURE)
    archlint = shutil.which("archlint", path=str(env_dir / "bin"))
    assert archlint is not None
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [archlint, "check", "ai-feature.yaml"], cwd=home, capture_output=True, text=True, env=clean_env
    )
    assert result.returncode == 1, result.stderr
    assert "ai-feature.yaml:7:15: error FT001" in result.stdout
    # The built-in data comes from the installed package, not from this checkout.
    located = subprocess.run(
        [str(python), "-c", "from archlint import resources; print(resources.data_dir('policies'))"],
        cwd=home,
        capture_output=True,
        text=True,
        env=clean_env,
    )
    assert "site-packages/archlint/_data/policies" in located.stdout
    # The installed built-in policies are the bytes the shipped prebuilt catalog was built from.
    prebuilt = subprocess.run(
        [
            str(python),
            "-c",
            "from archlint import policies, prebuilt\n"
            "print(prebuilt.catalog(policies.policy_files()) is not None)",
        ],
        cwd=home,
        capture_output=True,
        text=True,
        env=clean_env,
    )
    assert prebuilt.stdout.strip() == "True", prebuilt.stderr
