"""A large JSON Lines file read by several processes at once, one byte range each.

Parsing is the cost of a large file and it is CPU-bound, so a file of at least
MIN_BYTES is cut at line boundaries into one range per usable core (at most
MAX_WORKERS), each read by a forked worker (spawned where fork is not safe)
with the same code as a single pass. Workers number lines from their range's
start; the parent adds each range's offset, merges the counts, and finds
duplicate records across ranges from the keys the workers return. The SHA-256
of the file, when asked for, is computed in the parent meanwhile (hashlib
releases the GIL). Anything that goes wrong in starting the workers falls back
to the single pass.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from . import reader

MIN_BYTES = 64 << 20
MAX_WORKERS = 4


def workers_for(size: int) -> int:
    """How many processes read a file of `size` bytes (1: read it in this process)."""
    if size < MIN_BYTES:
        return 1
    # sched_getaffinity: the cores this process may use (Linux); elsewhere all of them.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS, size // (MIN_BYTES // 2)))


def ranges(path: str, size: int, count: int) -> list[tuple[int, int]]:
    """`count` (or fewer) (start, end) byte ranges covering the file, each cut after a newline."""
    cuts = [0]
    descriptor = reader.open_regular(path)
    try:
        for index in range(1, count):
            offset = max(size * index // count, cuts[-1])
            position = max(offset - 1, 0)  # a line starting at `offset` is cut right there
            while True:  # the first newline at or after `offset`, within one line's limit
                window = os.pread(descriptor, 1 << 16, position)
                found = window.find(b"\n")
                if found >= 0:
                    cut = position + found + 1
                    break
                position += len(window)
                if not window or position - offset > reader.MAX_LINE:
                    cut = -1
                    break
            if cut < 0 or cut >= size:
                break
            if cut > cuts[-1]:
                cuts.append(cut)
    finally:
        os.close(descriptor)
    cuts.append(size)
    return [(cuts[i], cuts[i + 1]) for i in range(len(cuts) - 1) if cuts[i + 1] > cuts[i]]


def read_range(job: tuple[str, int, int, bool, frozenset[str]]) -> dict[str, Any]:
    """In a worker: one range's tally, line numbers from 1, as plain data."""
    from . import analysis

    path, start, end, shaped, wants = job
    descriptor = reader.open_regular(path)
    try:
        os.lseek(descriptor, start, os.SEEK_SET)
        lines = 0

        def counted() -> Any:
            nonlocal lines
            for item in reader.blocks(descriptor, length=end - start):
                if not isinstance(item, reader.TooLong):
                    lines += item[2]
                yield item

        tally = analysis._jsonl(counted(), shaped, wants)
    finally:
        os.close(descriptor)
    return {
        "lines": lines,
        "records": tally.records,
        "malformed": tally.malformed,
        "first_malformed": tally.first_malformed,
        "stopped": tally.stopped,
        "tracked": tally.tracked,
        "inputs": tally.inputs.tobytes() if tally.inputs is not None else b"",
        "input_lines": tally.input_lines.tobytes(),
        "record_keys": tally.record_keys.tobytes(),
        "record_lines": tally.record_lines.tobytes(),
    }


def run(path: str, size: int, shaped: bool, wants: frozenset[str], digest: bool) -> tuple[Any, str] | None:
    """(merged tally, hex digest or "") of the file read in parallel; None when it cannot be."""
    import multiprocessing

    from . import analysis

    count = workers_for(size)
    if count < 2 or multiprocessing.current_process().daemon:
        return None  # a worker of `archlint check --jobs` may not start processes of its own
    try:
        parts = ranges(path, size, count)
    except OSError:
        return None
    if len(parts) < 2:
        return None
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    jobs = [(path, start, end, shaped, wants) for start, end in parts]
    try:
        pool = multiprocessing.get_context(method).Pool(len(jobs))
    except OSError:
        return None
    hexdigest = ""
    with pool:
        pending = pool.map_async(read_range, jobs, chunksize=1)
        if digest:  # while the workers parse: hashlib releases the GIL
            hexdigest = reader.file_digest(path)
        results = pending.get()
    return analysis.merge(results, wants), hexdigest
