"""The study-day clock: a study day runs from 4 a.m. to 4 a.m. in the student's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_ROLLOVER_HOUR = 4  # a study day runs from 4 a.m. to 4 a.m. local time, as in Anki


def student_zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def study_day(moment: datetime, zone: ZoneInfo) -> date:
    """The study day `moment` belongs to: a late-night session counts for the day before."""
    return (moment.astimezone(zone) - timedelta(hours=DAY_ROLLOVER_HOUR)).date()


def study_day_start(day: date, zone: ZoneInfo) -> datetime:
    """When `day` begins: 4 a.m. local (the wall-clock time, across DST changes), in UTC."""
    return datetime.combine(day, time(DAY_ROLLOVER_HOUR), tzinfo=zone).astimezone(UTC)


def study_day_bounds(moment: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    day = study_day(moment, zone)
    return study_day_start(day, zone), study_day_start(day + timedelta(days=1), zone)
