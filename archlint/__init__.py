"""archlint: policy-as-code linter for AI architecture decisions."""

__version__ = "0.1.0"
