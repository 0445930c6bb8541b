"""Benchmark archlint against check-jsonschema and yamllint on the same generated files.

    python bench/run.py                       # 1, 100, 1,000 and 10,000 files
    python bench/run.py --sizes 1,100         # a quick look
    python bench/run.py --runs 5 --workdir /tmp/archlint-bench

Everything runs from a separate virtual environment (created on first use in
WORKDIR/venv) where archlint is installed from this checkout with `pip
install .`, next to check-jsonschema 0.39 and yamllint 1.38: each tool starts
the way a user's does, from byte-compiled modules. The corpus comes from
bench/generate.py (WORKDIR/corpus-N), outside any git work tree so archlint's
file discovery sees every file. Timings come from hyperfine when it is
installed, else from a repeated-run timer here; the table shows medians and
the ratio of each archlint variant to each peer, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402  (bench/generate.py, next to this file)

PEERS = ("check-jsonschema==0.39.*", "yamllint==1.38.*")
SCHEMA = ROOT / "schemas" / "ai-feature.v1.schema.json"


@dataclass(frozen=True)
class Case:
    name: str
    command: str
    prepare: str | None = None  # run before every timed run, not timed


def venv_bin(venv: Path, name: str) -> str:
    folder = "Scripts" if os.name == "nt" else "bin"
    return str(venv / folder / name)


def ensure_venv(venv: Path, reinstall: bool) -> None:
    python = venv_bin(venv, "python")
    if not os.path.exists(python):
        print(f"creating {venv}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        reinstall = True
    if reinstall:
        print("installing archlint (from this checkout) and the peers", file=sys.stderr)
        subprocess.run(
            [python, "-m", "pip", "install", "-q", "--upgrade", "--force-reinstall", "--no-deps", str(ROOT)],
            check=True,
        )
        subprocess.run([python, "-m", "pip", "install", "-q", str(ROOT), *PEERS], check=True)


def ensure_corpus(workdir: Path, size: int) -> Path:
    folder = workdir / f"corpus-{size}"
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate.write(str(folder), size)
        marker.write_text("done\n")
    return folder


def cases(venv: Path, folder: Path, size: int) -> list[Case]:
    archlint = shlex.quote(venv_bin(venv, "archlint"))
    checker = shlex.quote(venv_bin(venv, "check-jsonschema"))
    target = "feature-00000.ai-feature.yaml" if size == 1 else "."
    files = "feature-00000.ai-feature.yaml" if size == 1 else "*.ai-feature.yaml"
    clear = "rm -rf .archlint_cache"
    # Results gone, compiled catalog and gates kept: every file edited since the last run.
    edited = "find .archlint_cache/v1 -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +"
    archlint_cases = [
        Case("archlint --no-cache", f"{archlint} check --no-cache {target}"),
        Case("archlint, empty cache", f"{archlint} check {target}", prepare=clear),
        Case("archlint, warm cache", f"{archlint} check {target}"),
    ]
    if size == 1:
        archlint_cases.append(Case("archlint, edited file", f"{archlint} check {target}", prepare=edited))
    return [
        *archlint_cases,
        Case("check-jsonschema", f"{checker} --schemafile {shlex.quote(str(SCHEMA))} {files}"),
        Case("yamllint", f"{shlex.quote(venv_bin(venv, 'yamllint'))} {target}"),
    ]


def time_with_hyperfine(case: Case, cwd: Path, runs: int, warmup: int, env: dict[str, str]) -> list[float]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        export = handle.name
    command = ["hyperfine", "--style", "none", "-i", "--runs", str(runs), "--warmup", str(warmup)]
    if case.prepare:
        command += ["--prepare", case.prepare]
    command += ["--export-json", export, case.command]
    null = subprocess.DEVNULL
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=null, stderr=null)
    with open(export, encoding="utf-8") as handle:
        times: list[float] = json.load(handle)["results"][0]["times"]
    os.unlink(export)
    return times


def time_with_python(case: Case, cwd: Path, runs: int, warmup: int, env: dict[str, str]) -> list[float]:
    times = []
    for index in range(warmup + runs):
        if case.prepare:
            subprocess.run(case.prepare, shell=True, cwd=cwd, env=env, check=True)
        start = time.perf_counter()
        subprocess.run(
            case.command, shell=True, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        elapsed = time.perf_counter() - start
        if index >= warmup:
            times.append(elapsed)
    return times


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cpu}, {cores} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )


def load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "n/a"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1,100,1000,10000", help="comma-separated file counts")
    parser.add_argument("--runs", type=int, help="timed runs per command (default: 20, 10, 5, 3 by size)")
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "archlint-bench"))
    parser.add_argument("--reinstall", action="store_true", help="reinstall archlint from this checkout")
    parser.add_argument("--timer", choices=("auto", "hyperfine", "python"), default="auto")
    parser.add_argument("--json", metavar="FILE", help="also write the medians as JSON")
    args = parser.parse_args()

    workdir = Path(args.workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    venv = workdir / "venv"
    ensure_venv(venv, args.reinstall)
    use_hyperfine = args.timer == "hyperfine" or (args.timer == "auto" and shutil.which("hyperfine"))
    timer = time_with_hyperfine if use_hyperfine else time_with_python
    # The cache key lives in the user's cache folder; keep the benchmark's apart.
    env = {**os.environ, "XDG_CACHE_HOME": str(workdir / "user-cache"), "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    print(f"machine: {machine()}")
    print(f"timer: {'hyperfine' if use_hyperfine else 'python'}; load average at start: {load()}")
    print()
    print("| files | command | median (s) | files/s | vs check-jsonschema | vs yamllint |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    results: dict[str, dict[str, float]] = {}
    for size in (int(part) for part in args.sizes.split(",")):
        folder = ensure_corpus(workdir, size)
        runs = args.runs or {1: 20, 100: 10, 1000: 5}.get(size, 3)
        warmup = 2 if size <= 1000 else 1
        medians: dict[str, float] = {}
        for case in cases(venv, folder, size):
            medians[case.name] = statistics.median(timer(case, folder, runs, warmup, env))
        results[str(size)] = medians
        for name, median in medians.items():
            ratios = ["", ""]
            if name.startswith("archlint"):
                ratios = [f"{median / medians[peer]:.3f}x" for peer in ("check-jsonschema", "yamllint")]
            print(
                f"| {size:,} | {name} | {median:.3f} | {size / median:,.0f} | {ratios[0]} | {ratios[1]} |",
                flush=True,
            )
        first, warm = medians["archlint, empty cache"], medians["archlint, warm cache"]
        print(f"| {size:,} | first run / second run (cache) | {first / warm:.1f}x | | | |", flush=True)
    print()
    print(f"load average at end: {load()}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"machine": machine(), "results": results}, handle, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
