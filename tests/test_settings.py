from __future__ import annotations

from archlint.finding import Severity
from archlint.settings import Settings, enabled, matches, severity_for


def test_selectors_match_id_name_prefix_and_all() -> None:
    assert matches("FT004", "FT004", "too-few-training-examples")
    assert matches("ft004", "FT004", "too-few-training-examples")
    assert matches("too-few-training-examples", "FT004", "too-few-training-examples")
    assert matches("FT", "FT004", "x") and matches("FT00", "FT004", "x")
    assert not matches("RAG", "FT004", "x")
    assert matches("ALL", "FT004", "x")


def test_select_then_ignore() -> None:
    settings = Settings(select=("FT",), ignore=("FT004",))
    assert enabled(settings, "FT001", "a") and not enabled(settings, "FT004", "b")
    assert not enabled(settings, "RAG001", "c")


def test_schema_and_policy_errors_are_always_on() -> None:
    settings = Settings(select=("FT",), ignore=("SCH001", "POL001"), severity={"SCH": Severity.INFO})
    assert enabled(settings, "SCH001", "schema-violation") and enabled(settings, "POL001", "p")
    assert severity_for(settings, "SCH001", "schema-violation", Severity.ERROR) is Severity.ERROR


def test_most_specific_severity_override_wins() -> None:
    settings = Settings(severity={"FT004": Severity.INFO, "FT": Severity.ERROR, "FT00": Severity.WARNING})
    assert severity_for(settings, "FT004", "n", Severity.ERROR) is Severity.INFO
    assert severity_for(settings, "FT005", "n", Severity.INFO) is Severity.WARNING
    assert severity_for(settings, "FT010", "n", Severity.INFO) is Severity.ERROR
    assert severity_for(settings, "RAG001", "n", Severity.INFO) is Severity.INFO
