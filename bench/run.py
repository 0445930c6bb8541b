"""Benchmark archlint against check-jsonschema and yamllint on the same generated files.

    python bench/run.py                       # 1, 100, 1,000 and 10,000 files
    python bench/run.py --sizes 1,100         # a quick look
    python bench/run.py --runs 5 --workdir /tmp/archlint-bench

Each tool runs from its own virtual environment (created on first use), installed
the way a user installs it alone: WORKDIR/venv-archlint holds archlint from this
checkout (`pip install .`), WORKDIR/venv-check-jsonschema check-jsonschema 0.39
and WORKDIR/venv-yamllint yamllint 1.38. Sharing one environment would hand
check-jsonschema archlint's ruamel.yaml.clib, which ruamel.yaml then uses as its
C loader; a standalone install parses in pure Python. A reference row,
"check-jsonschema + clib" (WORKDIR/venv-check-jsonschema-clib), adds the clib on
purpose, and the script prints which check-jsonschema venv can import the C
loader. pip byte-compiles every module, so each tool starts from .pyc files. The
corpus comes from bench/generate.py (WORKDIR/corpus-N), outside any git work
tree so archlint's file discovery sees every file. Timings come from hyperfine
when it is installed, else from a repeated-run timer here; the table shows
medians and the ratio of each archlint variant to each peer, measured in the
same run.
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

SCHEMA = ROOT / "schemas" / "ai-feature.v1.schema.json"
CHECK_JSONSCHEMA = "check-jsonschema==0.39.*"
MARKER = ".bench-installed"  # written once a venv's install has succeeded


@dataclass(frozen=True)
class Tool:
    name: str  # the row in the table
    venv: str  # folder under WORKDIR
    packages: tuple[str, ...]  # what `pip install` gets, as a user would type it


ARCHLINT = Tool("archlint", "venv-archlint", (str(ROOT),))
PEERS = (
    Tool("check-jsonschema", "venv-check-jsonschema", (CHECK_JSONSCHEMA,)),
    # Reference: the same peer with the C parser archlint uses.
    Tool("check-jsonschema + clib", "venv-check-jsonschema-clib", (CHECK_JSONSCHEMA, "ruamel.yaml.clib")),
    Tool("yamllint", "venv-yamllint", ("yamllint==1.38.*",)),
)
CHECKERS = tuple(tool.name for tool in PEERS if tool.name.startswith("check-jsonschema"))


@dataclass(frozen=True)
class Case:
    name: str
    command: str
    prepare: str | None = None  # run before every timed run, not timed


def venv_bin(venv: Path, name: str) -> str:
    folder = "Scripts" if os.name == "nt" else "bin"
    return str(venv / folder / name)


def pip_install(venv: Path, *arguments: str) -> None:
    python = venv_bin(venv, "python")
    command = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", *arguments]
    subprocess.run(command, check=True)


def ensure_venv(workdir: Path, tool: Tool, reinstall: bool = False) -> Path:
    """The tool's own venv, created and installed on first use; `reinstall` refreshes the tool."""
    venv = workdir / tool.venv
    if not (venv / MARKER).exists():
        print(f"creating {venv}: pip install {' '.join(tool.packages)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        pip_install(venv, *tool.packages)
        (venv / MARKER).write_text("\n".join(tool.packages) + "\n")
    elif reinstall:
        print(f"reinstalling {tool.name} in {venv}", file=sys.stderr)
        pip_install(venv, "--upgrade", "--force-reinstall", "--no-deps", *tool.packages)
        pip_install(venv, *tool.packages)  # any dependency added since
    return venv


def has_c_loader(venv: Path) -> bool:
    """Whether ruamel.yaml's C loader (from ruamel.yaml.clib) is importable in the venv."""
    null = subprocess.DEVNULL
    probe = [venv_bin(venv, "python"), "-c", "import _ruamel_yaml"]
    return subprocess.run(probe, cwd=venv, stdout=null, stderr=null).returncode == 0


def ensure_corpus(workdir: Path, size: int) -> Path:
    folder = workdir / f"corpus-{size}"
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate.write(str(folder), size)
        marker.write_text("done\n")
    return folder


def archlint_cases(venv: Path, target: str, size: int) -> list[Case]:
    archlint = shlex.quote(venv_bin(venv, "archlint"))
    clear = "rm -rf .archlint_cache"
    # Results gone, compiled catalog and gates kept: every file edited since the last run.
    edited = "find .archlint_cache/v1 -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +"
    found = [
        Case("archlint --no-cache", f"{archlint} check --no-cache {target}"),
        Case("archlint, empty cache", f"{archlint} check {target}", prepare=clear),
        Case("archlint, warm cache", f"{archlint} check {target}"),
    ]
    if size == 1:
        found.append(Case("archlint, edited file", f"{archlint} check {target}", prepare=edited))
    return found


def peer_case(name: str, venv: Path, target: str, files: str) -> Case:
    if name in CHECKERS:
        checker = shlex.quote(venv_bin(venv, "check-jsonschema"))
        return Case(name, f"{checker} --schemafile {shlex.quote(str(SCHEMA))} {files}")
    return Case(name, f"{shlex.quote(venv_bin(venv, name))} {target}")


def cases(venvs: dict[str, Path], size: int) -> list[Case]:
    target = "feature-00000.ai-feature.yaml" if size == 1 else "."
    files = "feature-00000.ai-feature.yaml" if size == 1 else "*.ai-feature.yaml"
    peers = [peer_case(tool.name, venvs[tool.name], target, files) for tool in PEERS]
    return [*archlint_cases(venvs[ARCHLINT.name], target, size), *peers]


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


def row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def print_header(loaders: dict[str, bool], use_hyperfine: bool) -> None:
    print(f"machine: {machine()}")
    print(f"timer: {'hyperfine' if use_hyperfine else 'python'}; load average at start: {load()}")
    found = "; ".join(f"{name}: {'yes' if loaded else 'no'}" for name, loaded in loaders.items())
    print(f"ruamel.yaml C loader importable (`import _ruamel_yaml`) in the venv of {found}")
    print()
    print(row("files", "command", "median (s)", "files/s", *(f"vs {tool.name}" for tool in PEERS)))
    print(row("---:", "---", "---:", "---:", *("---:" for _ in PEERS)))


def print_rows(size: int, medians: dict[str, float]) -> None:
    blank = ["" for _ in PEERS]
    for name, median in medians.items():
        ratios = blank
        if name.startswith("archlint"):
            ratios = [f"{median / medians[tool.name]:.3f}x" for tool in PEERS]
        print(row(f"{size:,}", name, f"{median:.3f}", f"{size / median:,.0f}", *ratios), flush=True)
    first, warm = medians["archlint, empty cache"], medians["archlint, warm cache"]
    print(row(f"{size:,}", "first run / second run (cache)", f"{first / warm:.1f}x", "", *blank), flush=True)


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
    venvs = {ARCHLINT.name: ensure_venv(workdir, ARCHLINT, args.reinstall)}
    venvs.update((tool.name, ensure_venv(workdir, tool)) for tool in PEERS)
    loaders = {name: has_c_loader(venvs[name]) for name in CHECKERS}
    use_hyperfine = args.timer == "hyperfine" or (args.timer == "auto" and shutil.which("hyperfine"))
    timer = time_with_hyperfine if use_hyperfine else time_with_python
    # The cache key lives in the user's cache folder; keep the benchmark's apart.
    env = {**os.environ, "XDG_CACHE_HOME": str(workdir / "user-cache"), "NO_COLOR": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    print_header(loaders, bool(use_hyperfine))
    results: dict[str, dict[str, float]] = {}
    for size in (int(part) for part in args.sizes.split(",")):
        folder = ensure_corpus(workdir, size)
        runs = args.runs or {1: 20, 100: 10, 1000: 5}.get(size, 3)
        warmup = 2 if size <= 1000 else 1
        medians = {
            case.name: statistics.median(timer(case, folder, runs, warmup, env))
            for case in cases(venvs, size)
        }
        results[str(size)] = medians
        print_rows(size, medians)
    print()
    print(f"load average at end: {load()}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"machine": machine(), "c_loader": loaders, "results": results}, handle, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
