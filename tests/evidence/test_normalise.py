from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


@given(
    st.lists(st.text(alphabet=st.sampled_from("aB \t\n\r\x0b\x1c\x00\x01é\u00a0"), max_size=12), max_size=6)
)
def test_the_block_form_is_the_one_by_one_form(texts: list[str]) -> None:
    assert normalise.normalise_all(texts) == [normalise.normalise(text) for text in texts]
    assert list(normalise.keys(texts)) == [normalise.key(normalise.normalise(text)) for text in texts]


@given(st.lists(st.lists(st.text(alphabet=st.sampled_from("aB \n\x01"), max_size=6), max_size=4), max_size=4))
def test_record_keys_are_keys_of_parts_normalised_one_by_one(records: list[list[str]]) -> None:
    expected = [normalise.key("\x01".join(normalise.normalise(part) for part in parts)) for parts in records]
    assert list(normalise.record_keys(records)) == expected
