"""Near-duplicates between eval and train inputs: MinHash LSH from datasketch.

Each input (normalised) becomes the set of its word 3-grams (its words when
shorter); MinHash signatures of 64 permutations estimate the Jaccard
similarity of two sets, and an LSH index over the eval signatures finds the
train inputs above the threshold without comparing every pair. Inputs equal
after normalisation are EVD003's, not counted here. datasketch (and numpy,
which it needs) is imported only when this runs on real data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from . import normalise

PERMUTATIONS = 64
BATCH = 4096


class Near(NamedTuple):
    """Eval records with a near-duplicate in train: count, first (eval line, train line)."""

    total: int
    first: tuple[tuple[int, int], ...]
    compared: tuple[int, int]  # (eval records, train records) compared
    capped: bool  # a side had more records than the cap


def shingles(text: str) -> list[bytes]:
    words = normalise.normalise(text).encode("utf-8", "surrogatepass").split(b" ")
    if len(words) < 3:
        return [b" ".join(words)]
    join = b" ".join
    return [join(words[i : i + 3]) for i in range(len(words) - 2)]


def _batches(items: Iterable[tuple[int, str]], size: int) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Capped:
    """The batches of at most `cap` records of one file, counting what was taken and whether
    records were left over."""

    def __init__(self, records: Iterable[tuple[int, str]], cap: int) -> None:
        self.records = records
        self.cap = cap
        self.taken = 0
        self.capped = False

    def batches(self) -> Iterator[list[tuple[int, str]]]:
        for batch in _batches(self.records, BATCH):
            if self.taken >= self.cap:
                self.capped = True
                return
            if len(batch) > self.cap - self.taken:
                self.capped = True
                batch = batch[: self.cap - self.taken]
            self.taken += len(batch)
            yield batch


def find(
    evaluation: Iterable[tuple[int, str]],
    train: Iterable[tuple[int, str]],
    threshold: float,
    cap: int,
    first: int = 3,
) -> Near:
    """Compare (line, input) pairs of eval against train, at most `cap` of each."""
    import zlib

    from datasketch import MinHash, MinHashLSH

    # CRC-32 of each shingle: a C function, about ten times cheaper per call than datasketch's
    # default (SHA-1 in Python); MinHash needs a uniform 32-bit hash, not a cryptographic one.
    options = {"num_perm": PERMUTATIONS, "hashfunc": zlib.crc32}

    # The index is built for a lower threshold than the one reported: banded for exactly the
    # threshold, LSH misses a good share of the pairs just above it (a fifth of those at 0.95
    # for 0.9 with 128 permutations). Every candidate is then checked against the threshold.
    lsh = MinHashLSH(threshold=max(0.5, threshold - 0.2), num_perm=PERMUTATIONS)
    signatures: dict[int, tuple[MinHash, int]] = {}  # eval line -> (signature, exact key)
    evals = _Capped(evaluation, cap)
    for batch in evals.batches():
        hashes = MinHash.bulk([shingles(text) for _, text in batch], **options)
        for (line, text), signature in zip(batch, hashes, strict=True):
            lsh.insert(str(line), signature, check_duplication=False)
            signatures[line] = (signature, normalise.key(normalise.normalise(text)))
    found: dict[int, int] = {}
    trains = _Capped(train, cap)
    if signatures:
        for batch in trains.batches():
            hashes = MinHash.bulk([shingles(text) for _, text in batch], **options)
            for (line, text), signature in zip(batch, hashes, strict=True):
                exact = None
                for name in lsh.query(signature):
                    eval_line = int(name)
                    if eval_line in found:
                        continue
                    other, eval_key = signatures[eval_line]
                    if exact is None:
                        exact = normalise.key(normalise.normalise(text))
                    if eval_key == exact:
                        continue  # the same input: an exact overlap, EVD003's
                    if signature.jaccard(other) >= threshold:
                        found[eval_line] = line
    lines = sorted(found)
    return Near(
        len(lines),
        tuple((line, found[line]) for line in lines[:first]),
        (evals.taken, trains.taken),
        evals.capped or trains.capped,
    )
