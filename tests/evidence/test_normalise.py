from __future__ import annotations

import pytest

from archlint.evidence import normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reset my password", "reset my password"),
        ("  Reset\tmy\n\nPASSWORD  ", "reset my password"),
        ("Stra\u00dfe", "strasse"),  # case folding, not only lower()
        ("Cafe\u0301", "caf\u00e9"),  # NFC: e + combining accent is one character
        ("non\u00a0breaking\u2003space", "non breaking space"),
        ("unit\x1fseparator", "unit separator"),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise.normalise(text) == expected


def test_keys_are_stable_64_bit_integers() -> None:
    key = normalise.key("reset my password")
    assert key == normalise.key("reset my password")
    assert 0 <= key < 2**64
    assert key != normalise.key("reset my passwords")
    assert normalise.key("\ud800") != normalise.key("")  # a lone surrogate does not raise


def test_record_keys_keep_parts_apart() -> None:
    assert normalise.record_key(["user", "a b", "assistant", "c"]) != normalise.record_key(
        ["user", "a", "assistant", "b c"]
    )
    assert normalise.record_key(["user", "A  B"]) == normalise.record_key(["user", "a b"])
