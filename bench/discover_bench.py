"""Compare `archlint discover` with semgrep and `rg -l` on a generated 20,000-file monorepo.

    python bench/discover_bench.py [--workdir DIR] [--files 20000] [--runs 3]

One run measures every command, so the ratios come from timings taken minutes apart on the same
machine. archlint is the one on PATH next to this interpreter (the checkout's venv); semgrep is
installed into its own venv under WORKDIR (`pip install semgrep`) and runs offline with
`--metrics=off` and local rules written from archlint's catalogue (the same libraries and call
shapes); rg gets the same names as archlint's prefilter. All three skip the same vendored folders.
Wall time is the median of --runs; memory is the peak resident set of the process (ru_maxrss from
wait4), for archlint with --jobs 1 so that all of the scan happens in that one process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENDORED = ("vendor", "third_party", "node_modules")
# A Python wildcard import in the catalogue, spelled out for semgrep (which takes no globs there).
EXPANSIONS = {
    "langchain_*": ("langchain_openai", "langchain_core", "langchain_community", "langchain_anthropic"),
    "@langchain/*": ("@langchain/openai", "@langchain/core", "@langchain/community", "@langchain/anthropic"),
}


def semgrep_rules() -> dict[str, object]:
    """Local semgrep rules equivalent to archlint's built-in catalogue."""
    sys.path.insert(0, str(HERE.parent))
    from archlint.discover.catalogue import load

    rules = []
    for entry in load().entries:
        for language, evidence in (("python", entry.python), ("javascript", entry.javascript)):
            if evidence is None:
                continue
            names = [n for name in evidence.imports for n in EXPANSIONS.get(name, (name,))]
            if evidence.import_is_usage:
                patterns = []
                for name in names:
                    if language == "python":
                        patterns += [f"import {name}", f"from {name} import $X"]
                        if "." in name:
                            parent, _, child = name.rpartition(".")
                            patterns.append(f"from {parent} import {child}")
                    else:
                        patterns += [f'import "{name}"', f'require("{name}")']
            else:
                patterns = []
                for call in evidence.calls or ("$F",):
                    if call.startswith("*") and not call.startswith("*."):
                        continue  # *Embeddings: no semgrep pattern; covered by the import rules
                    target = "$C" + call[1:] if call.startswith("*.") else call
                    if evidence.arguments:
                        for argument in evidence.arguments:
                            patterns.append(
                                f"{target}(..., {argument}=$A, ...)"
                                if language == "python"
                                else f"{target}({{..., {argument}: $A, ...}})"
                            )
                    else:
                        patterns.append(f"{target}(...)")
            if patterns:
                rules.append(
                    {
                        "id": f"{entry.id}-{language}",
                        "languages": ["python"] if language == "python" else ["typescript", "javascript"],
                        "severity": "INFO",
                        "message": f"{entry.kind}: {entry.library}",
                        "pattern-either": [{"pattern": p} for p in dict.fromkeys(patterns)],
                    }
                )
    return {"rules": rules}


def rg_needles() -> list[str]:
    from archlint.discover.catalogue import load

    catalogue = load()
    return sorted({n.decode() for language in ("python", "javascript") for n in catalogue.needles(language)})


def ensure_semgrep(workdir: Path) -> Path | None:
    venv = workdir / "venv-semgrep"
    binary = venv / "bin" / "semgrep"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        installed = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "semgrep"], check=False)
        if installed.returncode != 0:
            return None
    return binary


def measure(command: list[str], cwd: Path, runs: int, env: dict[str, str]) -> tuple[float, float, int]:
    """(median seconds, max RSS in MB, exit code of the last run)."""
    times, peaks, code = [], [], 0
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
        )
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
        process.returncode = code
        if code not in (0, 1):
            raise SystemExit(
                f"{' '.join(command)} failed with {code}: {process.stderr.read().decode()[-2000:] if process.stderr else ''}"
            )
    return statistics.median(times), max(peaks), code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "archlint-discover-bench"))
    parser.add_argument("--files", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    corpus = workdir / f"corpus-{args.files}"
    if not corpus.exists():
        subprocess.run(
            [sys.executable, str(HERE / "discover_corpus.py"), str(corpus), "--files", str(args.files)],
            check=True,
        )
    rules = workdir / "semgrep-rules.json"
    rules.write_text(json.dumps(semgrep_rules(), indent=1), encoding="utf-8")
    archlint = shutil.which("archlint", path=os.path.dirname(sys.executable)) or "archlint"
    cache = workdir / "discover-cache"
    env = {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
    commands: dict[str, list[str]] = {
        "archlint discover (no cache, --jobs 1)": [
            archlint,
            "discover",
            "--isolated",
            "--no-cache",
            "--jobs",
            "1",
            "--format",
            "csv",
        ],
        "archlint discover (no cache, one job per core)": [
            archlint,
            "discover",
            "--isolated",
            "--no-cache",
            "--format",
            "csv",
        ],
        "archlint discover (warm cache)": [
            archlint,
            "discover",
            "--isolated",
            "--cache-dir",
            str(cache),
            "--format",
            "csv",
        ],
    }
    semgrep = ensure_semgrep(workdir)
    if semgrep is not None:
        excludes = [part for name in VENDORED for part in ("--exclude", name)]
        commands["semgrep (offline, local rules)"] = [
            str(semgrep), "scan", "--metrics=off", "--disable-version-check", "--config", str(rules), "--json", "-q", *excludes, ".",
        ]  # fmt: skip
    rg = shutil.which("rg")
    if rg is not None:
        globs = [part for name in VENDORED for part in ("-g", f"!**/{name}/**")]
        needles = [part for needle in rg_needles() for part in ("-e", needle)]
        commands["rg -l (the floor: names only)"] = [rg, "-l", "-F", "-t", "py", "-t", "ts", *globs, *needles]
    subprocess.run(
        commands["archlint discover (warm cache)"], cwd=corpus, stdout=subprocess.DEVNULL, check=False
    )
    load_before = os.getloadavg()
    results = {}
    for name, command in commands.items():
        results[name] = measure(command, corpus, 1 if name.startswith("semgrep") else args.runs, env)
    load_after = os.getloadavg()
    files = subprocess.run(
        ["git", "ls-files"], cwd=corpus, capture_output=True, text=True, check=True
    ).stdout.count("\n")
    print(
        f"corpus: {corpus} ({files} files), {os.cpu_count()} cores, load {load_before[0]:.2f} -> {load_after[0]:.2f}"
    )
    base = results["archlint discover (no cache, one job per core)"][0]
    print("| command | median wall (s) | peak RSS (MB) | archlint no cache / this |")
    print("| --- | --- | --- | --- |")
    for name, (seconds, peak, _) in results.items():
        print(f"| {name} | {seconds:.2f} | {peak:.0f} | {seconds / base:.2f}x |")
    if semgrep is None:
        print("semgrep: could not be installed into its venv (pip failed); see the pip output above")
    if args.json:
        Path(args.json).write_text(
            json.dumps({k: list(v) for k, v in results.items()}, indent=2), encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
