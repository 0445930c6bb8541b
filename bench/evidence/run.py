"""The evidence benchmark: archlint's checks of a 1 GB training file against the peers, in one run.

    python bench/evidence/run.py                      # 1M training records (~1 GB), 100k eval (~100 MB)
    python bench/evidence/run.py --train 100000 --eval 10000   # a quick look
    python bench/evidence/run.py --workdir DIR --runs 5 --json results.json

Rows, each the median of `--runs` runs with the files in the page cache, with the peak RSS of
the measured process (from wait4):

- `wc -l`: the I/O floor (it only counts newlines).
- peer: bench/evidence/peer.py, json.loads per line plus the OpenAI Cookbook format checks.
- archlint count + format: `archlint check --no-cache --select EVD002,EVD005` on a feature that
  declares the training file (every record decoded and shape-checked, the count compared).
- archlint exact overlap: `--select EVD002,EVD003,EVD005` with the eval file too (both files
  read, every input normalised and keyed, eval keys looked up in the train keys).
- archlint all EVD rules: the default run (EVD004's MinHash pass on at most
  near_duplicate_max_records records of each file, EVD006's duplicate keys), one run.
- cached: the same overlap check with the cache, after a first run filled it: unchanged files
  (the result cache answers after one stat per data file), an edited feature file (the
  evidence cache answers by the data files' stat), and a touched data file (new mtime, same
  bytes: hashed, not analysed). The plain row is a feature without evidence, for comparison.

Files are generated once (bench/evidence/generate.py) under WORKDIR, default bench/.data/evidence
(git-ignored). Check `df -h` first: the default needs about 1.2 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

FEATURE = """apiVersion: archlint/v1
kind: AIFeature
metadata: {{name: ticket-triage, owner: support}}
spec:
  problem: behavior
  approach: fine-tuning
  fine_tuning:
    training_examples: {train}
{extra}
# {stamp}
"""


def generate(workdir: str, train: int, evaluation: int) -> None:
    marker = os.path.join(workdir, "generated.json")
    wanted = {"train": train, "eval": evaluation}
    try:
        with open(marker, encoding="utf-8") as handle:
            if json.load(handle) == wanted:
                return
    except (OSError, ValueError):
        pass
    print(f"generating {train:,} training and {evaluation:,} eval records in {workdir} ...", flush=True)
    subprocess.run(
        [
            sys.executable,
            os.path.join(HERE, "generate.py"),
            workdir,
            "--train",
            str(train),
            "--eval",
            str(evaluation),
        ],
        check=True,
    )
    with open(marker, "w", encoding="utf-8") as handle:
        json.dump(wanted, handle)


def features(workdir: str, train: int, evaluation: int, stamp: str = "") -> None:
    def write(name: str, extra: str) -> None:
        with open(os.path.join(workdir, name), "w", encoding="utf-8") as handle:
            handle.write(FEATURE.format(train=train, extra=extra, stamp=stamp))

    write("count.ai-feature.yaml", "    data: {train: train.jsonl}")
    write(
        "overlap.ai-feature.yaml",
        f"    eval_set: {{examples: {evaluation}, held_out: true}}\n"
        "    data: {train: train.jsonl, eval: eval.jsonl}",
    )
    write("plain.ai-feature.yaml", "    method: lora")


CPU: dict[str, list[float]] = {}


def tree_rss(pid: int) -> int:
    """Memory of a process and all its descendants, in KiB (Linux /proc): the sum of their
    proportional set sizes (PSS), so pages a forked worker shares with its parent count once."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii", errors="replace") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as handle:
                pending.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def measure(command: list[str], cwd: str, env: dict[str, str], runs: int) -> tuple[float, float, float, str]:
    """(median seconds, peak RSS in MB of the largest process, peak memory in MB of all its
    processes together (PSS, sampled every 20 ms), last output line). The CPU seconds of each
    run (user + system, the command and its worker processes) go to CPU[command]."""
    import threading

    times: list[float] = []
    peak = 0
    tree_peak = 0
    last = ""
    for _ in range(runs):
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        done = threading.Event()

        def sample(pid: int = process.pid, done: threading.Event = done) -> None:
            nonlocal tree_peak
            while not done.wait(0.02):
                tree_peak = max(tree_peak, tree_rss(pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        assert process.stdout is not None
        output = process.stdout.read().decode(errors="replace")
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        CPU.setdefault(" ".join(command), []).append(usage.ru_utime + usage.ru_stime)
        done.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        peak = max(peak, usage.ru_maxrss)  # KiB on Linux: the largest of the process and its children
        lines = [line for line in output.splitlines() if line.strip()]
        last = lines[-1] if lines else ""
    return statistics.median(times), peak / 1024, tree_peak / 1024, last


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workdir", default=os.path.join(ROOT, "bench", ".data", "evidence"))
    parser.add_argument("--train", type=int, default=1_000_000)
    parser.add_argument("--eval", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args()
    workdir = os.path.abspath(args.workdir)
    os.makedirs(workdir, exist_ok=True)
    generate(workdir, args.train, args.eval)
    features(workdir, args.train, args.eval)
    train = os.path.join(workdir, "train.jsonl")
    size = os.path.getsize(train) / 1e6
    eval_size = os.path.getsize(os.path.join(workdir, "eval.jsonl")) / 1e6
    cache_dir = os.path.join(workdir, "cache")
    env = {**os.environ, "XDG_CACHE_HOME": os.path.join(workdir, "user-cache"), "PYTHONPATH": ROOT}
    archlint = [sys.executable, "-m", "archlint", "check"]
    for name in ("train.jsonl", "eval.jsonl"):  # into the page cache
        subprocess.run(["cat", os.path.join(workdir, name)], stdout=subprocess.DEVNULL, check=True)
    print(
        f"train.jsonl {size:,.0f} MB ({args.train:,} records), eval.jsonl {eval_size:,.0f} MB; "
        f"load average {os.getloadavg()[0]:.2f}; {args.runs} rounds",
        flush=True,
    )

    rows: list[dict[str, object]] = []

    def row(
        name: str,
        command: list[str],
        megabytes: float | None,
        runs: int = args.runs,
        measured: tuple[float, float, float, str] | None = None,
    ) -> float:
        seconds, rss, tree, last = measured or measure(command, workdir, env, runs)
        rate = megabytes / seconds if megabytes else None
        rows.append(
            {
                "name": name,
                "seconds": seconds,
                "mb_per_s": rate,
                "peak_rss_mb": rss,
                "tree_rss_mb": tree,
                "output": last,
            }
        )
        shown = f"{rate:8,.0f} MB/s" if rate else " " * 13
        print(
            f"{name:44s} {seconds:9.3f} s {shown} {rss:5,.0f} MB RSS ({tree:4,.0f} all)  {last[:50]}",
            flush=True,
        )
        return seconds

    # The four compared rows run in rounds (each once per round), so that a change in the
    # machine's load between minutes weighs on all of them alike.
    compared = [
        ("wc -l train.jsonl", ["wc", "-l", train], size),
        ("peer: json.loads + cookbook checks", [sys.executable, os.path.join(HERE, "peer.py"), train], size),
        (
            "archlint count + format (EVD002, EVD005)",
            [*archlint, "--no-cache", "--select", "EVD002,EVD005", "count.ai-feature.yaml"],
            size,
        ),
        (
            "archlint exact overlap (+ EVD003, eval file)",
            [*archlint, "--no-cache", "--select", "EVD002,EVD003,EVD005", "overlap.ai-feature.yaml"],
            size + eval_size,
        ),
    ]
    samples: list[list[tuple[float, float, float, str]]] = [[] for _ in compared]
    for _ in range(args.runs):
        for index, (_, command, _) in enumerate(compared):
            samples[index].append(measure(command, workdir, env, 1))
    results = []
    for (name, command, megabytes), taken in zip(compared, samples, strict=True):
        measured = (
            statistics.median(t[0] for t in taken),
            max(t[1] for t in taken),
            max(t[2] for t in taken),
            taken[-1][3],
        )
        results.append(row(name, command, megabytes, measured=measured))
    floor, peer, count, overlap = results
    cpu = [statistics.median(CPU[" ".join(command)]) for _, command, _ in compared]
    print(
        "CPU seconds (user + system, workers included), median: "
        + ", ".join(
            f"{name.split(':')[0].split(' (')[0]} {seconds:.2f}"
            for (name, _, _), seconds in zip(compared, cpu, strict=True)
        ),
        flush=True,
    )
    row(
        "archlint all EVD rules (one run)",
        [*archlint, "--no-cache", "--select", "EVD", "overlap.ai-feature.yaml"],
        size + eval_size,
        runs=1,
    )
    cached = [*archlint, "--cache-dir", cache_dir, "--select", "EVD002,EVD003,EVD005"]
    subprocess.run(
        [*cached, "overlap.ai-feature.yaml"], cwd=workdir, env=env, stdout=subprocess.DEVNULL, check=False
    )
    subprocess.run(
        [*cached, "plain.ai-feature.yaml"], cwd=workdir, env=env, stdout=subprocess.DEVNULL, check=False
    )
    unchanged = row("cached: unchanged feature and data", [*cached, "overlap.ai-feature.yaml"], None, runs=10)
    plain = row("cached: a feature without evidence", [*cached, "plain.ai-feature.yaml"], None, runs=10)
    edits = []
    for run in range(5):
        features(workdir, args.train, args.eval, stamp=f"edit {time.time()} {run}")
        seconds, _, _, _ = measure([*cached, "overlap.ai-feature.yaml"], workdir, env, 1)
        edits.append(seconds)
    edited = statistics.median(edits)
    rows.append({"name": "cached: feature edited, data unchanged", "seconds": edited})
    print(f"{'cached: feature edited, data unchanged':44s} {edited:9.3f} s", flush=True)
    probe = (
        "import sys, time; from archlint import cache; from archlint.evidence import store, analysis;"
        "s = store.EvidenceStore(cache.open_store(sys.argv[1]));"
        "start = time.perf_counter(); found = s.summary(sys.argv[2], True, frozenset({analysis.INPUTS}));"
        "print(f'{(time.perf_counter() - start) * 1000:.1f}', found.records)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, cache_dir, os.path.realpath(train)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    summary_ms = float(result.stdout.split()[0])
    print(f"{'evidence cache: summary of the unchanged file':44s} {summary_ms:9.1f} ms", flush=True)
    os.utime(train)  # same bytes, new mtime: hashed, not analysed
    features(workdir, args.train, args.eval, stamp="touched")
    touched = row(
        "cached: data file touched (hash, no parse)", [*cached, "overlap.ai-feature.yaml"], size, runs=1
    )

    print()
    print(
        f"count + format vs peer: {peer / count:.1f}x the throughput (goal >= 3x); "
        f"vs wc -l: {floor / count:.2f}x"
    )
    print(f"exact overlap / count + format: {overlap / count:.2f} (goal <= 2)")
    print(
        f"in CPU time: count + format {cpu[1] / cpu[2]:.1f}x the peer's throughput; "
        f"exact overlap / count + format {cpu[3] / cpu[2]:.2f}"
    )
    archlint_rows = [r for r in rows if str(r["name"]).startswith("archlint")]
    peak = max(float(str(r.get("peak_rss_mb", 0) or 0)) for r in archlint_rows)
    tree = max(float(str(r.get("tree_rss_mb", 0) or 0)) for r in archlint_rows)
    print(
        f"peak RSS of archlint: {peak:,.0f} MB in one process, "
        f"{tree:,.0f} MB for all its processes (goal < 300 MB)"
    )
    print(
        f"unchanged rerun: {unchanged * 1000:.0f} ms against {plain * 1000:.0f} ms for a feature without "
        f"evidence ({(unchanged / plain - 1) * 100:+.0f} %); evidence summary from the cache "
        f"{summary_ms:.1f} ms (goal < 50 ms); touched data file {touched:.2f} s; "
        f"edited feature {edited * 1000:.0f} ms"
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(
                {"rows": rows, "summary_ms": summary_ms, "train_mb": size, "eval_mb": eval_size},
                handle,
                indent=2,
            )


if __name__ == "__main__":
    main()
