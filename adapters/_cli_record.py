"""``o2c record``: record invoices, payments and the rest as they happen."""

from __future__ import annotations


def register(app: object) -> None:
    """Recording commands are added in the next step."""
