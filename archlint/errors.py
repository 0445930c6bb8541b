"""Errors that stop a run. Each maps to exit code 2 in one place (`cli`)."""

from __future__ import annotations


class ArchlintError(Exception):
    """A usage, configuration or policy problem: the run cannot be trusted."""

    exit_code = 2

    def __init__(
        self, message: str, file: str = "", line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = self.file
        if where and self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}" if where else self.message


class UsageError(ArchlintError):
    """Bad command-line arguments or unreadable paths."""


class ConfigError(ArchlintError):
    """A configuration file that is invalid."""


class PolicyError(ArchlintError):
    """A policy file that is invalid."""


class RunError(ArchlintError):
    """A run that could not finish (a worker process died): its report would be incomplete."""
