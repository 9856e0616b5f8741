"""Structured logs: JSON lines when asked, readable lines on a terminal.

Anything that looks like a card number is masked before a line is written.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

_CARD_LIKE = re.compile(r"\b(?:\d[ -]?){12,18}\d\b")


def redact_card_numbers(text: str) -> str:
    """The text with anything that looks like a card number masked."""
    return _CARD_LIKE.sub("[redacted]", text)


def mask_card_numbers(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if isinstance(value, str) and _CARD_LIKE.search(value):
            event[key] = redact_card_numbers(value)
    return event


def configure(log_format: str = "auto", level: str = "warning") -> None:
    """Send structlog events to stderr, one per line."""
    as_json = log_format == "json" or (log_format == "auto" and not sys.stderr.isatty())
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            mask_card_numbers,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
