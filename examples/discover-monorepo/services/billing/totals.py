"""Invoice totals: plain arithmetic, no model."""

from decimal import Decimal


def total(lines: list[tuple[str, Decimal]]) -> Decimal:
    return sum((amount for _, amount in lines), Decimal(0))
