from __future__ import annotations

from archlint.evidence import near

LONG = " ".join(f"w{n}" for n in range(40))


def test_a_one_word_variant_is_found_and_an_exact_copy_is_left_to_evd003() -> None:
    train = [(1, LONG), (2, "something else entirely here"), (3, "another unrelated ticket text")]
    evaluation = [(7, LONG + " tail"), (8, LONG), (9, "completely different words in this one")]
    found = near.find(evaluation, train, 0.9, 1000)
    assert (found.total, found.first, found.capped) == (1, ((7, 1),), False)


def test_the_cap_limits_what_is_compared() -> None:
    train = [(n, f"{LONG} {n}") for n in range(1, 6)]
    found = near.find([(1, LONG + " x")], train, 0.9, 2)
    assert found.compared == (1, 2) and found.capped


def test_shingles_of_short_texts() -> None:
    assert near.shingles("Hi  there") == [b"hi there"]
    assert near.shingles("a b c d") == [b"a b c", b"b c d"]
