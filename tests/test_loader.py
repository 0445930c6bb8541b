from __future__ import annotations

import pytest

from archlint.loader import MAX_DEPTH, Document, YamlError, decode, load_all


def load_one(text: str) -> Document:
    documents = load_all(text)
    assert len(documents) == 1
    return documents[0]


def test_positions_are_one_based_and_point_at_keys() -> None:
    document = load_one("a: 1\nb:\n  c: [x, y]\n")
    assert document.positions[("a",)] == (1, 1)
    assert document.positions[("b", "c")] == (3, 3)
    assert document.positions[("b", "c", 1)] == (3, 10)


def test_absent_path_locates_nearest_parent() -> None:
    document = load_one("spec:\n  rag:\n    top_k: 4\n")
    assert document.locate(("spec", "rag", "reranker")) == (("spec", "rag"), 2, 3)
    assert document.locate(("metadata", "name")) == ((), 1, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: yes", "yes"),  # YAML 1.2: a string, the schema then refuses it
        ("a: 2027-03-31", "2027-03-31"),  # dates stay strings
        ("a: 0x1f", 31),
        ("a: 1_000", 1000),
        ("a: ~", None),
        ("a: .inf", ".inf"),  # not JSON; kept as written for the schema to refuse
        ("a: 'true'", "true"),
        ("a: TRUE", True),
    ],
)
def test_scalars_follow_yaml_1_2(text: str, expected: object) -> None:
    assert load_one(text).data == {"a": expected}


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("a: 1\nb:\n  c: 1\n  c: 2\n", 4, 3, "duplicate key 'c'"),
        ("a: !!python/object/apply:os.system ['ls']\n", 1, 4, "not allowed"),
        ("a: !local x\n", 1, 4, "'!local' is not allowed"),
        ("a: !!binary aGk=\n", 1, 4, "not allowed"),
        ("a: [1, 2\nb: 3\n", 2, 2, "expected ','"),
        ("a:\n\tb: 1\n", 2, 1, "cannot start any token"),
        ("a: &x {k: v}\nb:\n  <<: *x\n", 3, 3, "merge keys"),
        ("a: *nope\n", 1, 4, "undefined alias"),
        ("? [a]\n: 1\n", 1, 3, "plain scalars"),
        ("a: &x [1]\n*x : 2\n", 1, 4, "plain scalars"),  # an alias key stands where its anchor is
        ("? &k x\n: 1\n*k : 2\n", 1, 3, "duplicate key 'x'"),
        ("a: &x 1\nb: &x 2\n", 2, 4, "duplicate anchor &x (first defined at line 1, column 4)"),
        ("a: &x [1, *x]\n", 1, 11, "*x is inside the collection it names"),
        ("a: &x {b: *x}\n", 1, 11, "recursive data is not accepted"),
        # Document order: the first problem in the file, even before a later syntax error.
        ("a: 1\na: 2\nb: [\n", 2, 1, "duplicate key 'a'"),
    ],
)
def test_refusals_are_located(text: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(YamlError) as caught:
        load_all(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert fragment in caught.value.message


def test_alias_bomb_is_refused_before_expansion() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    with pytest.raises(YamlError, match="expands to more than"):
        load_all("\n".join(lines) + "\n")


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    with pytest.raises(YamlError, match=f"deeper than {MAX_DEPTH}"):
        load_all("a: " + "[" * 5000 + "]" * 5000 + "\n")


def test_shared_alias_records_anchor_positions() -> None:
    document = load_one("e: &x {k: v}\nf: *x\n")
    assert document.data == {"e": {"k": "v"}, "f": {"k": "v"}}
    assert document.positions[("e", "k")] == (1, 8)
    assert document.locate(("f", "k")) == (("f",), 2, 1)


def test_an_anchored_key_is_a_string_when_aliased() -> None:
    assert load_one("&x 12: a\nb: *x\n").data == {"12": "a", "b": 12}


def test_empty_documents_are_skipped_but_counted() -> None:
    documents = load_all("---\n---\na: 1\n---\n")
    assert [d.number for d in documents] == [1]
    assert documents[0].start_line == 3
    assert load_all("") == []
    assert load_all("# only a comment\n") == []


def test_multi_document_positions_are_per_document() -> None:
    first, second = load_all("a: 1\n---\nb: 2\n")
    assert second.positions[("b",)] == (3, 1)
    assert first.number == 0 and second.number == 1


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (b"a: \xff\xfe\n", "not valid UTF-8"),
        (b"a: 1\x00\n", "NUL byte"),
    ],
)
def test_decode_refuses_binary(raw: bytes, fragment: str) -> None:
    with pytest.raises(YamlError, match=fragment):
        decode(raw)


def test_decode_honours_boms() -> None:
    assert decode("a: é\n".encode("utf-16")) == "a: é\n"
    assert decode(b"\xef\xbb\xbfa: 1\n") == "a: 1\n"


def test_get_reads_present_values_only() -> None:
    document = load_one("a: {b: [1, 2]}\n")
    assert document.get(("a", "b", 1)) == 2
    with pytest.raises(KeyError):
        document.get(("a", "c"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("apiVersion: archlint/v1\nkind: AIFeature\nspec: {a: [1]}\n", ("archlint/v1", "AIFeature", 2, 7)),
        ("{apiVersion: archlint/v1, kind: AIFeature}", ("archlint/v1", "AIFeature", 1, 33)),
        # Only the top level counts, and a collection as a key or value is stepped over.
        ("x: {kind: AIFeature}\nkind: Deployment\n", (None, "Deployment", 2, 7)),
        ("? [a]\n: b\nkind: AIFeature\n", (None, "AIFeature", 3, 7)),
        # The first document alone: a broken later one does not hide it.
        ("apiVersion: archlint/v1\nkind: AIFeature\n---\n[broken", ("archlint/v1", "AIFeature", 2, 7)),
        ("a: b\n---\nkind: AIFeature\n", None),
        ("- kind: AIFeature\n", None),
        ("just text", None),
        ("", None),
    ],
)
def test_declaration_reads_the_first_documents_top_level(
    text: str, expected: tuple[str | None, str | None, int, int] | None
) -> None:
    from archlint.loader import declaration

    said = declaration(text)
    found = (said.api_version, said.kind, said.line, said.column) if said is not None else None
    assert found == expected
    assert (said is not None and said.feature) is (
        expected is not None and expected[:2] == ("archlint/v1", "AIFeature")
    )
