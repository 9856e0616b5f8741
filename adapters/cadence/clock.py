"""The cadence's inputs for one moment: segments and steps as tables, and
which time zones are in their working hours, on which local date."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pyarrow as pa
import structlog

from adapters.cadence.config import CadenceBook

log = structlog.get_logger("o2c.cadence")

_LIST = pa.list_(pa.string())


def inputs(
    book: CadenceBook, moment: datetime, countries: list[str], zones: list[str]
) -> dict[str, pa.Table]:
    """The Arrow tables ``CadenceViews.reachable`` registers."""
    segments = book.segments
    rules = pa.table(
        {
            "priority": pa.array([s.priority for s in segments], pa.int32()),
            "segment": [s.name for s in segments],
            **{
                field: pa.array(
                    [
                        list(s.conditions[field]) if field in s.conditions else None
                        for s in segments
                    ],
                    _LIST,
                )
                for field in ("countries", "deliveries", "sizes", "languages")
            },
            "recent_days": pa.array(
                [s.cadence.recent_days for s in segments], pa.int32()
            ),
        }
    )
    steps = [(s.name, step, o) for s in segments for step, o in s.cadence.offsets()]
    country_zones = {c: book.zone_of(c) for c in countries}
    clock = {z: _local(z, moment) for z in {*country_zones.values(), *zones}}
    return {
        "cadence_rules": rules,
        "cadence_steps": pa.table(
            {
                "segment": [s for s, _, _ in steps],
                "step": [step for _, step, _ in steps],
                "day_offset": pa.array([o for _, _, o in steps], pa.int32()),
            }
        ),
        "country_zones": pa.table(
            {"country": list(country_zones), "zone": list(country_zones.values())}
        ),
        "zone_clock": pa.table(
            {
                "zone": list(clock),
                "local_date": [local.date() for local in clock.values()],
                "open": [book.hours.open_at(local) for local in clock.values()],
            }
        ),
    }


def _local(zone: str, moment: datetime) -> datetime:
    try:
        return moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown_time_zone", zone=zone)
        return moment.astimezone(ZoneInfo("UTC"))
