"""The cadence files: one TOML file per customer segment, and the calendar.

Segments live in ``adapters/cadences`` (or the folder ``O2C_CADENCE_DIR``
names). An account follows the first segment, by priority, whose ``[match]``
conditions all hold: ``countries`` (ISO codes), ``deliveries`` (paper,
email, portal), ``sizes`` (small, medium, large) and ``languages``; a
missing condition matches everything. ``_shared.toml`` holds the working
hours, the main time zone of countries with several, the size bounds and
the return address of letters.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import time
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

from babel.core import get_global

from domain.cadence import Cadence, InvalidCadence, WorkingHours

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# Each [match] condition and the account attribute it tests.
CONDITIONS = {
    "countries": "country",
    "deliveries": "delivery",
    "sizes": "size",
    "languages": "language",
}
SIZES = ("small", "medium", "large")


class CadenceFileError(ValueError):
    """A cadence file that cannot be used; the message names file and field."""


@dataclass(frozen=True)
class Segment:
    """A cadence and the accounts it applies to."""

    cadence: Cadence
    priority: int
    conditions: dict[str, tuple[str, ...]]

    @property
    def name(self) -> str:
        return self.cadence.segment

    def matches(self, account: dict[str, str]) -> bool:
        return all(
            account.get(CONDITIONS[field]) in values
            for field, values in self.conditions.items()
        )


@dataclass(frozen=True)
class CadenceBook:
    """Every segment, in the order they are tried, and the shared calendar."""

    segments: tuple[Segment, ...]
    hours: WorkingHours
    main_zones: dict[str, str]
    medium_from: int
    large_from: int
    return_address: str

    def segment(self, name: str) -> Segment:
        for segment in self.segments:
            if segment.name == name:
                return segment
        known = ", ".join(s.name for s in self.segments)
        raise CadenceFileError(f"no segment {name!r} (segments: {known})")

    def segment_for(self, account: dict[str, str]) -> Segment:
        """The first segment whose conditions the account meets."""
        for segment in self.segments:
            if segment.matches(account):
                return segment
        raise CadenceFileError("no segment matches every account: keep default.toml")

    def size_of(self, invoices_issued: int) -> str:
        if invoices_issued >= self.large_from:
            return "large"
        return "medium" if invoices_issued >= self.medium_from else "small"

    def zone_of(self, country: str, time_zone: str | None = None) -> str:
        """The account's own zone, else its country's main zone, else UTC."""
        if time_zone:
            return time_zone
        if country in self.main_zones:
            return self.main_zones[country]
        zones = get_global("territory_zones").get(country)
        return zones[0] if zones else "UTC"


def load(folder: Path | None = None) -> CadenceBook:
    """Read the segment files and the calendar, checking every field."""
    root: Traversable = (
        folder if folder is not None else resources.files("adapters") / "cadences"
    )
    files = sorted(
        (f for f in root.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name
    )
    calendar = next((f for f in files if f.name == "_shared.toml"), None)
    if calendar is None:
        raise CadenceFileError(f"{root}: _shared.toml is missing")
    segments = [_segment(f) for f in files if not f.name.startswith("_")]
    if not any(not s.conditions for s in segments):
        raise CadenceFileError(f"{root}: one segment must match every account")
    segments.sort(key=lambda s: (s.priority, s.name))
    hours, zones, medium, large = _calendar(calendar)
    sender = str(_read(calendar).get("letters", {}).get("return_address", ""))
    return CadenceBook(tuple(segments), hours, zones, medium, large, sender)


def _read(file: Traversable) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise CadenceFileError(f"{file.name}: {error}") from None


def _segment(file: Traversable) -> Segment:
    data = _read(file)
    steps = data.get("steps", {})
    try:
        cadence = Cadence(
            segment=str(data["name"]),
            courtesy_days_before=int(steps["courtesy_days_before"]),
            dunning_days_after=tuple(int(d) for d in steps["dunning_days_after"]),
            final_days_after=int(steps["final_days_after"]),
            recent_days=int(steps.get("recent_days", 7)),
        )
    except KeyError as missing:
        raise CadenceFileError(f"{file.name}: {missing.args[0]} is missing") from None
    except InvalidCadence as error:
        raise CadenceFileError(f"{file.name}: {error}") from None
    match = data.get("match", {})
    unknown = set(match) - set(CONDITIONS)
    if unknown:
        raise CadenceFileError(
            f"{file.name}: [match] knows {', '.join(CONDITIONS)}, "
            f"not {', '.join(sorted(unknown))}"
        )
    bad_sizes = set(match.get("sizes", ())) - set(SIZES)
    if bad_sizes:
        raise CadenceFileError(
            f"{file.name}: sizes are {', '.join(SIZES)}, not {sorted(bad_sizes)}"
        )
    conditions = {k: tuple(str(v) for v in values) for k, values in match.items()}
    return Segment(cadence, int(data.get("priority", 100)), conditions)


def _calendar(file: Traversable) -> tuple[WorkingHours, dict[str, str], int, int]:
    data = _read(file)
    hours = data.get("working_hours", {})
    try:
        days = frozenset(WEEKDAYS.index(d) for d in hours.get("weekdays", WEEKDAYS[:5]))
        working = WorkingHours(
            time.fromisoformat(hours.get("start", "09:00")),
            time.fromisoformat(hours.get("end", "17:00")),
            days,
        )
    except ValueError as error:
        raise CadenceFileError(
            f"{file.name}: [working_hours] needs start and end like 09:00 and "
            f"weekdays among {', '.join(WEEKDAYS)} ({error})"
        ) from None
    sizes = data.get("sizes", {})
    return (
        working,
        dict(data.get("main_time_zones", {})),
        int(sizes.get("medium", 10)),
        int(sizes.get("large", 50)),
    )
